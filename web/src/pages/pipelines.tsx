// Suggestions and pipelines on a dataset page: the suggested steps (confidence, reason) with boxes to keep them,
// "Apply" runs them as a pipeline, whose log is followed live; then each step's effect and the new version.
import { useEffect, useState } from 'preact/hooks';
import { AssayApiError } from '../../../client/index.js';
import { api, messageOf, unwrap, type Answer, type operations } from '../api.js';
import { followEvents } from '../sse.js';
import { ErrorLine, Section, Table, fmt, useLoad, when } from '../ui.js';
import type { LogLine } from './run-live.js';

type Pipeline = Answer<'getPipeline'>;
type Steps = operations['runPipeline']['requestBody']['content']['application/json']['steps'];

/** Follows `GET /pipelines/{id}/events` (fetch, bearer header, Last-Event-ID) and re-reads the pipeline on each status. */
function usePipeline(id: string | null) {
  const [pipeline, setPipeline] = useState<Pipeline | null>(null);
  const [logs, setLogs] = useState<LogLine[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!id) return;
    const stop = new AbortController();
    setLogs([]);
    const read = () => unwrap(api.GET('/pipelines/{id}', { params: { path: { id } } })).then((p) => { if (!stop.signal.aborted) setPipeline(p); }, (e: unknown) => setError(messageOf(e)));
    const open = async (lastId: string | null, signal: AbortSignal) => {
      const { response } = await api.GET('/pipelines/{id}/events', { params: { path: { id } }, parseAs: 'stream', signal, headers: lastId ? { 'Last-Event-ID': lastId } : {} });
      if (!response.ok) throw new AssayApiError(response.status, await response.json().catch(() => null));
      return response.body!;
    };
    followEvents(open, (e) => {
      if (e.event === 'log') { const line = JSON.parse(e.data) as LogLine; setLogs((l) => [...l, line]); }
      else if (e.event === 'status') void read();
    }, stop.signal).then(() => { if (!stop.signal.aborted) void read(); }, (err: unknown) => setError(messageOf(err)));
    return () => stop.abort();
  }, [id]);
  return { pipeline, logs, error };
}

const describe = (s: { step: string; column?: string | null }) => `${s.step.replace(/_/g, ' ')}${s.column ? ` ${s.column}` : ''}`;

/** The suggested steps, the pipeline that applies the kept ones, and its result. */
export function Suggestions({ datasetId, onVersion }: { datasetId: string; onVersion: () => void }) {
  const sugg = useLoad(() => unwrap(api.GET('/datasets/{id}/suggestions', { params: { path: { id: datasetId } } })), [datasetId]);
  const [kept, setKept] = useState<boolean[]>([]);
  const [pipelineId, setPipelineId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { pipeline, logs, error: liveError } = usePipeline(pipelineId);
  const steps = sugg.data?.steps ?? [];
  // Suggestions are kept as they come (the API's advice); the person unticks what they do not want.
  useEffect(() => setKept(steps.map(() => true)), [sugg.data]);
  useEffect(() => { if (pipeline?.status === 'completed') onVersion(); }, [pipeline?.status]);

  const apply = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const chosen = steps.filter((_, i) => kept[i]).map(({ step, column, params }) => ({ step, column, params })) as Steps;
      const r = await unwrap(api.POST('/pipelines/run', { body: { dataset_id: datasetId, steps: chosen } }));
      setPipelineId(r.pipeline_id);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const running = pipeline ? pipeline.status === 'running' : pipelineId !== null;

  return (
    <Section title="Suggested preprocessing" id="suggestions-title">
      <ErrorLine error={sugg.error} />
      {!sugg.data && !sugg.error && <p class="hint" aria-live="polite">Profiling every row for suggestions…</p>}
      {sugg.data && steps.length === 0 && <p>Nothing to clean: no step is suggested for this table.</p>}
      {steps.length > 0 && (
        <form id="suggestions" onSubmit={(e) => void apply(e)}>
          <fieldset>
            <legend>Steps to apply (from the profile of all {sugg.data!.basis.rows.toLocaleString()} rows)</legend>
            <ul class="list">
              {steps.map((s, i) => (
                <li key={i}>
                  <label class="check" for={`step-${i}`}>
                    <input id={`step-${i}`} type="checkbox" checked={kept[i] ?? true} disabled={running}
                      onChange={(e) => { const v = e.currentTarget.checked; setKept((k) => k.map((x, j) => (j === i ? v : x))); }} />
                    {' '}<strong>{describe(s)}</strong> <span class="badge">confidence {fmt(s.confidence, 2)}</span>
                  </label>
                  <span class="meta">{s.reason}</span>
                </li>
              ))}
            </ul>
          </fieldset>
          <div class="actions"><button id="apply-steps" type="submit" disabled={running || !kept.some(Boolean)}>Apply {kept.filter(Boolean).length} step{kept.filter(Boolean).length === 1 ? '' : 's'}</button></div>
        </form>
      )}
      {(sugg.data?.recommendations.length ?? 0) > 0 && (
        <><h3>For the run</h3><ul>{sugg.data!.recommendations.map((r) => <li key={r.message}>{r.message}</li>)}</ul></>
      )}
      <ErrorLine error={error ?? liveError} />
      {pipelineId && (
        <div id="pipeline">
          <p aria-live="polite" id="pipeline-status">Pipeline {pipelineId.slice(0, 8)}: {pipeline?.status ?? 'starting'}</p>
          <ol id="pipeline-log" class="log" aria-live="polite">{logs.map((l, i) => <li key={i}>{l.message}</li>)}</ol>
          {pipeline?.error && <p class="error">{pipeline.error}</p>}
          {pipeline && pipeline.steps.some((s) => s.effect) && (
            <Table caption="What each step did" columns={['step', 'rows', 'values changed', 'columns', 'note']}
              rows={pipeline.steps.map((s) => ({
                step: describe(s),
                rows: s.effect ? `${s.effect.rows_before.toLocaleString()} → ${s.effect.rows_after.toLocaleString()}` : '',
                'values changed': s.effect?.values_changed.toLocaleString() ?? '',
                columns: s.effect ? [...s.effect.columns_added.map((c) => `+${c}`), ...s.effect.columns_removed.map((c) => `−${c}`), ...s.effect.columns_changed.map((c) => `~${c}`)].join(' ') : '',
                note: s.effect?.note ?? '',
              }))} />
          )}
          {pipeline?.output_dataset_id && <p id="new-version">The result is a new version: <a href={`/app/datasets/${pipeline.output_dataset_id}`}>open it</a>.</p>}
        </div>
      )}
    </Section>
  );
}

/** The dataset's lineage: every version, the steps that made it, this one marked. */
export function Versions({ datasetId, generation }: { datasetId: string; generation: number }) {
  const v = useLoad(() => unwrap(api.GET('/datasets/{id}/versions', { params: { path: { id: datasetId } } })), [datasetId, generation]);
  return (
    <Section title="Versions">
      <ErrorLine error={v.error} />
      {v.data && (
        <ol class="list" id="versions">
          {v.data.items.map((d) => (
            <li key={d.id}>
              {d.id === datasetId ? <strong aria-current="page">Version {d.version} (this one)</strong> : <a href={`/app/datasets/${d.id}`}>Version {d.version}</a>}
              <span class="meta">{d.rows.toLocaleString()} rows × {d.cols} columns, {when(d.created_at)}</span>
              {d.steps && d.steps.length > 0 && <span class="meta">made by: {d.steps.map((s) => describe(s as { step: string; column?: string })).join(', ')}</span>}
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}
