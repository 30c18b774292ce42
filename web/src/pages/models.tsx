import { api, unwrap } from '../api.js';
import { ErrorLine, Section, fmt, useLoad, when } from '../ui.js';

export function ModelsPage() {
  const { data, error } = useLoad(() => unwrap(api.GET('/models')), []);
  return (
    <>
      <h1>Models</h1>
      <Section title="Your models">
        <ErrorLine error={error} />
        {data && !data.items.length && <p>No models yet: a completed run with a target makes one.</p>}
        {data && data.items.length > 0 && (
          <ul class="list">
            {data.items.map((m) => {
              const cv = (m.metrics as { cv_mean?: number }).cv_mean;
              return (
                <li key={m.id}>
                  <a href={`/app/models/${m.id}`}>{m.name} → {m.target}</a>
                  <span class="meta">{m.task}{cv !== undefined ? ` · cross-validated ${fmt(cv)}` : ''} · v{m.version} · {when(m.created_at)}</span>
                </li>
              );
            })}
          </ul>
        )}
      </Section>
    </>
  );
}
