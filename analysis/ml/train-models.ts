import { fitCandidate, predictCandidate, stoppedEarly, type FittedModel, type ModelName, type Task } from './candidates.js';
import { modelingCharts, type ChartSpec } from './charts.js';
import { diagnose, type Diagnostics } from './diagnostics.js';
import { fitDrift, type DriftReference } from './drift.js';
import { partialDependence, permutationImportance, type PartialDependence } from './explain.js';
import { higherIsBetter, type Metric } from './metrics.js';
import { fitSeed, prepareTraining, type Training, type TrainOptions } from './prepare-training.js';
import { applyPreprocessing, pickRows, type Preprocessing } from './preprocess.js';
import { seededRandom, shuffled } from './random.js';
import { scorePredictions } from './scoring.js';
import { explainRows, meanAbsShap } from './shap.js';
import type { ValidationSummary } from './validation/plan.js';

export type { TrainOptions } from './prepare-training.js';

export interface FoldScore { model: ModelName; fold: number; score: number; stopped_early?: boolean }
export interface LeaderboardEntry { model: ModelName; cv_mean: number; cv_std: number; folds: number[] }

/** The saved model: everything needed to validate, encode, predict and explain new rows. */
export interface ModelArtifact {
  version: 2;
  name: ModelName;
  task: Task;
  target: string;
  classes: string[];
  preprocessing: Preprocessing;
  model: FittedModel;
  /** Training mean of the linear encoding (the reference point of linear SHAP values). */
  x_mean: number[];
  drift: DriftReference[];
  metric: Metric;
  cv_mean: number;
  seed: number;
  trained_rows: number;
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
  shap_importance: { feature: string; mean_abs_shap: number }[];
  partial_dependence: PartialDependence[];
  diagnostics: Diagnostics;
  /** Score of the best model on the rows it was fitted on (the non-test rows, or a fold's training rows); a large gap to cv_mean means overfitting. */
  train_score: number;
  /** What validation ran and why. */
  validation: ValidationSummary;
  /** The best model, fitted on every non-test row, scored once on the held-out test split; null without one. */
  test_score: number | null;
  explained_on: string;
  charts: ChartSpec[];
  rows_used: number;
  warnings: string[];
  artifact: ModelArtifact;
}

const EXPLAIN_ROWS = 5_000;
const SHAP_ROWS = 200;
const PD_ROWS = 200;
const PD_FEATURES = 3;

/** Cross-validation score of one candidate on one fold. */
export function scoreFold(t: Training, name: ModelName, fold: number, deadline?: number): FoldScore {
  const { train, valid: heldOut } = t.folds[fold];
  const model = fitCandidate(name, t.o.task, t.d, train, { seed: fitSeed(t.o.seed, name, fold), weights: t.weights, deadline });
  const score = scorePredictions(t.metric, t.d, predictCandidate(model, t.d, heldOut), heldOut);
  return stoppedEarly(model) ? { model: name, fold, score, stopped_early: true } : { model: name, fold, score };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => { const m = mean(xs); return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length); };

/** Ranks the candidates that finished every fold; ties keep the candidates' order. */
export function leaderboardOf(t: Pick<Training, 'names' | 'metric'> & { folds: { length: number } }, done: FoldScore[]): LeaderboardEntry[] {
  return t.names
    .map((model) => ({ model, scores: done.filter((s) => s.model === model).sort((a, b) => a.fold - b.fold).map((s) => s.score) }))
    .filter((e) => e.scores.length === t.folds.length)
    .map((e) => ({ model: e.model, cv_mean: mean(e.scores), cv_std: std(e.scores), folds: e.scores }))
    .sort((a, b) => (higherIsBetter(t.metric) ? b.cv_mean - a.cv_mean : a.cv_mean - b.cv_mean));
}

/**
 * Scores the best candidate on the test split, refits it on all rows and explains it. With a test split the
 * model fitted on the non-test rows gives test_score, permutation importance, diagnostics and the train/held-out
 * gap; without one a fold does (the last for time order, the one with most history, else fold 1). The
 * served model is then refitted on every row, test rows included; SHAP and partial dependence come from it.
 */
