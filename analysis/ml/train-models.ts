import { DataError } from '../errors.js';
import type { ColumnType } from '../ingest/column-types.js';
import { fitCandidate, predictCandidate, MODEL_NAMES, type FitData, type FittedModel, type ModelName, type Task } from './candidates.js';
import { encode, encodedWidth, fitEncoding, toNumber, type FeatureSpec } from './encoding.js';
import { kFolds, trainIndices } from './folds.js';
import type { Frame } from './load-frame.js';
import { accuracy, higherIsBetter, macroF1, r2, rocAuc, type Metric } from './metrics.js';
import { seededRandom, shuffled } from './random.js';

export interface FoldScore { model: ModelName; fold: number; score: number }
export interface LeaderboardEntry { model: ModelName; cv_mean: number; cv_std: number; folds: number[] }

/** The saved model: everything needed to predict on new rows. */
export interface ModelArtifact {
  version: 1;
  name: ModelName;
  task: Task;
  target: string;
  classes: string[];
  features: FeatureSpec[];
  model: FittedModel;
  metric: Metric;
  cv_mean: number;
}

export interface TrainResult {
  task: Task;
  target: string;
  metric: Metric;
  leaderboard: LeaderboardEntry[];
  best_model: ModelName;
  features: string[];
  excluded: { column: string; reason: string }[];
  importances: { feature: string; importance: number }[];
  rows_used: number;
  warnings: string[];
  artifact: ModelArtifact;
}

export interface TrainOptions {
  frame: Frame;
  target: string;
  task: Task;
  columns: { name: string; type: ColumnType }[];
  cvFolds: number;
  seed: number;
  models?: ModelName[];
  timeBudgetS?: number;
  /** Fold scores finished by an earlier attempt; they are reused, not refitted. */
  done?: FoldScore[];
  /** Called after each fold with the scores so far and the number of folds in all, to heartbeat and checkpoint. */
  onFold?: (done: FoldScore[], total: number) => Promise<void>;
  now?: () => number;
}

export const MAX_CLASSES = 50;

function metricFor(task: Task, classes: number): Metric {
  if (task === 'regression') return 'r2';
  return classes === 2 ? 'roc_auc' : 'macro_f1';
}

function score(metric: Metric, d: FitData, pred: Float64Array, idx: ArrayLike<number>): number {
  const K = d.classes.length;
  if (metric === 'r2') return r2(Array.from(idx, (r) => d.yNum[r]), pred);
  const yTrue = Array.from(idx, (r) => d.yCls[r]);
  if (metric === 'roc_auc') return rocAuc(yTrue, Array.from(idx, (_, k) => pred[k * K + 1]));
  const yPred = Array.from(idx, (_, k) => { let best = 0; for (let c = 1; c < K; c++) if (pred[k * K + c] > pred[k * K + best]) best = c; return best; });
  return metric === 'accuracy' ? accuracy(yTrue, yPred) : macroF1(yTrue, yPred, K);
}

