import { api, unwrap } from '../api.js';
import { ErrorLine, Section, Table, useLoad, when } from '../ui.js';
import { RunForm } from './run-form.js';
import { RunList } from './runs.js';

/** One dataset: what it is, its first rows, its runs, and a form to start another. */
export function DatasetPage({ id }: { id: string }) {
  const path = { params: { path: { id } } };
  const ds = useLoad(() => unwrap(api.GET('/datasets/{id}', path)), [id]);
  const preview = useLoad(() => unwrap(api.GET('/datasets/{id}/preview', { params: { path: { id }, query: { n: 10 } } })), [id]);
  const d = ds.data;
  return (
    <>
      <h1>{d?.name ?? 'Dataset'}</h1>
      <ErrorLine error={ds.error} />
      {d && (
        <Section title="Summary">
          <dl class="facts">
            <dt>Rows</dt><dd>{d.rows.toLocaleString()}{d.rows_estimated ? ' (estimated while reading)' : ''}</dd>
            <dt>Columns</dt><dd>{d.cols}</dd>
            <dt>File</dt><dd>{d.filename} ({d.format}, {(d.size_bytes / 1024).toFixed(1)} KB)</dd>
            <dt>Status</dt><dd>{d.status}{d.error ? `: ${d.error}` : ''}</dd>
            <dt>Uploaded</dt><dd>{when(d.created_at)}</dd>
          </dl>
          {d.notes.length > 0 && <ul>{d.notes.map((n) => <li key={n}>{n}</li>)}</ul>}
          <p class="hint">The full profile (distributions, correlations, alerts) is made by a run; it shows on the run's page.</p>
        </Section>
      )}
      <Section title="First rows">
        <ErrorLine error={preview.error} />
        {preview.data && d && (
          <Table caption={`The first ${preview.data.first_rows.length} rows; column types: ${d.columns.map((c) => `${c.name} ${c.type}`).join(', ')}`}
            columns={preview.data.columns} rows={preview.data.first_rows} />
        )}
      </Section>
      {d && <RunForm dataset={d} />}
      <RunList datasetId={id} />
    </>
  );
}
