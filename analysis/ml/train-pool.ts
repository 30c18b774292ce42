import os from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { CODE_EXT } from '../../config/app-root.js';
import { DataError, type DataErrorCode } from '../errors.js';
import type { ModelName } from './candidates.js';
import type { CalibrationReport } from './calibration.js';
import type { ExplainPart, RefitPart } from './finish-parts.js';
import type { FinishShape } from './finish-rows.js';
import { packFrame, type PackedFrame } from './frame-transfer.js';
import type { OutOfFold } from './ensemble.js';
import type { Metric } from './metrics.js';
import type { TrainOptions } from './prepare-training.js';
import { trialKey, type TrialSpec } from './search-space.js';
import { runTraining, type FoldResult, type FoldScore, type LeaderboardEntry, type OofStore, type TrainResult, type TrialRecord } from './train-models.js';

/** Messages from the parent to a training thread. */
export type ToThread =
  | { kind: 'score'; id: number; spec: TrialSpec; fold: number; deadline?: number }
  // Finishing, in steps: choose the model to serve, then refit it and fit the explanation split on two threads at
  // once (they are independent), then assemble the result.
  | { kind: 'choose'; id: number; leaderboard: LeaderboardEntry[]; warnings: string[]; oofs: OutOfFold[]; trials: TrialRecord[] }
  | { kind: 'refit'; id: number; best: LeaderboardEntry; deadline?: number; rows?: number }
  // The explanation part also decides the calibration (it scores with the served probabilities), from the out-of-fold predictions.
  | { kind: 'explain'; id: number; best: LeaderboardEntry; deadline?: number; oofs: OutOfFold[]; rows?: number }
  // A trial fitted ahead on the explanation split, kept by the thread for an `explain` that serves it.
  | { kind: 'prefit'; id: number; spec: TrialSpec; deadline?: number }
  | { kind: 'assemble'; id: number; leaderboard: LeaderboardEntry[]; warnings: string[]; refit: RefitPart; explain: ExplainPart; search: Pick<TrainResult, 'trials' | 'search'>; calibration: CalibrationReport | null; finishRule?: string };

/** Messages from a training thread to its parent. */
export type FromThread =
  | { kind: 'ready'; names: ModelName[]; folds: number; rows: number; metric: Metric; warnings: string[]; finish: FinishShape }
  | { kind: 'score'; id: number; result: FoldResult }
  | { kind: 'chosen'; id: number; leaderboard: LeaderboardEntry[]; warnings: string[] }
  | { kind: 'refit'; id: number; part: RefitPart }
  | { kind: 'explain'; id: number; part: ExplainPart; calibration: CalibrationReport | null }
  | { kind: 'prefit'; id: number }
  | { kind: 'result'; id: number; result: TrainResult }
  | { kind: 'error'; id: number | null; message: string; data: { code: DataErrorCode; details: Record<string, unknown> } | null };

/**
 * What a training thread is given when a stage takes it: the first gets the options and ports to the others,
 * which receive its prepared data. (Threads boot before a stage needs them, so this comes by message, not workerData.)
 */
export interface ThreadData {
  busy: Int32Array;
  /** The options, their frame empty: the table comes as `frame`, packed in memory the threads share (frame-transfer.ts). */
  options?: TrainOptions; frame?: PackedFrame;
  share?: MessagePort[]; from?: MessagePort;
}
/** The first message a training thread receives. */
export type StartThread = { kind: 'start' } & ThreadData;

export interface TrainJob {
  result: Promise<TrainResult>; cancel: () => Promise<void>;
  /** Trials fitted ahead on the explanation split by an otherwise idle thread, and whether the explanation used one. */
  ahead: { fitted: string[]; used: boolean };
}

/** Threads for a table: one for small tables (copying the data costs more than it saves), else one per core up to two. */
export function threadsFor(o: TrainOptions): number {
  const cells = o.frame.rows * Math.max(1, o.columns.length);
  return cells < 50_000 ? 1 : Math.min(2, os.availableParallelism());
}

/**
 * Booted threads waiting for a stage. Starting a thread (a V8 isolate loading the engine's modules) took 0.3 s on an
 * idle machine and up to 0.8 s on a loaded one, on every stage; a Temporal worker runs stage after stage, so it keeps
 * as many booted threads as its last stage used (scikit-learn's OpenMP threads likewise outlive a fit). A stage's
 * threads end with it (their memory is the stage's data) and fresh ones boot in the background.
 */
const spares: Worker[] = [];

function bootThread(): Worker {
  const entry = new URL(`./train-thread${CODE_EXT}`, import.meta.url).href;
  return new Worker(new URL('./thread-boot.mjs', import.meta.url), { workerData: { entry } });
}

/** Boots threads until `n` are waiting (they do not keep the process alive). */
function keepSpares(n: number): void {
  while (spares.length < n) {
    const w = bootThread();
    w.unref();
    // A spare that fails or exits before a stage takes it is dropped from the list.
    const drop = () => { const i = spares.indexOf(w); if (i >= 0) spares.splice(i, 1); };
    w.once('error', drop).once('exit', drop);
    spares.push(w);
  }
}

/** How many booted threads wait for a stage (for tests and benchmarks). */
export const spareThreads = () => spares.length;

