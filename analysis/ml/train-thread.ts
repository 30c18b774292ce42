// Runs inside a worker thread: prepares the training data (the first thread) or receives the first thread's copy
// (the others), then scores folds and finishes on request.
import { parentPort, workerData } from 'node:worker_threads';
import { DataError } from '../errors.js';
import { setHelperPolicy, startHelper } from './hist-helper.js';
import { prepareTraining, type Training } from './prepare-training.js';
import type { FromThread, ThreadData, ToThread } from './train-pool.js';
import { assembleResult, explainPart, refitPart } from './finish-parts.js';
import { finishShapeOf } from './finish-rows.js';
import { calibrateServed } from './served-calibration.js';
import { chooseServed, scoreFold } from './train-models.js';

const post = (m: FromThread) => parentPort!.postMessage(m);
const fail = (id: number | null, err: unknown) => post({
  kind: 'error', id, message: err instanceof Error ? err.message : String(err),
  data: err instanceof DataError ? { code: err.code, details: err.details } : null,
});

// busy[0]: pool threads running a task; busy[1]: cores the pool may use. With ASSAY_FIT_HELPER=1 a lone task's
// fit splits its histograms with a helper thread (two tasks at once already fill both cores). Off by default:
// on the shared 2-core machine it was measured no faster (README, "Why some parts are ours").
const wd = workerData as ThreadData;
const busy = wd.busy as Int32Array | undefined;
if (busy && busy[1] > 1 && process.env.ASSAY_FIT_HELPER === '1') {
  setHelperPolicy(() => Atomics.load(busy, 0) < busy[1]);
  startHelper();
}
const run = <T>(task: () => T): T => {
  if (busy) Atomics.add(busy, 0, 1);
  try { return task(); } finally { if (busy) Atomics.sub(busy, 0, 1); }
};

/** The prepared data: made here from the options, or received from the thread that made it. */
async function training(): Promise<Training> {
  const from = wd.from;
  if (from) return new Promise((resolve) => from.once('message', (shared: Training) => { from.close(); resolve(shared); }));
  const prepared = prepareTraining(wd.options!);
  // The frame stays behind: after preparing, everything reads the encoded data and the kept raw columns.
  const shared: Training = { ...prepared, o: { ...prepared.o, frame: { rows: prepared.o.frame.rows, columns: {} } } };
  for (const port of wd.share ?? []) { port.postMessage(shared); port.close(); }
  delete wd.options; // this thread's copy of the frame goes too (a large table's is hundreds of MB)
  return shared;
}

let t: Training | undefined;
training().then((prepared) => {
  t = prepared;
  post({ kind: 'ready', names: t.names, folds: t.folds.length, rows: t.d.rows, metric: t.metric, warnings: t.warnings, finish: finishShapeOf(t) });
}, (err: unknown) => fail(null, err));
parentPort!.on('message', (m: ToThread) => {
  try {
    if (!t) return;
    const training = t;
    if (m.kind === 'score') post({ kind: 'score', id: m.id, result: run(() => scoreFold(training, m.spec, m.fold, m.deadline)) });
    else if (m.kind === 'choose') {
      const leaderboard = run(() => chooseServed(training, m.leaderboard, m.warnings, m.oofs));
      post({ kind: 'chosen', id: m.id, leaderboard, warnings: m.warnings, calibration: run(() => calibrateServed(training, leaderboard[0], m.oofs)) });
    } else if (m.kind === 'refit') post({ kind: 'refit', id: m.id, part: run(() => refitPart(training, m.best, m.deadline, m.rows)) });
    else if (m.kind === 'explain') post({ kind: 'explain', id: m.id, part: run(() => explainPart(training, m.best, m.deadline, m.calibration, m.rows)) });
    else post({ kind: 'result', id: m.id, result: run(() => assembleResult(training, m.leaderboard, m.warnings, m.refit, m.explain, m.search, m.calibration, m.finishRule)) });
  } catch (err) {
    fail(m.id, err);
  }
});