export function finishTraining(t: Training, leaderboard: LeaderboardEntry[], warnings: string[], deadline?: number): TrainResult {
  const { o, d, pre } = t;
  const best = leaderboard[0];
  const all = Int32Array.from({ length: d.rows }, (_, i) => i);
  const finalModel = fitCandidate(best.model, o.task, d, all, { seed: fitSeed(o.seed, best.model, -1), weights: t.weights, deadline });
  if (stoppedEarly(finalModel)) warnings.push(`The time budget ran out while refitting ${best.model} on all rows; the saved model has fewer trees than planned.`);
  const explainFold = t.validation.scheme === 'time' ? t.folds.length - 1 : 0;
  const split = t.test ?? t.folds[explainFold];
  const trainIdx = split.train;
  const explainModel = fitCandidate(best.model, o.task, d, trainIdx, { seed: fitSeed(o.seed, best.model, t.test ? -2 : explainFold), weights: t.weights, deadline });
  const testScore = t.test ? scorePredictions(t.metric, d, predictCandidate(explainModel, d, t.test.valid), t.test.valid) : null;

  const rand = seededRandom(o.seed + 17);
  const heldOut = split.valid.length > EXPLAIN_ROWS ? shuffled(split.valid, rand).slice(0, EXPLAIN_ROWS).sort((a, b) => a - b) : split.valid;
  const target = { yNum: Float64Array.from(heldOut, (r) => d.yNum[r]), yCls: Int32Array.from(heldOut, (r) => d.yCls[r]), classes: d.classes };
  const held = applyPreprocessing(pre, pickRows(t.columns, heldOut), heldOut.length);
  const importances = permutationImportance(explainModel, pre, held, target, t.metric, o.seed);
  const heldIdx = Array.from({ length: heldOut.length }, (_, i) => i);
  const diagnostics = diagnose(predictCandidate(explainModel, { ...held, classes: d.classes }, heldIdx), Array.from(target.yNum), Array.from(target.yCls), d.classes);
  const trainSample = trainIdx.length > EXPLAIN_ROWS ? shuffled(Array.from(trainIdx), rand).slice(0, EXPLAIN_ROWS) : Array.from(trainIdx);
  const trainScore = scorePredictions(t.metric, d, predictCandidate(explainModel, d, trainSample), trainSample);

  const xMean = new Array<number>(d.width).fill(0);
  for (let r = 0; r < d.rows; r++) for (let j = 0; j < d.width; j++) xMean[j] += d.X[r * d.width + j] / d.rows;
  const sample = shuffled(Array.from(all), rand).slice(0, SHAP_ROWS).sort((a, b) => a - b);
  const shap = best.model === 'baseline' ? [] : meanAbsShap(explainRows(finalModel, pre, d, sample, xMean), pre, sample.length);
  const pdFeatures = importances.filter((i) => pre.inputs.find((c) => c.name === i.feature)?.type !== 'datetime').slice(0, PD_FEATURES).map((i) => i.feature);
  const pd = best.model === 'baseline' ? [] : partialDependence(finalModel, pre, t.columns, sample.slice(0, PD_ROWS), pdFeatures, d.classes);
  const core = { metric: t.metric, leaderboard, importances, shap_importance: shap, partial_dependence: pd, diagnostics };
  return {
    task: o.task, target: o.target, ...core, best_model: best.model,
    features: pre.inputs.map((c) => c.name), excluded: t.excluded, train_score: trainScore,
    validation: t.validation, test_score: testScore,
    explained_on: t.test ? `${heldOut.length} rows of the held-out test split` : `${heldOut.length} held-out rows of fold ${explainFold + 1}`, charts: modelingCharts(core),
    rows_used: d.rows, warnings,
    artifact: { version: 2, name: best.model, task: o.task, target: o.target, classes: d.classes, preprocessing: pre, model: finalModel,
      x_mean: xMean, drift: fitDrift(t.columns, pre.inputs), metric: t.metric, cv_mean: best.cv_mean, seed: o.seed, trained_rows: d.rows },
  };
}

