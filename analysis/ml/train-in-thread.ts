import { Worker } from 'node:worker_threads';
import { DataError, type DataErrorCode } from '../errors.js';
import type { FoldScore, TrainOptions, TrainResult } from './train-models.js';

export type ThreadMessage =
  | { kind: 'fold'; done: FoldScore[]; total: number }
  | { kind: 'result'; result: TrainResult }
  | { kind: 'error'; message: string; data: { code: DataErrorCode; details: Record<string, unknown> } | null };

export interface TrainJob { result: Promise<TrainResult>; cancel: () => Promise<void> }

/**
 * Trains in a worker thread so the caller's event loop stays free (a Temporal activity keeps heartbeating
 * while a fold runs for many seconds). `onFold` receives the fold scores finished so far.
 * @example const job = trainInThread(opts, (done) => ctx.heartbeat({ folds: done })); await job.result;
 */
export function trainInThread(options: Omit<TrainOptions, 'onFold' | 'now'>, onFold: (done: FoldScore[], total: number) => void): TrainJob {
  const worker = new Worker(new URL('./thread-boot.mjs', import.meta.url), {
    workerData: { entry: new URL('./train-thread.ts', import.meta.url).href, options },
  });
  let settled = false;
  const result = new Promise<TrainResult>((resolve, reject) => {
    worker.on('message', (m: ThreadMessage) => {
      if (m.kind === 'fold') onFold(m.done, m.total);
      else if (m.kind === 'result') { settled = true; resolve(m.result); }
      else { settled = true; reject(m.data ? new DataError(m.data.code, m.message, m.data.details) : new Error(`Training failed: ${m.message}`)); }
    });
    worker.on('error', (err) => { settled = true; reject(err); });
    worker.on('exit', (code) => { if (!settled) reject(new Error(`The training thread stopped unexpectedly (exit code ${code}).`)); });
  });
  result.finally(() => worker.terminate()).catch(() => undefined);
  return { result, cancel: async () => { settled = true; await worker.terminate(); } };
}
