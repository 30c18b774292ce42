import type { Logger } from 'pino';
import type { Db } from '../db/connect.js';
import { sseFrame, type RunEventSink } from './run-events.js';

export interface PipelineStreamOptions {
  /** Log lines the client already has (its Last-Event-ID); the stream starts after them. */
  afterLine: number;
  intervalMs?: number;
  keepAliveMs: number;
  logger: Pick<Logger, 'error'>;
}

/**
 * Streams a pipeline's log as server-sent events until it ends: each log line as a `log` event whose id is its
 * position (1, 2, …), and a `status` event (`{status, steps_done, output_dataset_id, error}`) whenever that changes,
 * with id `<lines sent>.<n>` so a reconnecting client's Last-Event-ID resumes after the lines it has. Polls the
 * pipeline row once per `intervalMs` (a pipeline is short and watched by few; the run event hub serves runs).
 * @returns the unsubscribe function, for when the client leaves
 */
export function streamPipelineEvents(db: Db, pipelineId: string, sink: RunEventSink, opts: PipelineStreamOptions): () => void {
  const intervalMs = opts.intervalMs ?? 500;
  let stopped = false;
  let wake: (() => void) | null = null;
  let sent = opts.afterLine, statuses = 0, lastStatus = '', lastWrite = Date.now();
  const write = (frame: string) => { sink.write(frame); lastWrite = Date.now(); };
  const loop = async () => {
    while (!stopped) {
      const row = await db.selectFrom('pipelines').select(['status', 'logs', 'effects', 'output_dataset_id', 'error']).where('id', '=', pipelineId).executeTakeFirst();
      if (!row) return;
      for (let i = sent; i < row.logs.length; i++) write(sseFrame(i + 1, 'log', JSON.stringify(row.logs[i])));
      sent = Math.max(sent, row.logs.length);
      const status = JSON.stringify({ status: row.status, steps_done: row.effects.length, output_dataset_id: row.status === 'completed' ? row.output_dataset_id : null, error: row.error });
      if (status !== lastStatus) write(sseFrame(`${sent}.${++statuses}`, 'status', (lastStatus = status)));
      if (row.status !== 'running') return;
      if (Date.now() - lastWrite >= opts.keepAliveMs) write(': keep-alive\n\n');
      await new Promise<void>((r) => { const t = setTimeout(r, intervalMs); wake = () => { clearTimeout(t); r(); }; });
    }
  };
  loop().catch((err: unknown) => opts.logger.error({ err, pipeline_id: pipelineId }, 'pipeline events: poll failed'))
    .finally(() => { if (!stopped) { stopped = true; sink.end(); } });
  return () => { stopped = true; wake?.(); };
}
