// The finish of training in independent parts, so a pool runs the refit on all rows (with SHAP) on one thread
// while the other fits the explanation split (with test score, permutation importance and diagnostics).
import { calibrated, calibrationFigures, type CalibrationFigures, type CalibrationReport } from './calibration.js';
import { fitCandidate, predictCandidate, stoppedEarly, type FittedModel, type ModelName } from './candidates.js';
import { modelingCharts, trialCharts } from './charts.js';
import { diagnose, type Diagnostics } from './diagnostics.js';
import { fitDrift, type DriftReference } from './drift.js';
import { partialDependence, permutationImportance } from './explain.js';
import { explainSplit, finishSubset } from './finish-rows.js';
import { fitSeed, type Training } from './prepare-training.js';
import { applyPreprocessing, pickRows, type Prepared } from './preprocess.js';
import { seededRandom, shuffled } from './random.js';
import type { TrialParams } from './search-space.js';
import { scorePredictions } from './scoring.js';
import { explainRows, meanAbsShap, shapRowsFor } from './shap.js';
import type { LeaderboardEntry, TrainResult } from './train-models.js';

const EXPLAIN_ROWS = 5_000;
const SHAP_ROWS = 200;
const PD_ROWS = 200;
const PD_FEATURES = 3;
/** Held-out rows for importance and diagnostics when the refit already spent the budget. */
const LATE_EXPLAIN_ROWS = 1_000;

/** A trial's model fitted earlier on the same rows with the same seed (see {@link explainFit}), if there is one. */
export type FitLookup = (model: ModelName, params: TrialParams) => FittedModel | undefined;

/** One trial's model fitted on rows `idx`, seeded as every fit for `fold` is (the same seed gives the same model). */
function fitTrial(t: Training, model: ModelName, params: TrialParams, idx: Int32Array, fold: number, deadline?: number): FittedModel {
  return fitCandidate(model, t.o.task, t.d, idx, { seed: fitSeed(t.o.seed, model, fold), weights: t.weights, deadline, params });
}

/** The served model's shape: a family's trial, or the ensemble of several fitted on the same rows. */
export function fitEntry(t: Training, e: LeaderboardEntry, idx: Int32Array, fold: number, deadline?: number, fitted?: FitLookup): FittedModel {
  const fit = (model: ModelName, params: TrialParams) => fitted?.(model, params) ?? fitTrial(t, model, params, idx, fold, deadline);
  if (e.model !== 'ensemble') return fit(e.model, e.params ?? {});
  return { kind: 'ensemble', members: e.members!.map((m) => ({ name: m.model, params: m.params, weight: m.weight, model: fit(m.model, m.params) })) };
}

/**
 * One trial fitted on the whole explanation split, exactly as {@link explainPart} fits it when the finish uses every
 * row: a pool thread that would otherwise wait for the search's last fold fits the likely served model ahead.
 */
export function explainFit(t: Training, model: ModelName, params: TrialParams, deadline?: number): FittedModel {
  const { split, fold } = explainSplit(t);
  return fitTrial(t, model, params, split.train, t.test ? -2 : fold, deadline);
}

/**
 * The split that explains the model (the test split, else the last fold for time order, else fold 1) and the
 * rows drawn from it. Both parts replay the same seeded draws in the same order (held-out rows, training sample,
 * SHAP/PD rows), so each gets the rows a single-threaded finish would have drawn.
 */
function explainDraws(t: Training, late: boolean) {
  const { split, fold: explainFold } = explainSplit(t);
  const explainRows_ = late ? LATE_EXPLAIN_ROWS : EXPLAIN_ROWS;
  const rand = seededRandom(t.o.seed + 17);
  const heldOut = split.valid.length > explainRows_ ? shuffled(split.valid, rand).slice(0, explainRows_).sort((a, b) => a - b) : split.valid;
  const trainSample = split.train.length > EXPLAIN_ROWS ? shuffled(Array.from(split.train), rand).slice(0, EXPLAIN_ROWS) : Array.from(split.train);
  const drawn = shuffled(Array.from({ length: t.d.rows }, (_, i) => i), rand).slice(0, SHAP_ROWS);
  return { explainFold, split, heldOut, trainSample, drawn };
}

