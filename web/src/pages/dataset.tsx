import { useState } from 'preact/hooks';
import { api, unwrap } from '../api.js';
import { ErrorLine, Section, Table, useLoad, when } from '../ui.js';
import { AskBox } from './ask.js';
import { Suggestions, Versions } from './pipelines.js';
import { Profile } from './run-result.js';
import { RunForm } from './run-form.js';
import { RunList } from './runs.js';

/** One dataset: what it is, its first rows, its runs, and a form to start another. */
export function DatasetPage({ id }: { id: string }) {
  const path = { params: { path: { id } } };
  const ds = useLoad(() => unwrap(api.GET('/datasets/{id}', path)), [id]);
  const preview = useLoad(() => unwrap(api.GET('/datasets/{id}/preview', { params: { path: { id }, query: { n: 10 } } })), [id]);
  // The profile is made by a run: the latest completed run's, when there is one.
  const profile = useLoad(async () => {
    const runs = await unwrap(api.GET('/runs', { params: { query: { limit: 100, status: 'completed' } } }));
    const last = runs.items.find((r) => r.dataset_id === id);
    return last ? { runId: last.id, eda: (await unwrap(api.GET('/runs/{id}/result', { params: { path: { id: last.id } } }))).eda } : null;
  }, [id]);
  const d = ds.data;
  const [versions, setVersions] = useState(0);
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
          {!profile.data && <p class="hint">The full profile (distributions, correlations, alerts) is made by a run: start one below.</p>}
        </Section>
      )}
      <Section title="First rows">
        <ErrorLine error={preview.error} />
        {preview.data && d && (
          <Table caption={`The first ${preview.data.first_rows.length} rows; column types: ${d.columns.map((c) => `${c.name} ${c.type}`).join(', ')}`}
            columns={preview.data.columns} rows={preview.data.first_rows} />
        )}
      </Section>
      {d && <AskBox datasetId={id} />}
      {d?.status === 'ready' && <Suggestions datasetId={id} onVersion={() => setVersions((n) => n + 1)} />}
      {d && <Versions datasetId={id} generation={versions} />}
      {profile.data?.eda && <Profile eda={profile.data.eda} note={<>From <a href={`/app/runs/${profile.data.runId}`}>the latest completed run</a>.</>} />}
      {d && <RunForm dataset={d} />}
      <RunList datasetId={id} />
    </>
  );
}
