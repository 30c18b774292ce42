import { DataError } from '../errors.js';
import type { ColumnType } from '../ingest/column-types.js';
import { MODEL_NAMES, type FitData, type ModelName, type Task } from './candidates.js';
import { toNumber } from './encoding.js';
import { kFolds } from './folds.js';
import type { Frame } from './load-frame.js';
import { findLeaks } from './leakage.js';
import { type Metric } from './metrics.js';
import { applyPreprocessing, fitPreprocessing, type Preprocessing } from './preprocess.js';

export const MAX_CLASSES = 50;
/** Majority-to-minority class ratio from which classes are weighted to balance them. */
export const IMBALANCE_RATIO = 5;

/** What callers pass to train: the table, the target, and the search's options. Plain data (crosses threads). */
export interface TrainOptions {
  frame: Frame;
  target: string;
  task: Task;
  columns: { name: string; type: ColumnType }[];
  cvFolds: number;
  seed: number;
  models?: ModelName[];
  timeBudgetS?: number;
  /** Columns flagged as leaking the target upstream (EDA's LEAKAGE alerts); left out. */
  leakage?: string[];
}

/** Everything derived deterministically from the options: each training thread computes the same. */
export interface Training {
  o: TrainOptions;
  d: FitData;
  pre: Preprocessing;
  /** Raw feature columns of the kept rows (for explanations that re-run preprocessing). */
  columns: Record<string, unknown[]>;
  folds: number[][];
  metric: Metric;
  names: ModelName[];
  weights: Float64Array | null;
  excluded: { column: string; reason: string }[];
  warnings: string[];
}

export function metricFor(task: Task, classes: number): Metric {
  if (task === 'regression') return 'r2';
  return classes === 2 ? 'roc_auc' : 'macro_f1';
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

/**
 * Chooses the features (identifiers, free text and leaking columns are left out, and said so), encodes
 * the rows, draws the folds and, for imbalanced classes, balanced class weights.
 */
export function prepareTraining(o: TrainOptions): Training {
  const warnings: string[] = [];
  const excluded: { column: string; reason: string }[] = [];
  const flagged = new Set(o.leakage ?? []);
  let featureCols = o.columns.filter((c) => {
    if (c.name === o.target) return false;
    if (c.type === 'identifier') { excluded.push({ column: c.name, reason: 'identifier' }); return false; }
    if (c.type === 'text') { excluded.push({ column: c.name, reason: 'free text (not modeled)' }); return false; }
    if (flagged.has(c.name)) { excluded.push({ column: c.name, reason: 'flagged as target leakage by the profile' }); return false; }
    return true;
  });
  const t = prepareTarget(o.frame, o.target, o.task);
  const columns: Record<string, unknown[]> = {};
  for (const c of featureCols) columns[c.name] = t.keep.map((r) => o.frame.columns[c.name][r]);
  const rows = t.keep.length;
  for (const leak of findLeaks(columns, featureCols, o.task, t.yNum, t.yCls, t.classes.length)) {
    excluded.push({ column: leak.column, reason: `target leakage: ${leak.reason}` });
    warnings.push(`'${leak.column}' was left out: ${leak.reason}, which looks like a leak of the target.`);
    featureCols = featureCols.filter((c) => c.name !== leak.column);
    delete columns[leak.column];
  }
  if (featureCols.length === 0) {
    throw new DataError('NO_USABLE_FEATURES', `No column besides the target '${o.target}' can be used as a feature (identifiers, free text and leaking columns are left out).`);
  }
  if (rows < o.cvFolds * 2) throw new DataError('INVALID_TARGET', `Only ${rows} rows have a target value; at least ${o.cvFolds * 2} are needed for ${o.cvFolds}-fold CV.`);
  if (rows < o.frame.rows) warnings.push(`${o.frame.rows - rows} rows without a target value were left out.`);

  const pre = fitPreprocessing(columns, featureCols, o.seed);
  const d: FitData = { ...applyPreprocessing(pre, columns, rows), yNum: t.yNum, yCls: t.yCls, classes: t.classes };
  let weights: Float64Array | null = null;
  if (o.task === 'classification') {
    const counts = new Array<number>(t.classes.length).fill(0);
    for (const c of t.yCls) counts[c]++;
    const ratio = Math.max(...counts) / Math.min(...counts);
    if (ratio >= IMBALANCE_RATIO) {
      weights = Float64Array.from(t.yCls, (c) => rows / (t.classes.length * counts[c]));
      warnings.push(`Classes are imbalanced (${ratio.toFixed(1)} : 1); tree models weight them to balance.`);
    }
  }
  const names = (o.models?.length ? o.models : [...MODEL_NAMES]).filter((m) => MODEL_NAMES.includes(m));
  if (!names.includes('baseline')) names.unshift('baseline');
  return {
    o, d, pre, columns, weights, excluded, warnings, names,
    metric: metricFor(o.task, t.classes.length),
    folds: kFolds(rows, o.cvFolds, o.seed, o.task === 'classification' ? t.yCls : undefined),
  };
}

/** A reproducible seed per (model, fold) so results do not depend on which thread ran what. */
export const fitSeed = (seed: number, model: ModelName, fold: number) => (seed * 1_000_003 + MODEL_NAMES.indexOf(model) * 7_919 + fold * 104_729) >>> 0;