/** Past the deadline the explanations shrink (fewer rows, one dependence plot) so the stage still ends near its budget. */
const isLate = (deadline?: number) => deadline !== undefined && Date.now() > deadline;

/** The served model refitted on every row (test rows included), its TreeSHAP summary and the linear encoding's mean. */
export interface RefitPart {
  model: FittedModel; stopped: boolean; late: boolean;
  /** Rows the served model was fitted on. */
  rows: number;
  shap: { feature: string; mean_abs_shap: number }[];
  xMean: number[];
  /** Rows for partial dependence (sorted), drawn with the SHAP rows. */
  pdRows: number[];
}

/**
 * Refits `best` on every row, or on `rows` of them (see `finishSubset`: the latest in time order, else a seeded
 * subset), and explains it with TreeSHAP (independent of {@link explainPart}).
 */
export function refitPart(t: Training, best: LeaderboardEntry, deadline?: number, rows?: number): RefitPart {
  const { d, pre } = t;
  const fitted = finishSubset(t, Int32Array.from({ length: d.rows }, (_, i) => i), rows, 307);
  const model = fitEntry(t, best, fitted, -1, deadline);
  const late = isLate(deadline);
  const { drawn } = explainDraws(t, late);
  const xMean = new Array<number>(d.width).fill(0);
  for (let r = 0; r < d.rows; r++) for (let j = 0; j < d.width; j++) xMean[j] += d.X[r * d.width + j] / d.rows;
  const pdRows = [...drawn].sort((a, b) => a - b).slice(0, PD_ROWS);
  const shapSample = drawn.slice(0, late ? Math.min(20, drawn.length) : shapRowsFor(model, SHAP_ROWS)).sort((a, b) => a - b);
  const shap = best.model === 'baseline' ? [] : meanAbsShap(explainRows(model, pre, d, shapSample, xMean), pre, shapSample.length);
  return { model, stopped: stoppedEarly(model), late, shap, xMean, pdRows, rows: fitted.length };
}

/** What the model fitted on the explanation split says: test score, importance, diagnostics, training score. */
export interface ExplainPart {
  testScore: number | null; trainScore: number; late: boolean;
  /** Log loss and Brier on the test split before and after the calibration map; null without a test split or a map. */
  calibrationTest: CalibrationFigures | null;
  importances: { feature: string; importance: number }[];
  diagnostics: Diagnostics;
  drift: DriftReference[];
  explainedOn: string; explainRows: number;
  /** Rows the explained model was fitted on. */
  fitRows: number;
}

/**
 * Fits `best` on the explanation split's training rows (or `rows` of them, chosen as the refit's are) and explains it
 * on held-out rows (independent of {@link refitPart}).
 * Scores (test, training) and diagnostics use the probabilities the model serves: through the calibration map when
 * it is applied. Permutation importance measures the model itself (calibration only rescales its probabilities).
 */
