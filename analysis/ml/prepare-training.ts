import { DataError } from '../errors.js';
import type { ColumnType } from '../ingest/column-types.js';
import { MODEL_NAMES, type FitData, type ModelName, type Task } from './candidates.js';
import { toNumber } from './encoding.js';
import type { Split } from './folds.js';
import type { Frame } from './load-frame.js';
import { findLeaks, LEAK_REASON_PREFIX } from './leakage.js';
import { repeatedIdsIn, ungroupedWarning } from './validation/repeated-ids.js';
import { CLASSIFICATION_METRICS, metricNamed, REGRESSION_METRICS, type Metric, type MetricOption } from './metrics.js';
import { chooseScheme, planValidation, type TimeOrder, type ValidationOptions, type ValidationPlan, type ValidationSummary } from './validation/plan.js';
import { applyPreprocessing, fitPreprocessing, type Preprocessing } from './preprocess.js';
import { seededSubset, within } from './row-subset.js';

export const MAX_CLASSES = 50;
/** Majority-to-minority class ratio from which classes are weighted to balance them. */
export const IMBALANCE_RATIO = 5;
/**
 * Largest ratio between two classes' weights. Fully balanced weights for a 1-in-1,000 class put one row at
 * ~1,300× another: trees then carve leaves around single rows and their probabilities go to extremes.
 */
export const MAX_WEIGHT_RATIO = 10;

/** What callers pass to train: the table, the target, and the search's options. Plain data (crosses threads). */
export interface TrainOptions {
  frame: Frame;
  target: string;
  task: Task;
  /** The table's columns; yes/no words read as booleans carry their spellings, so class labels keep them. */
  columns: { name: string; type: ColumnType; bool_labels?: { true: string; false: string } }[];
  cvFolds: number;
  seed: number;
  models?: ModelName[];
  timeBudgetS?: number;
  /** The leakage threshold (`alert_thresholds.leakage`; default LEAK_THRESHOLD): the rule is applied to the non-test rows here. */
  leakThreshold?: number;
  /** Trials the search may run beyond each family's defaults (without a time budget the search runs only when this is set). */
  maxTrials?: number;
  /** How to validate; `validation.folds` wins over `cvFolds`. */
  validation?: ValidationOptions;
  /** A datetime column the profile found ordering the rows (it sees the whole table; a sample loses the order). */
  timeHint?: TimeOrder;
  /** The metric selection optimises; by default R² (regression), ROC AUC (two classes) or macro F1. */
  metric?: MetricOption;
  /** Columns the caller asked to leave out. */
  ignoreColumns?: string[];
  /**
   * Rows the search's cross-validation may use (the budget's rule, `sampleRowsFor`): when the non-test rows are more,
   * the folds are cut to a seeded subset of this many, and the finish fits on as many rows as the time left affords.
   */
  searchRows?: number;
  /** The class that counts as positive for two-class metrics (ROC AUC); by default the later label in sort order. */
  positiveClass?: string;
}