/** How the candidate × fold tasks get executed: in this thread, or by a pool of worker threads. */
export interface TaskRunner {
  concurrency: number;
  score(name: ModelName, fold: number, deadline?: number): Promise<FoldScore>;
  finish(leaderboard: LeaderboardEntry[], warnings: string[], deadline?: number): Promise<TrainResult>;
}

export interface RunControl {
  /** Fold scores finished by an earlier attempt; they are reused, not refitted. */
  done?: FoldScore[];
  /** Called after each finished fold with the scores so far and the number of tasks in all. */
  onFold?: (done: FoldScore[], total: number) => Promise<void> | void;
  now?: () => number;
}

/** Share of the time budget cross-validation may use; the rest is for the refit and explanations. */
const CV_SHARE = 0.75;

/**
 * Cross-validates every candidate on every fold (reusing finished folds), ranks them and finishes the best.
 * `time_budget_s` is honoured: no new fit starts after 75% of it, running fits stop adding trees, and the
 * refit gets the rest. The baseline always finishes (it is instant), so a leaderboard is never empty.
 */
export async function runTraining(t: Pick<Training, 'names' | 'metric' | 'warnings' | 'o'> & { folds: { length: number } }, runner: TaskRunner, c: RunControl = {}): Promise<TrainResult> {
  const now = c.now ?? Date.now;
  const started = now(), wallStart = Date.now();
  const budgetMs = t.o.timeBudgetS ? t.o.timeBudgetS * 1000 : undefined;
  const cvDeadline = budgetMs ? wallStart + budgetMs * CV_SHARE : undefined;
  const done = [...(c.done ?? [])];
  const total = t.names.length * t.folds.length;
  const queue: { name: ModelName; fold: number }[] = [];
  for (const name of t.names) for (let f = 0; f < t.folds.length; f++) if (!done.some((s) => s.model === name && s.fold === f)) queue.push({ name, fold: f });
  let outOfTime = false;
  const work = async () => {
    for (let task = queue.shift(); task; task = queue.shift()) {
      if (task.name !== 'baseline' && budgetMs && now() - started > budgetMs * CV_SHARE) { outOfTime = true; continue; }
      const s = await runner.score(task.name, task.fold, task.name === 'baseline' ? undefined : cvDeadline);
      done.push(s);
      await c.onFold?.(done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, runner.concurrency) }, work));
  const warnings = [...t.warnings];
  if (outOfTime) warnings.push(`The time budget of ${t.o.timeBudgetS} s ran out; the leaderboard lists the candidates that finished every fold.`);
  const truncated = [...new Set(done.filter((s) => s.stopped_early).map((s) => s.model))];
  if (truncated.length) warnings.push(`The time budget cut ${truncated.join(', ')} short: some folds were scored with fewer trees than planned.`);
  const leaderboard = leaderboardOf(t, done);
  return runner.finish(leaderboard, warnings, budgetMs ? wallStart + budgetMs * 0.95 : undefined);
}

/** A runner that does everything in the calling thread (tests, and tables too small to be worth threads). */
export function inProcessRunner(t: Training): TaskRunner {
  return {
    concurrency: 1,
    score: async (name, fold, deadline) => scoreFold(t, name, fold, deadline),
    finish: async (lb, warnings, deadline) => finishTraining(t, lb, warnings, deadline),
  };
}

/**
 * Trains in the calling thread: cross-validates, ranks, refits and explains. Resumable through `done`/`onFold`.
 * @example const r = await trainModels({ frame, target: 'y', task: 'regression', columns, cvFolds: 5, seed: 1 });
 */
export async function trainModels(o: TrainOptions & RunControl): Promise<TrainResult> {
  const t = prepareTraining(o);
  return runTraining(t, inProcessRunner(t), o);
}
