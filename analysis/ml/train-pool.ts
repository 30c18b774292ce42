import os from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { CODE_EXT } from '../../config/app-root.js';
import { DataError, type DataErrorCode } from '../errors.js';
import type { ModelName } from './candidates.js';
import type { CalibrationReport } from './calibration.js';
import type { ExplainPart, RefitPart } from './finish-parts.js';
import type { FinishShape } from './finish-rows.js';
import type { OutOfFold } from './ensemble.js';
import type { Metric } from './metrics.js';
import type { TrainOptions } from './prepare-training.js';
import type { TrialSpec } from './search-space.js';
import { runTraining, type FoldResult, type FoldScore, type LeaderboardEntry, type OofStore, type TrainResult } from './train-models.js';

/** Messages from the parent to a training thread. */
export type ToThread =
  | { kind: 'score'; id: number; spec: TrialSpec; fold: number; deadline?: number }
  // Finishing, in steps: choose the model to serve, then refit it and fit the explanation split on two threads at
  // once (they are independent), then assemble the result.
  | { kind: 'choose'; id: number; leaderboard: LeaderboardEntry[]; warnings: string[]; oofs: OutOfFold[] }
  | { kind: 'refit'; id: number; best: LeaderboardEntry; deadline?: number; rows?: number }
  | { kind: 'explain'; id: number; best: LeaderboardEntry; deadline?: number; calibration: CalibrationReport | null; rows?: number }
  | { kind: 'assemble'; id: number; leaderboard: LeaderboardEntry[]; warnings: string[]; refit: RefitPart; explain: ExplainPart; search: Pick<TrainResult, 'trials' | 'search'>; calibration: CalibrationReport | null; finishRule?: string };

/** Messages from a training thread to its parent. */
export type FromThread =
  | { kind: 'ready'; names: ModelName[]; folds: number; rows: number; metric: Metric; warnings: string[]; finish: FinishShape }
  | { kind: 'score'; id: number; result: FoldResult }
  | { kind: 'chosen'; id: number; leaderboard: LeaderboardEntry[]; warnings: string[]; calibration: CalibrationReport | null }
  | { kind: 'refit'; id: number; part: RefitPart }
  | { kind: 'explain'; id: number; part: ExplainPart }
  | { kind: 'result'; id: number; result: TrainResult }
  | { kind: 'error'; id: number | null; message: string; data: { code: DataErrorCode; details: Record<string, unknown> } | null };

/** What a training thread starts with: the first gets the options and ports to the others, which receive its prepared data. */
export interface ThreadData { entry: string; busy: Int32Array; options?: TrainOptions; share?: MessagePort[]; from?: MessagePort }

export interface TrainJob { result: Promise<TrainResult>; cancel: () => Promise<void> }

/** Threads for a table: one for small tables (copying the data costs more than it saves), else one per core up to two. */
export function threadsFor(o: TrainOptions): number {
  const cells = o.frame.rows * Math.max(1, o.columns.length);
  return cells < 50_000 ? 1 : Math.min(2, os.availableParallelism());
}

const toError = (m: Extract<FromThread, { kind: 'error' }>) =>
  (m.data ? new DataError(m.data.code, m.message, m.data.details) : new Error(`Training failed: ${m.message}`));

/**
 * Trains in a pool of worker threads so both cores fit folds and the caller's event loop stays free (a
 * Temporal activity keeps heartbeating). Each thread prepares the data from `options` (or, with
 * ASSAY_SHARE_PREPARED=1, the first prepares and hands a copy to the others); folds and
 * candidates are handed out as threads become free; `onFold` receives the scores finished so far. Finishing
 * runs the refit on all rows and the fit on the explanation split on two threads at once.
 * @example const job = trainInPool(opts, { onFold: (done) => ctx.heartbeat({ folds: done }) }); await job.result;
 */
