import { useEffect, useState } from 'preact/hooks';
import { AssayApiError } from '../../../client/index.js';
import { api, messageOf, type RunStatus } from '../api.js';
import { followEvents } from '../sse.js';

export type LiveStatus = Omit<RunStatus, 'logs'>;

/** Statuses a run never leaves. */
export const TERMINAL: readonly string[] = ['completed', 'failed', 'cancelled'];
export interface LogLine { at: string; level: string; message: string }

/**
 * Follows `GET /runs/{id}/events` (through the typed client, bearer token in the header, Last-Event-ID on
 * reconnect): the latest status and every log line, live until the run ends.
 */
export function useRunEvents(id: string, generation: number) {
  const [status, setStatus] = useState<LiveStatus | null>(null);
  const [logs, setLogs] = useState<LogLine[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [ended, setEnded] = useState(false);

  useEffect(() => {
    const stop = new AbortController();
    setLogs([]);
    setEnded(false);
    const open = async (lastId: string | null, signal: AbortSignal) => {
      const { response } = await api.GET('/runs/{id}/events', {
        params: { path: { id } }, parseAs: 'stream', signal, headers: lastId ? { 'Last-Event-ID': lastId } : {},
      });
      if (!response.ok) throw new AssayApiError(response.status, await response.json().catch(() => null));
      return response.body!;
    };
    followEvents(open, (e) => {
      // An ended run stays ended: a status read from a cache a moment older must not take the results off the page.
      if (e.event === 'status') { const next = JSON.parse(e.data) as LiveStatus; setStatus((prev) => (prev && TERMINAL.includes(prev.status) && !TERMINAL.includes(next.status) ? prev : next)); }
      else if (e.event === 'log') { const line = JSON.parse(e.data) as LogLine; setLogs((l) => [...l, line]); }
    }, stop.signal).then(() => { if (!stop.signal.aborted) setEnded(true); }, (err: unknown) => setError(messageOf(err)));
    return () => stop.abort();
  }, [id, generation]);

  return { status, logs, error, ended };
}
