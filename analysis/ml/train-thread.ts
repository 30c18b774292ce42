// Runs inside a worker thread: waits for a stage, prepares its training data (the first thread) or receives the
// first thread's copy (the others), then scores folds and finishes on request.
import { parentPort } from 'node:worker_threads';
import { DataError } from '../errors.js';
import { unpackFrame } from './frame-transfer.js';
import { setHelperPolicy, startHelper } from './hist-helper.js';
import { prepareTraining, type Training } from './prepare-training.js';
import type { FromThread, StartThread, ThreadData, ToThread } from './train-pool.js';
import type { FittedModel } from './candidates.js';
import { assembleResult, explainFit, explainPart, refitPart } from './finish-parts.js';
import { finishShapeOf } from './finish-rows.js';
import { trialKey } from './search-space.js';
import { calibrateServed } from './served-calibration.js';
import { chooseServed, scoreFold } from './train-models.js';

const post = (m: FromThread) => parentPort!.postMessage(m);
const fail = (id: number | null, err: unknown) => post({
  kind: 'error', id, message: err instanceof Error ? err.message : String(err),
  data: err instanceof DataError ? { code: err.code, details: err.details } : null,
});

// The thread boots before a stage takes it; the stage's first message says what to train on.
let busy: Int32Array | undefined;
const run = <T>(task: () => T): T => {
  if (busy) Atomics.add(busy, 0, 1);
  try { return task(); } finally { if (busy) Atomics.sub(busy, 0, 1); }
};

/** The prepared data: made here from the options, or received from the thread that made it. */
async function training(wd: ThreadData): Promise<Training> {
  const from = wd.from;
  if (from) return new Promise((resolve) => from.once('message', (shared: Training) => { from.close(); resolve(shared); }));
  const prepared = prepareTraining({ ...wd.options!, frame: unpackFrame(wd.frame!) });
  // The frame stays behind: after preparing, everything reads the encoded data and the kept raw columns.
  const shared: Training = { ...prepared, o: { ...prepared.o, frame: { rows: prepared.o.frame.rows, columns: {} } } };
  for (const port of wd.share ?? []) { port.postMessage(shared); port.close(); }
  delete wd.options; delete wd.frame; // the frame goes too (a large table's is hundreds of MB)
  return shared;
}

function start(wd: StartThread) {
  busy = wd.busy;
  // busy[0]: pool threads running a task; busy[1]: cores the pool may use. With ASSAY_FIT_HELPER=1 a lone task's
  // fit splits its histograms with a helper thread (two tasks at once already fill both cores). Off by default:
  // on the shared 2-core machine it was measured no faster (README, "Why some parts are ours").
  if (busy[1] > 1 && process.env.ASSAY_FIT_HELPER === '1') {
    const b = busy;
    setHelperPolicy(() => Atomics.load(b, 0) < b[1]);
    startHelper();
  }
  training(wd).then((prepared) => {
    t = prepared;
    post({ kind: 'ready', names: t.names, folds: t.folds.length, rows: t.d.rows, metric: t.metric, warnings: t.warnings, finish: finishShapeOf(t) });
  }, (err: unknown) => fail(null, err));
}

let t: Training | undefined;
/** Trials this thread fitted ahead on the explanation split (`prefit`), by trial key: the stage's thread ends with the stage. */
const ahead = new Map<string, FittedModel>();
parentPort!.on('message', (m: ToThread | StartThread) => {
  if (m.kind === 'start') return start(m);
  try {
    if (!t) return;
    const training = t;
    if (m.kind === 'score') post({ kind: 'score', id: m.id, result: run(() => scoreFold(training, m.spec, m.fold, m.deadline)) });
    else if (m.kind === 'choose') post({ kind: 'chosen', id: m.id, leaderboard: run(() => chooseServed(training, m.leaderboard, m.warnings, m.oofs, m.trials)), warnings: m.warnings });
    else if (m.kind === 'refit') post({ kind: 'refit', id: m.id, part: run(() => refitPart(training, m.best, m.deadline, m.rows)) });
    else if (m.kind === 'prefit') {
      run(() => { ahead.set(trialKey(m.spec), explainFit(training, m.spec.model, m.spec.params, m.deadline)); });
      post({ kind: 'prefit', id: m.id });
    } else if (m.kind === 'explain') {
      const calibration = run(() => calibrateServed(training, m.best, m.oofs));
      const part = run(() => explainPart(training, m.best, m.deadline, calibration, m.rows, (model, params) => ahead.get(trialKey({ model, params }))));
      post({ kind: 'explain', id: m.id, part, calibration });
    } else post({ kind: 'result', id: m.id, result: run(() => assembleResult(training, m.leaderboard, m.warnings, m.refit, m.explain, m.search, m.calibration, m.finishRule)) });
  } catch (err) {
    fail(m.id, err);
  }
});
