import { api, unwrap } from '../api.js';
import { ErrorLine, Section, useLoad, when } from '../ui.js';

/** Runs, newest first; only one dataset's when `datasetId` is given. */
export function RunList({ datasetId }: { datasetId?: string }) {
  const { data, error } = useLoad(() => unwrap(api.GET('/runs', { params: { query: { limit: 100 } } })), []);
  const items = data?.items.filter((r) => !datasetId || r.dataset_id === datasetId) ?? [];
  return (
    <Section title={datasetId ? 'Runs on this dataset' : 'Your runs'}>
      <ErrorLine error={error} />
      {data && !items.length && <p>No runs yet.</p>}
      {items.length > 0 && (
        <ul class="list">
          {items.map((r) => (
            <li key={r.id}>
              <a href={`/app/runs/${r.id}`}>Run {r.id.slice(0, 8)}</a>
              <span class={`badge s-${r.status}`}>{r.status.replace(/_/g, ' ')}</span>
              <span class="meta">stage {r.stage} · started {when(r.created_at)}{typeof r.options.target === 'string' ? ` · target ${r.options.target}` : ''}</span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

export function RunsPage() {
  return <><h1>Runs</h1><RunList /></>;
}
