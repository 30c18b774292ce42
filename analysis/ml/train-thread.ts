// Runs inside a worker thread: prepares the training data once, then scores folds and finishes on request.
import { parentPort, workerData } from 'node:worker_threads';
import { DataError } from '../errors.js';
import { prepareTraining, type Training, type TrainOptions } from './prepare-training.js';
import type { FromThread, ToThread } from './train-pool.js';
import { finishTraining, scoreFold } from './train-models.js';

const post = (m: FromThread) => parentPort!.postMessage(m);
const fail = (id: number | null, err: unknown) => post({
  kind: 'error', id, message: err instanceof Error ? err.message : String(err),
  data: err instanceof DataError ? { code: err.code, details: err.details } : null,
});

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
    if (m.kind === 'score') post({ kind: 'score', id: m.id, result: scoreFold(t, m.spec, m.fold, m.deadline) });
    else post({ kind: 'result', id: m.id, result: finishTraining(t, m.leaderboard, m.warnings, m.deadline, m.oofs, m.search) });
  } catch (err) {
    fail(m.id, err);
  }
});
