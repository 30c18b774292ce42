// Runs inside a worker thread: prepares the training data once, then scores folds and finishes on request.
import { parentPort, workerData } from 'node:worker_threads';
import { DataError } from '../errors.js';
import { setHelperPolicy, startHelper } from './hist-helper.js';
import { prepareTraining, type Training, type TrainOptions } from './prepare-training.js';
import type { FromThread, ToThread } from './train-pool.js';
import { finishTraining, scoreFold } from './train-models.js';

const post = (m: FromThread) => parentPort!.postMessage(m);
const fail = (id: number | null, err: unknown) => post({
  kind: 'error', id, message: err instanceof Error ? err.message : String(err),
  data: err instanceof DataError ? { code: err.code, details: err.details } : null,
});

// busy[0]: pool threads running a task; busy[1]: cores the pool may use. With ASSAY_FIT_HELPER=1 a lone task's
// fit splits its histograms with a helper thread (two tasks at once already fill both cores). Off by default:
// on the shared 2-core machine it was measured no faster (README, "Why some parts are ours").
const busy = workerData.busy as Int32Array | undefined;
if (busy && busy[1] > 1 && process.env.ASSAY_FIT_HELPER === '1') {
  setHelperPolicy(() => Atomics.load(busy, 0) < busy[1]);
  startHelper();
}
const run = <T>(task: () => T): T => {
  if (busy) Atomics.add(busy, 0, 1);
  try { return task(); } finally { if (busy) Atomics.sub(busy, 0, 1); }
};

let t: Training | undefined;
try {
  t = prepareTraining(workerData.options as TrainOptions);
  post({ kind: 'ready', names: t.names, folds: t.folds.length, rows: t.d.rows, metric: t.metric, warnings: t.warnings });
} catch (err) {
  fail(null, err);
}
parentPort!.on('message', (m: ToThread) => {
  try {
    if (!t) return;
    const training = t;
    if (m.kind === 'score') post({ kind: 'score', id: m.id, result: run(() => scoreFold(training, m.spec, m.fold, m.deadline)) });
    else post({ kind: 'result', id: m.id, result: run(() => finishTraining(training, m.leaderboard, m.warnings, m.deadline, m.oofs, m.search)) });
  } catch (err) {
    fail(m.id, err);
  }
});