/** Everything derived deterministically from the options: each training thread computes the same. */
export interface Training {
  o: TrainOptions;
  d: FitData;
  pre: Preprocessing;
  /** Raw feature columns of the kept rows (for explanations that re-run preprocessing). */
  columns: Record<string, unknown[]>;
  /** Cross-validation splits over the non-test rows (over a seeded subset of them when `o.searchRows` is smaller). */
  folds: Split[];
  /** Time scheme: every kept row, oldest first (a finish on fewer rows takes the latest); null otherwise. */
  timeOrder: Int32Array | null;
  /** The held-out test split: trained on every non-test row, scored once on the test rows; null without one. */
  test: Split | null;
  validation: ValidationSummary;
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

/** The target's rows, classes and encoded values (labels as the user wrote them); throws DataError when it cannot be modelled. */
export function prepareTarget(frame: Frame, target: string, task: Task, positiveClass?: string, boolLabels?: { true: string; false: string }) {
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
  // Labels as the user wrote them: a yes/no target read as booleans goes back as "yes"/"no", not true/false.
  const spell = (v: unknown) => (boolLabels && typeof v === 'boolean' ? boolLabels[v ? 'true' : 'false'] : String(v));
  const labels = keep.map((r) => spell(raw[r]));
  let classes = [...new Set(labels)].sort();
  if (positiveClass !== undefined) {
    if (!classes.includes(positiveClass)) {
      throw new DataError('INVALID_OPTIONS', `positive_class '${positiveClass}' is not a value of '${target}'; its values are ${classes.slice(0, 20).map((c) => `'${c}'`).join(', ')}.`, { classes: classes.slice(0, 50) });
    }
    // Two-class metrics score class index 1 as the positive one.
    if (classes.length === 2) classes = [classes.find((c) => c !== positiveClass)!, positiveClass];
  }
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
  const ignored = new Set(o.ignoreColumns ?? []);
  let featureCols = o.columns.filter((c) => {
    if (c.name === o.target) return false;
    if (c.type === 'identifier') { excluded.push({ column: c.name, reason: 'identifier' }); return false; }
    if (c.type === 'text') { excluded.push({ column: c.name, reason: 'free text (not modeled)' }); return false; }
    if (ignored.has(c.name)) { excluded.push({ column: c.name, reason: 'ignored on request (options.ignore_columns)' }); return false; }
    return true;
  });
  const t = prepareTarget(o.frame, o.target, o.task, o.positiveClass, o.columns.find((c) => c.name === o.target)?.bool_labels);
  if (o.positiveClass !== undefined && t.classes.length > 2) warnings.push(`positive_class '${o.positiveClass}' applies to two-class targets; '${o.target}' has ${t.classes.length} classes, so it was not used.`);
  const columns: Record<string, unknown[]> = {};
  // Every row kept (the usual case): the frame's own arrays, not copies (nothing below writes to them).
  const allKept = t.keep.length === o.frame.rows;
  for (const c of featureCols) columns[c.name] = allKept ? o.frame.columns[c.name] : t.keep.map((r) => o.frame.columns[c.name][r]);
  const rows = t.keep.length;
  const k = o.validation?.folds ?? o.cvFolds;
  if (rows < k * 2) throw new DataError('INVALID_TARGET', `Only ${rows} rows have a target value; at least ${k * 2} are needed for ${k}-fold CV.`);
  // The test split is drawn first: the leak check and class weights below see only the other rows.
  const plan = validationPlan(o, t.keep, t.yCls, k);
  if (plan.summary.scheme !== 'group') {
    for (const r of repeatedIdsIn(o.frame.columns, o.columns.map((c) => c.name).filter((n) => n !== o.target))) warnings.push(ungroupedWarning(r));
  }
  const inTest = new Uint8Array(rows);
  for (const r of plan.test?.valid ?? []) inTest[r] = 1;
  const fitRows = plan.test ? Array.from(plan.test.train) : null;
  const fitColumns = fitRows ? Object.fromEntries(featureCols.map((c) => [c.name, fitRows.map((r) => columns[c.name][r])])) : columns;
  const leaks = fitRows
    ? findLeaks(fitColumns, featureCols, o.task, Float64Array.from(fitRows, (r) => t.yNum[r]), Int32Array.from(fitRows, (r) => t.yCls[r]), t.classes.length, o.leakThreshold)
    : findLeaks(columns, featureCols, o.task, t.yNum, t.yCls, t.classes.length, o.leakThreshold);
  for (const leak of leaks) {
    excluded.push({ column: leak.column, reason: `${LEAK_REASON_PREFIX}${leak.reason}` });
    warnings.push(`'${leak.column}' was left out: ${leak.reason}, which looks like a leak of the target.`);
    featureCols = featureCols.filter((c) => c.name !== leak.column);
    delete columns[leak.column];
  }
  if (featureCols.length === 0) {
    throw new DataError('NO_USABLE_FEATURES', `No column besides the target '${o.target}' can be used as a feature (identifiers, free text and leaking columns are left out).`);
  }
  if (rows < o.frame.rows) warnings.push(`${o.frame.rows - rows} rows without a target value were left out.`);

  const pre = fitPreprocessing(columns, featureCols, o.seed);
  const d: FitData = { ...applyPreprocessing(pre, columns, rows), yNum: t.yNum, yCls: t.yCls, classes: t.classes };
  let weights: Float64Array | null = null;
  if (o.task === 'classification') {
    const counts = new Array<number>(t.classes.length).fill(0);
    t.yCls.forEach((c, r) => { if (!inTest[r]) counts[c]++; });
    const ratio = Math.max(...counts) / Math.max(1, Math.min(...counts));
    if (ratio >= IMBALANCE_RATIO) {
      const seen = rows - (plan.test?.valid.length ?? 0);
      const balanced = counts.map((n) => seen / (t.classes.length * Math.max(1, n)));
      const floor = Math.min(...balanced);
      const capped = balanced.map((w) => Math.min(w, floor * MAX_WEIGHT_RATIO));
      // Scaled back to a mean weight of 1 over the rows that train, so leaf sizes and regularisation keep their meaning.
      const mean = counts.reduce((sum, n, c) => sum + n * capped[c], 0) / seen;
      weights = Float64Array.from(t.yCls, (c) => capped[c] / mean);
      const cut = ratio > MAX_WEIGHT_RATIO ? `, capped at ${MAX_WEIGHT_RATIO} : 1 so rare rows do not dominate` : '';
      warnings.push(`Classes are imbalanced (${ratio.toFixed(1)} : 1); tree models weight them towards balance${cut}.`);
    }
  }
  const names = (o.models?.length ? o.models : [...MODEL_NAMES]).filter((m) => MODEL_NAMES.includes(m));
  if (!names.includes('baseline')) names.unshift('baseline');
  if (plan.summary.folds < k) warnings.push(`Only ${plan.summary.folds} groups of '${plan.summary.group_column}' are left for cross-validation, so ${plan.summary.folds} folds ran instead of ${k}.`);
  return {
    o, d, pre, columns, weights, excluded, warnings, names,
    metric: chosenMetric(o, t.classes.length, warnings),
    folds: searchFolds(o, plan, rows, o.task === 'classification' ? t.yCls : undefined), test: plan.test, validation: plan.summary,
    timeOrder: plan.order && Int32Array.from(plan.order),
  };
}

/**
 * The folds the search cross-validates on. When the non-test rows outnumber `o.searchRows`, each fold's training and
 * validation rows are intersected with one seeded subset of them (per class for classification): a subset of a
 * forward-chaining fold still never trains on a later row, a subset of a grouped fold still keeps each group on one
 * side, and the strata keep their shares. The subset depends only on the seed and the rows, so a resumed stage
 * rebuilds the same folds. (`modeling.rows_by_stage` and the train activity's warning say how many rows each stage used.)
 */
function searchFolds(o: TrainOptions, plan: ValidationPlan, rows: number, strata: Int32Array | undefined): Split[] {
  const fitRows = plan.test ? plan.test.train.length : rows;
  if (o.searchRows === undefined || fitRows <= o.searchRows) return plan.folds;
  const nonTest = plan.test ? plan.test.train : Int32Array.from({ length: rows }, (_, i) => i);
  const keep = new Uint8Array(rows);
  for (const r of seededSubset(nonTest, o.searchRows, o.seed + 211, strata)) keep[r] = 1;
  const folds = plan.folds.map((f) => ({ train: Int32Array.from(within(f.train, keep)), valid: within(f.valid, keep) }));
  // Too few rows left on either side of some fold: search on every row rather than on folds that cannot score.
  if (folds.some((f) => f.train.length < 2 || f.valid.length < 1)) return plan.folds;
  return folds;
}

/** The metric asked for when it fits the task; otherwise the default, with a warning. */
function chosenMetric(o: TrainOptions, classes: number, warnings: string[]): Metric {
  const fallback = metricFor(o.task, classes);
  if (!o.metric) return fallback;
  const m = metricNamed(o.metric);
  const fits = o.task === 'regression' ? REGRESSION_METRICS : CLASSIFICATION_METRICS;
  if (fits.includes(m)) return m;
  warnings.push(`The metric ${o.metric} does not apply to ${o.task}; models were ranked by ${fallback} instead (choose one of ${fits.join(', ')}).`);
  return fallback;
}

/** Does a datetime column order the rows of the frame (values never decrease, nulls aside)? */
export function orderingColumn(o: Pick<TrainOptions, 'frame' | 'columns' | 'target'>): string | null {
  for (const c of o.columns) {
    if (c.type !== 'datetime' || c.name === o.target || !o.frame.columns[c.name]) continue;
    let prev = -Infinity, distinct = 0, ok = true;
    for (const v of o.frame.columns[c.name]) {
      const x = toNumber(v);
      if (!Number.isFinite(x)) continue;
      if (x < prev) { ok = false; break; }
      if (x > prev) distinct++;
      prev = x;
    }
    if (ok && distinct >= 10) return c.name;
  }
  return null;
}

/** The test split and folds for the kept rows (`keep`: frame row of each training row). */
function validationPlan(o: TrainOptions, keep: number[], yCls: Int32Array, k: number): ValidationPlan {
  const v = o.validation ?? {};
  const names = new Set(o.columns.map((c) => c.name));
  for (const [field, col] of [['time_column', v.time_column], ['group_column', v.group_column]] as const) {
    if (col !== undefined && (!names.has(col) || !o.frame.columns[col])) {
      throw new DataError('INVALID_OPTIONS', `validation.${field}: column '${col}' does not exist.`, { columns: [...names].slice(0, 100) });
    }
  }
  if (v.scheme === 'group' && !v.group_column) throw new DataError('INVALID_OPTIONS', 'validation.scheme \'group\' needs validation.group_column: the column whose rows must stay together.');
  const detected = orderingColumn(o);
  const time: TimeOrder | null = v.time_column ? { column: v.time_column, why: `'${v.time_column}' was named as the time column` }
    : o.timeHint ?? (detected ? { column: detected, why: `'${detected}' orders the rows` } : null);
  const classification = o.task === 'classification';
  const { scheme, reason } = chooseScheme({ scheme: v.scheme ?? 'auto', classification, time, group_column: v.group_column });
  const timeCol = scheme === 'time' ? time?.column : undefined;
  return planValidation({
    rows: keep.length, k, seed: o.seed, scheme, reason, test_fraction: v.test_fraction, gap: v.gap,
    strata: classification ? yCls : undefined,
    time: timeCol ? Float64Array.from(keep, (r) => toNumber(o.frame.columns[timeCol][r])) : undefined, time_column: timeCol,
    group: scheme === 'group' ? keep.map((r) => String(o.frame.columns[v.group_column!][r] ?? '')) : undefined, group_column: v.group_column,
  });
}

/** A reproducible seed per (model, fold) so results do not depend on which thread ran what. */
export const fitSeed = (seed: number, model: ModelName, fold: number) => (seed * 1_000_003 + MODEL_NAMES.indexOf(model) * 7_919 + fold * 104_729) >>> 0;