/** A thread for a stage: a booted spare if one waits, else a new one. */
function takeThread(): Worker {
  const w = spares.shift();
  if (!w) return bootThread();
  w.removeAllListeners('error').removeAllListeners('exit');
  w.ref();
  return w;
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
  // How many threads are running a task: a fit lends its spare core to a helper thread only while one is idle.
  const busy = new Int32Array(new SharedArrayBuffer(8));
  busy[1] = Math.min(count, os.availableParallelism());
  // With ASSAY_SHARE_PREPARED=1 the first thread prepares and hands its copy to the others: ~1.3 s less CPU on the
  // 100k stage, but the others wait meanwhile, and with a free core that was measured slower in wall time (README,
  // "Why some parts are ours"). By default every thread prepares its own copy at the same time.
  const channels = process.env.ASSAY_SHARE_PREPARED === '1' ? Array.from({ length: count - 1 }, () => new MessageChannel()) : [];
  const workers = Array.from({ length: count }, takeThread);
  const frame = packFrame(options.frame);
  // The closures below must not keep this thread's frame alive (millions of values on a large table).
  options = { ...options, frame: { rows: options.frame.rows, columns: {} } };
  if (channels.length) {
    const share = channels.map((c) => c.port1);
    workers[0].postMessage({ kind: 'start', options, frame, busy, share } satisfies StartThread, share);
    channels.forEach((c, i) => workers[i + 1].postMessage({ kind: 'start', busy, from: c.port2 } satisfies StartThread, [c.port2]));
  } else for (const w of workers) w.postMessage({ kind: 'start', options, frame, busy } satisfies StartThread);
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
  // Calls that must run on one thread (it holds a model fitted ahead), waiting for that thread only.
  const waitingFor = new Map<Worker, (w: Worker) => void>();
  const release = (w: Worker) => {
    const own = waitingFor.get(w);
    if (own) { waitingFor.delete(w); return own(w); }
    const next = waiting.shift(); if (next) next(w); else idle.push(w);
  };
  const acquire = (on?: Worker) => new Promise<Worker>((resolve) => {
    if (on) {
      const i = idle.indexOf(on);
      if (i >= 0) { idle.splice(i, 1); resolve(on); } else waitingFor.set(on, resolve);
      return;
    }
    const w = idle.pop(); if (w) resolve(w); else waiting.push(resolve);
  });
  const call = async <K extends FromThread['kind']>(msg: ToThread extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never, _reply: K, on?: Worker): Promise<Extract<FromThread, { kind: K }>> => {
    const w = await acquire(on);
    const id = nextId++;
    try {
      return await Promise.race([failed, new Promise<Extract<FromThread, { kind: K }>>((resolve, reject) => {
        pending.set(id, { resolve: (m) => resolve(m as Extract<FromThread, { kind: K }>), reject });
        w.postMessage({ ...msg, id });
      })]);
    } finally { release(w); }
  };
  // Which thread holds which trial fitted ahead on the explanation split (see `speculate` below).
  const prefitted = new Map<string, Worker>();
  const ahead: TrainJob['ahead'] = { fitted: [], used: false };

  // Once, however often it is called (the stage's end and a cancellation both ask); every caller awaits the threads'
  // end. The first caller decides whether fresh threads boot: after a stage that ran to its end, yes (before its
  // caller goes on, so a next stage finds them booting); after a cancellation, no: the CPU must fall at once.
  let ended: Promise<void> | undefined;
  const stop = (refill: boolean) => ended ??= (async () => {
    stopped = true;
    if (refill) keepSpares(count);
    await Promise.all(workers.map((w) => w.terminate()));
  })();
  const result = (async () => {
    const [first] = await Promise.race([failed, Promise.all(ready)]);
    workers.forEach(release);
    return runTraining({ names: first.names, folds: { length: first.folds }, rows: first.rows, metric: first.metric, warnings: first.warnings, o: options, finish: first.finish }, {
      concurrency: count,
      score: async (spec, fold, deadline) => (await call({ kind: 'score', spec, fold, deadline }, 'score')).result,
      // A thread with nothing to do (the search's last folds run elsewhere) fits the likely served model on the
      // explanation split now rather than after the search; only a thread already idle takes it, never one a fold waits for.
      speculate: (spec, deadline) => {
        const key = trialKey(spec), w = idle.at(-1);
        if (!w || waiting.length || prefitted.has(key)) return;
        prefitted.set(key, w);
        call({ kind: 'prefit', spec, deadline }, 'prefit', w).then(() => { ahead.fitted.push(key); }, () => prefitted.delete(key));
      },
      finish: async (board, warnings, deadline, oofs, search, size) => {
        const chosen = await call({ kind: 'choose', leaderboard: board, warnings, oofs, trials: search.trials }, 'chosen');
        const best = chosen.leaderboard[0];
        // The explanation goes to the thread holding (a member of) the served model fitted ahead, if one does.
        const keys = best.model === 'ensemble' ? (best.members ?? []).map((m) => trialKey({ model: m.model, params: m.params }))
          : best.model === 'baseline' ? [] : [trialKey({ model: best.model, params: best.params ?? {} })];
        const holder = keys.map((k) => prefitted.get(k)).find((w) => w !== undefined);
        ahead.used = holder !== undefined;
        // The explanation asks first, so the refit never takes the thread holding the model fitted ahead.
        // With one thread these run one after the other, as in-process finishing does.
        const rows = size?.(best); // sized now, from the time left and the chosen model's measured speed
        const explaining = call({ kind: 'explain', best, deadline, oofs, rows: rows?.explain }, 'explain', holder);
        const [refit, explain] = await Promise.all([call({ kind: 'refit', best, deadline, rows: rows?.refit }, 'refit'), explaining]);
        return (await call({ kind: 'assemble', leaderboard: chosen.leaderboard, warnings: chosen.warnings, refit: refit.part, explain: explain.part, search, calibration: explain.calibration, finishRule: rows?.why }, 'result')).result;
      },
    }, { done: c.done, onFold: c.onFold, startedAt, oof: c.oof });
  })();
  result.finally(() => stop(true)).catch(() => undefined);
  return { result, cancel: () => stop(false), ahead };
}