function prepareTarget(frame: Frame, target: string, task: Task) {
  const raw = frame.columns[target];
  if (!raw) throw new DataError('INVALID_TARGET', `The target column '${target}' does not exist.`);
  const keep: number[] = [];
  for (let r = 0; r < frame.rows; r++) if (raw[r] !== null && raw[r] !== undefined && raw[r] !== '') keep.push(r);
  if (task === 'regression') {
    const y = keep.map((r) => toNumber(raw[r]));
    if (y.some((v) => !Number.isFinite(v))) {
      throw new DataError('INVALID_TARGET', `The target '${target}' has non-numeric values; choose task 'classification' or another target.`);
    }
    if (new Set(y).size < 2) throw new DataError('INVALID_TARGET', `The target '${target}' has a single value; there is nothing to predict.`);
    return { keep, classes: [] as string[], yNum: Float64Array.from(y), yCls: new Int32Array(keep.length) };
  }
  const labels = keep.map((r) => String(raw[r]));
  const classes = [...new Set(labels)].sort();
  if (classes.length < 2) throw new DataError('INVALID_TARGET', `The target '${target}' has a single value; there is nothing to predict.`);
  if (classes.length > MAX_CLASSES) {
    throw new DataError('INVALID_TARGET', `The target '${target}' has ${classes.length} classes (at most ${MAX_CLASSES}); choose task 'regression' or another target.`);
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  return { keep, classes, yNum: new Float64Array(keep.length), yCls: Int32Array.from(labels, (l) => index.get(l)!) };
}

/** Drop in held-out score when one feature's values are shuffled: model-agnostic importance. */
function permutationImportance(specs: FeatureSpec[], d: FitData, model: FittedModel, metric: Metric, heldOut: number[], seed: number) {
  const base = score(metric, d, predictCandidate(model, d, heldOut), heldOut);
  const rand = seededRandom(seed + 1);
  const out: { feature: string; importance: number }[] = [];
  let offset = 0;
  for (const s of specs) {
    const w = s.kind === 'numeric' ? 1 : s.categories.length + 1;
    const perm = shuffled(heldOut, rand);
    const X = d.X.slice();
    heldOut.forEach((r, k) => {
      for (let j = 0; j < w; j++) X[r * d.width + offset + j] = d.X[perm[k] * d.width + offset + j];
    });
    const permuted = score(metric, { ...d, X }, predictCandidate(model, { ...d, X }, heldOut), heldOut);
    out.push({ feature: s.name, importance: higherIsBetter(metric) ? base - permuted : permuted - base });
    offset += w;
  }
  return out.sort((a, b) => b.importance - a.importance);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => { const m = mean(xs); return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length); };

/**
 * Cross-validates each candidate with k folds, ranks them, refits the best on all rows and explains it
 * with permutation importance on a held-out fold. Resumable through `done`/`onFold`.
 */
export async function trainModels(o: TrainOptions): Promise<TrainResult> {
  const now = o.now ?? Date.now;
  const started = now();
  const warnings: string[] = [];
  const excluded: { column: string; reason: string }[] = [];
  const featureCols = o.columns.filter((c) => {
    if (c.name === o.target) return false;
    if (c.type === 'identifier') { excluded.push({ column: c.name, reason: 'identifier' }); return false; }
    if (c.type === 'text') { excluded.push({ column: c.name, reason: 'free text (not modeled yet)' }); return false; }
    return true;
  });
  if (featureCols.length === 0) {
    throw new DataError('NO_USABLE_FEATURES', `No column besides the target '${o.target}' can be used as a feature (identifiers and free text are left out).`);
  }
  const t = prepareTarget(o.frame, o.target, o.task);
  const columns: Record<string, unknown[]> = {};
  for (const c of featureCols) columns[c.name] = t.keep.map((r) => o.frame.columns[c.name][r]);
  const rows = t.keep.length;
  if (rows < o.cvFolds * 2) throw new DataError('INVALID_TARGET', `Only ${rows} rows have a target value; at least ${o.cvFolds * 2} are needed for ${o.cvFolds}-fold CV.`);
  if (rows < o.frame.rows) warnings.push(`${o.frame.rows - rows} rows without a target value were left out.`);

  const specs = fitEncoding(columns, featureCols);
  const width = encodedWidth(specs);
  const d: FitData = { X: encode(columns, rows, specs), width, yNum: t.yNum, yCls: t.yCls, classes: t.classes };
  const metric = metricFor(o.task, t.classes.length);
  const folds = kFolds(rows, o.cvFolds, o.seed, o.task === 'classification' ? t.yCls : undefined);
  const names = (o.models?.length ? o.models : [...MODEL_NAMES]).filter((m) => MODEL_NAMES.includes(m));
  if (!names.includes('baseline')) names.unshift('baseline');

  const done = [...(o.done ?? [])];
  let outOfTime = false;
  for (const name of names) {
    for (let f = 0; f < folds.length; f++) {
      if (done.some((s) => s.model === name && s.fold === f)) continue;
      // The baseline always finishes (it is instant), so a leaderboard is never empty.
      if (name !== 'baseline' && o.timeBudgetS && (now() - started) / 1000 > o.timeBudgetS) { outOfTime = true; break; }
      const model = fitCandidate(name, o.task, d, trainIndices(rows, folds[f]));
      done.push({ model: name, fold: f, score: score(metric, d, predictCandidate(model, d, folds[f]), folds[f]) });
      await o.onFold?.(done, names.length * folds.length);
    }
  }
  if (outOfTime) warnings.push(`The time budget of ${o.timeBudgetS} s ran out; the leaderboard lists the candidates that finished every fold.`);
  const leaderboard: LeaderboardEntry[] = names
    .map((model) => ({ model, scores: done.filter((s) => s.model === model).sort((a, b) => a.fold - b.fold).map((s) => s.score) }))
    .filter((e) => e.scores.length === folds.length)
    .map((e) => ({ model: e.model, cv_mean: mean(e.scores), cv_std: std(e.scores), folds: e.scores }))
    .sort((a, b) => (higherIsBetter(metric) ? b.cv_mean - a.cv_mean : a.cv_mean - b.cv_mean));
  const best = leaderboard[0];
  const all = Int32Array.from({ length: rows }, (_, i) => i);
  const finalModel = fitCandidate(best.model, o.task, d, all);
  const explainModel = fitCandidate(best.model, o.task, d, trainIndices(rows, folds[0]));
  return {
    task: o.task, target: o.target, metric, leaderboard, best_model: best.model,
    features: featureCols.map((c) => c.name), excluded,
    importances: permutationImportance(specs, d, explainModel, metric, folds[0], o.seed),
    rows_used: rows, warnings,
    artifact: { version: 1, name: best.model, task: o.task, target: o.target, classes: t.classes, features: specs,
      model: finalModel, metric, cv_mean: best.cv_mean },
  };
}
