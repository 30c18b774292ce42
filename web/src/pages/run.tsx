import { useEffect, useRef, useState } from 'preact/hooks';
import { api, messageOf, temporalLink, unwrap, type Dataset } from '../api.js';
import { ErrorLine, Section, when } from '../ui.js';
import { ClarifyForm } from './clarify.js';
import { RunResultView } from './run-result.js';
import { useRunEvents, type LiveStatus } from './run-live.js';

const STAGES = ['ingest', 'profile', 'clarify', 'train', 'report', 'qa', 'finalize'] as const;
const LABELS: Record<string, string> = { qa: 'QA' };
const ACTIVE = ['queued', 'running', 'awaiting_clarification', 'needs_attention'];

/** The stages in order: done, current (with its progress), or still to come. */
function Timeline({ status }: { status: LiveStatus }) {
  const at = STAGES.indexOf(status.stage);
  const done = status.status === 'completed';
  return (
    <ol class="timeline" aria-label="Stages">
      {STAGES.map((s, i) => {
        const state = done || i < at ? 'done' : i === at ? (ACTIVE.includes(status.status) ? 'current' : status.status) : 'todo';
        return (
          <li key={s} class={`stage ${state}`} aria-current={state === 'current' ? 'step' : undefined}>
            <span class="name">{LABELS[s] ?? s}</span>
            <span class="state">{state === 'current' ? `${status.status.replace(/_/g, ' ')}${status.progress ? ` ${Math.round(status.progress)}%` : ''}` : state === 'todo' ? '' : state}</span>
          </li>
        );
      })}
    </ol>
  );
}

/** One run, live: stages, log, the question when it asks, cancel/retry, then the results and the report. */
export function RunPage({ id }: { id: string }) {
  const [generation, setGeneration] = useState(0);
  const { status, logs, error: streamError, ended } = useRunEvents(id, generation);
  const [actionError, setActionError] = useState<string | null>(null);
  const [dataset, setDataset] = useState<Dataset | null>(null);
  const path = { params: { path: { id } } };
  const logBox = useRef<HTMLOListElement>(null);
  // Follow the newest line, unless the reader scrolled up to read an older one.
  useEffect(() => {
    const el = logBox.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [logs.length]);

  useEffect(() => {
    if (!status || dataset) return;
    const run = unwrap(api.GET('/runs', { params: { query: { limit: 100 } } })).then((p) => p.items.find((r) => r.id === id));
    run.then((r) => r && unwrap(api.GET('/datasets/{id}', { params: { path: { id: r.dataset_id } } })).then(setDataset)).catch(() => undefined);
  }, [status !== null]);

  const act = async (what: 'cancel' | 'retry') => {
    setActionError(null);
    try {
      if (what === 'cancel') await unwrap(api.POST('/runs/{id}/cancel', path));
      else await unwrap(api.POST('/runs/{id}/retry', path));
      if (ended) setGeneration((g) => g + 1);
    } catch (err) {
      setActionError(messageOf(err));
    }
  };

  const terminal = status !== null && !ACTIVE.includes(status.status);
  const link = status ? temporalLink(status.workflow_id) : null;
  return (
    <>
      <h1>Run {id.slice(0, 8)}</h1>
      <ErrorLine error={streamError} />
      {status && (
        <Section title="Progress">
          <p id="run-status" aria-live="polite">
            <span class={`badge s-${status.status}`}>{status.status.replace(/_/g, ' ')}</span> stage <strong>{status.stage}</strong>
            {status.heartbeat_at ? ` · last heartbeat ${when(status.heartbeat_at)}` : ''}
          </p>
          <Timeline status={status} />
          {status.error && <p class="error">{status.error}</p>}
          <div class="actions">
            {!terminal && <button id="cancel" type="button" class="secondary" onClick={() => void act('cancel')}>Cancel the run</button>}
            {status.status === 'needs_attention' && <button id="retry" type="button" onClick={() => void act('retry')}>Retry the stage</button>}
            {link && <a href={link} target="_blank" rel="noopener noreferrer">Workflow in the Temporal Web UI</a>}
          </div>
          <ErrorLine error={actionError} />
        </Section>
      )}
      {status?.question && status.status === 'awaiting_clarification' && (
        <ClarifyForm runId={id} question={status.question} columns={dataset?.columns.map((c) => c.name) ?? []} />
      )}
      <Section title="Log">
        <ol ref={logBox} class="log" id="log" tabIndex={0} aria-label="Run log" aria-live="polite" aria-relevant="additions">
          {logs.map((l, i) => <li key={i} class={`lv-${l.level}`}><time>{new Date(l.at).toLocaleTimeString()}</time> {l.message}</li>)}
        </ol>
        {!logs.length && <p>No log lines yet.</p>}
      </Section>
      {terminal && <RunResultView runId={id} status={status.status} />}
    </>
  );
}