export function explainPart(t: Training, best: LeaderboardEntry, deadline?: number, calibration: CalibrationReport | null = null, rows?: number, ahead?: FitLookup): ExplainPart {
  const { o, d, pre } = t;
  const { split, fold: explainFold } = explainSplit(t);
  const fitted = finishSubset(t, split.train, rows, 401);
  // A model fitted ahead (see `explainFit`) saw the whole split: it stands in only when the finish uses all of it.
  const model = fitEntry(t, best, fitted, t.test ? -2 : explainFold, deadline, fitted === split.train ? ahead : undefined);
  const K = d.classes.length;
  const map = calibration?.applied && calibration.params ? calibration.params : undefined;
  const served = (p: Prepared & { classes: string[] }, idx: ArrayLike<number>) => calibrated(map, predictCandidate(model, p, idx), K);
  const rawTest = t.test ? predictCandidate(model, d, t.test.valid) : null;
  const testScore = t.test ? scorePredictions(t.metric, d, calibrated(map, rawTest!, K), t.test.valid) : null;
  const calibrationTest = t.test && calibration?.params
    ? calibrationFigures(Int32Array.from(t.test.valid, (r) => d.yCls[r]), rawTest!, calibrated(calibration.params, rawTest!, K), K,
      `the ${t.test.valid.length} held-out test rows, the model fitted on the non-test rows, the map fitted on the out-of-fold rows`)
    : null;
  const late = isLate(deadline);
  const { heldOut, trainSample } = explainDraws(t, late);
  const target = { yNum: Float64Array.from(heldOut, (r) => d.yNum[r]), yCls: Int32Array.from(heldOut, (r) => d.yCls[r]), classes: d.classes };
  const held = applyPreprocessing(pre, pickRows(t.columns, heldOut), heldOut.length);
  const importances = permutationImportance(model, pre, held, target, t.metric, o.seed);
  const heldIdx = Array.from({ length: heldOut.length }, (_, i) => i);
  const diagnostics = diagnose(served({ ...held, classes: d.classes }, heldIdx), Array.from(target.yNum), Array.from(target.yCls), d.classes);
  const trainScore = scorePredictions(t.metric, d, served(d, trainSample), trainSample);
  return {
    testScore, trainScore, late, calibrationTest, importances, diagnostics, drift: fitDrift(t.columns, pre.inputs), explainRows: heldOut.length, fitRows: fitted.length,
    explainedOn: t.test ? `${heldOut.length} rows of the held-out test split` : `${heldOut.length} held-out rows of fold ${explainFold + 1}`,
  };
}

/** Puts the two parts together (partial dependence of the refitted model on the most important features) into the stage's result. */
export function assembleResult(t: Training, leaderboard: LeaderboardEntry[], warnings: string[], refit: RefitPart, ex: ExplainPart,
  search: Pick<TrainResult, 'trials' | 'search'>, calibration: CalibrationReport | null = null, finishRule = 'every row'): TrainResult {
  const { o, d, pre } = t;
  const best = leaderboard[0];
  const late = refit.late || ex.late;
  if (refit.stopped) warnings.push(`The time budget ran out while refitting ${best.model} on all rows; the saved model has fewer trees than planned.`);
  if (late) warnings.push('The time budget was spent by the refit; importance, SHAP and partial dependence were computed on fewer rows than usual.');
  const pdFeatures = ex.importances.filter((i) => pre.inputs.find((c) => c.name === i.feature)?.type !== 'datetime').slice(0, late ? 1 : PD_FEATURES).map((i) => i.feature);
  const pd = best.model === 'baseline' ? [] : partialDependence(refit.model, pre, t.columns, refit.pdRows, pdFeatures, d.classes);
  const core = { metric: t.metric, leaderboard, importances: ex.importances, shap_importance: refit.shap, partial_dependence: pd, diagnostics: ex.diagnostics };
  const searchRows = new Set(t.folds.flatMap((f) => [...f.valid, ...f.train])).size;
  return {
    task: o.task, target: o.target, ...core, best_model: best.model,
    features: pre.inputs.map((c) => c.name), excluded: t.excluded, train_score: ex.trainScore,
    validation: { ...t.validation, served_model_rows: refit.rows }, test_score: ex.testScore, ...search,
    calibration: calibration && { ...calibration, test: ex.calibrationTest },
    explained_on: ex.explainedOn,
    charts: [...modelingCharts(core), ...trialCharts(t.metric, search.trials)],
    rows_used: d.rows, rows_by_stage: { search: searchRows, refit: refit.rows, explain: ex.fitRows, explain_scored: ex.explainRows, finish_rule: finishRule }, warnings,
    artifact: { version: 2, name: best.model, task: o.task, target: o.target, classes: d.classes, preprocessing: pre, model: refit.model,
      x_mean: refit.xMean, drift: ex.drift, metric: t.metric, cv_mean: best.cv_mean, seed: o.seed, trained_rows: refit.rows,
      ...(calibration?.applied && calibration.params ? { calibration: calibration.params } : {}) },
  };
}