export function trainInPool(options: TrainOptions, c: { done?: FoldScore[]; onFold?: (done: FoldScore[], total: number) => void; threads?: number; oof?: OofStore } = {}): TrainJob {
  const startedAt = Date.now();
  const count = c.threads ?? threadsFor(options);
  const entry = new URL(`./train-thread${CODE_EXT}`, import.meta.url).href;
  // How many threads are running a task: a fit lends its spare core to a helper thread only while one is idle.
  const busy = new Int32Array(new SharedArrayBuffer(8));
  busy[1] = Math.min(count, os.availableParallelism());
  const boot = new URL('./thread-boot.mjs', import.meta.url);
  // With ASSAY_SHARE_PREPARED=1 the first thread prepares and hands its copy to the others: ~1.3 s less CPU on the
  // 100k stage, but the others wait meanwhile, and with a free core that was measured slower in wall time (README,
  // "Why some parts are ours"). By default every thread prepares its own copy at the same time.
  const channels = process.env.ASSAY_SHARE_PREPARED === '1' ? Array.from({ length: count - 1 }, () => new MessageChannel()) : [];
  const workers = channels.length ? [
    new Worker(boot, { workerData: { entry, options, busy, share: channels.map((c) => c.port1) } satisfies ThreadData, transferList: channels.map((c) => c.port1) }),
    ...channels.map((c) => new Worker(boot, { workerData: { entry, busy, from: c.port2 } satisfies ThreadData, transferList: [c.port2] })),
  ] : Array.from({ length: count }, () => new Worker(boot, { workerData: { entry, options, busy } satisfies ThreadData }));
  // Each thread has its own copy of the frame now (workerData is copied when a Worker is created): the closures below
  // must not keep this thread's copy alive (millions of values on a large table).
  options = { ...options, frame: { rows: options.frame.rows, columns: {} } };
  const pending = new Map<number, { resolve: (m: FromThread) => void; reject: (e: Error) => void }>();
  let nextId = 0, stopped = false;
  let failAll: (e: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => { failAll = reject; });
  failed.catch(() => undefined);

  const ready = workers.map((w) => new Promise<Extract<FromThread, { kind: 'ready' }>>((resolve, reject) => {
    w.on('message', (m: FromThread) => {
      if (m.kind === 'ready') return resolve(m);
      if (m.kind === 'error' && m.id === null) return reject(toError(m));
      const p = pending.get(m.id!);
      if (!p) return;
      pending.delete(m.id!);
      if (m.kind === 'error') p.reject(toError(m)); else p.resolve(m);
    });
    w.on('error', (err) => { reject(err); failAll(err); });
    w.on('exit', (code) => { if (!stopped) { const e = new Error(`A training thread stopped unexpectedly (exit code ${code}).`); reject(e); failAll(e); } });
  }));

  const idle: Worker[] = [];
  const waiting: ((w: Worker) => void)[] = [];
  const release = (w: Worker) => { const next = waiting.shift(); if (next) next(w); else idle.push(w); };
  const acquire = () => new Promise<Worker>((resolve) => { const w = idle.pop(); if (w) resolve(w); else waiting.push(resolve); });
  const call = async <K extends FromThread['kind']>(msg: ToThread extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never, _reply: K): Promise<Extract<FromThread, { kind: K }>> => {
    const w = await acquire();
    const id = nextId++;
    try {
      return await Promise.race([failed, new Promise<Extract<FromThread, { kind: K }>>((resolve, reject) => {
        pending.set(id, { resolve: (m) => resolve(m as Extract<FromThread, { kind: K }>), reject });
        w.postMessage({ ...msg, id });
      })]);
    } finally { release(w); }
  };

  const stop = async () => { stopped = true; await Promise.all(workers.map((w) => w.terminate())); };
  const result = (async () => {
    const [first] = await Promise.race([failed, Promise.all(ready)]);
    workers.forEach(release);
    return runTraining({ names: first.names, folds: { length: first.folds }, rows: first.rows, metric: first.metric, warnings: first.warnings, o: options, finish: first.finish }, {
      concurrency: count,
      score: async (spec, fold, deadline) => (await call({ kind: 'score', spec, fold, deadline }, 'score')).result,
      finish: async (board, warnings, deadline, oofs, search, size) => {
        // Choosing also decides the calibration: the thread that has the out-of-fold predictions fits it.
        const chosen = await call({ kind: 'choose', leaderboard: board, warnings, oofs }, 'chosen');
        const best = chosen.leaderboard[0];
        // With one thread these run one after the other, as in-process finishing does.
        const { calibration } = chosen;
        const rows = size?.(best); // sized now, from the time left and the chosen model's measured speed
        const [refit, explain] = await Promise.all([call({ kind: 'refit', best, deadline, rows: rows?.refit }, 'refit'), call({ kind: 'explain', best, deadline, calibration, rows: rows?.explain }, 'explain')]);
        return (await call({ kind: 'assemble', leaderboard: chosen.leaderboard, warnings: chosen.warnings, refit: refit.part, explain: explain.part, search, calibration, finishRule: rows?.why }, 'result')).result;
      },
    }, { done: c.done, onFold: c.onFold, startedAt, oof: c.oof });
  })();
  result.finally(stop).catch(() => undefined);
  return { result, cancel: stop };
}
