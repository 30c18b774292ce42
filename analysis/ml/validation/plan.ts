import { DataError } from '../../errors.js';
import { groupFolds, randomFolds, timeFolds, withoutRows, type Split } from '../folds.js';
import { seededRandom, shuffled } from '../random.js';

export const VALIDATION_SCHEMES = ['auto', 'kfold', 'stratified', 'time', 'group'] as const;
export type ValidationScheme = (typeof VALIDATION_SCHEMES)[number];
export type SchemeRun = Exclude<ValidationScheme, 'auto'>;

/** What the caller may ask for (`options.validation`); every field optional. */
export interface ValidationOptions {
  scheme?: ValidationScheme;
  folds?: number;
  time_column?: string;
  group_column?: string;
  /** Share of the rows held out as a test split, never seen by selection; default 0.2 from 1,000 rows, else 0. */
  test_fraction?: number;
  /** Rows skipped between training and validation rows (time scheme). */
  gap?: number;
}

/** What ran and why (`modeling.validation`). */
export interface ValidationSummary {
  scheme: SchemeRun;
  folds: number;
  time_column?: string;
  group_column?: string;
  gap?: number;
  test_fraction: number;
  test_rows: number;
  /** Rows the served model was fitted on: all rows, the test split included, after the test was scored. */
  served_model_rows: number;
  reason: string;
}

/** The folds cross-validation runs on, the held-out test split (or null) and what to say about them. */
export interface ValidationPlan {
  summary: ValidationSummary; folds: Split[]; test: Split | null;
  /** Time scheme: every row, oldest first (a finish on fewer rows takes the latest); null otherwise. */
  order: number[] | null;
}

/** Tables from this many rows get a held-out test split by default. */
export const TEST_SPLIT_MIN_ROWS = 1_000;
export const DEFAULT_TEST_FRACTION = 0.2;

/** A column that orders the rows in time, and how we know. */
export interface TimeOrder { column: string; why: string }

/** Picks the scheme: as asked, or for `auto` time → group → stratified → k-fold; with the sentence saying why. */
export function chooseScheme(o: { scheme: ValidationScheme; classification: boolean; time: TimeOrder | null; group_column?: string }): { scheme: SchemeRun; reason: string } {
  const timeReason = o.time
    ? `${o.time.why}, so the folds go forward in time: each trains only on rows up to '${o.time.column}' values before the ones it is scored on, as a model is used on the future`
    : 'the rows are taken in file order, so the folds go forward: each trains only on earlier rows than the ones it is scored on';
  const groupReason = `rows sharing a value of '${o.group_column}' stay on one side of every fold, so the score is for ${o.group_column} values the model has not seen`;
  switch (o.scheme) {
    case 'time': return { scheme: 'time', reason: `Time-ordered validation was asked for: ${timeReason}.` };
    case 'group': return { scheme: 'group', reason: `Grouped validation was asked for: ${groupReason}.` };
    case 'stratified': if (!o.classification) return { scheme: 'kfold', reason: 'Stratified k-fold was asked for, but a regression target has no classes to stratify: shuffled k-fold ran.' };
      return { scheme: 'stratified', reason: 'Stratified k-fold was asked for: every fold keeps each class\'s share of the rows.' };
    case 'kfold': return { scheme: 'kfold', reason: 'Shuffled k-fold was asked for: rows are dealt into folds at random.' };
    default:
      if (o.time) {
        const unused = o.group_column ? ` (group_column '${o.group_column}' is not used: ask for scheme 'group' to keep its rows together instead)` : '';
        return { scheme: 'time', reason: `Chosen automatically: ${timeReason}; shuffled folds would let the model interpolate between neighbouring times and look better than it will be${unused}.` };
      }
      if (o.group_column) return { scheme: 'group', reason: `Chosen automatically because group_column is set: ${groupReason}.` };
      if (o.classification) return { scheme: 'stratified', reason: 'Chosen automatically for classification with no time order or groups: stratified k-fold keeps each class\'s share in every fold.' };
      return { scheme: 'kfold', reason: 'Chosen automatically for regression with no time order or groups: shuffled k-fold.' };
  }
}

const ascending = (a: number, b: number) => a - b;

export interface PlanInput {
  rows: number;
  k: number;
  seed: number;
  scheme: SchemeRun;
  reason: string;
  test_fraction?: number;
  gap?: number;
  /** Class index per row, for stratified schemes. */
  strata?: Int32Array;
  /** Sort key per row (time), for the time scheme; NaN sorts first. Without it, row order. */
  time?: Float64Array;
  time_column?: string;
  /** Group name per row, for the group scheme. */
  group?: string[];
  group_column?: string;
}

/**
 * Draws the held-out test split first (the last rows in time, whole groups, or a stratified/random share),
 * then the cross-validation folds over the remaining rows, so nothing in selection ever sees a test row.
 */
export function planValidation(p: PlanInput): ValidationPlan {
  const fraction = p.test_fraction ?? (p.rows >= TEST_SPLIT_MIN_ROWS ? DEFAULT_TEST_FRACTION : 0);
  const gap = p.scheme === 'time' ? Math.max(0, Math.floor(p.gap ?? 0)) : 0;
  const all = Array.from({ length: p.rows }, (_, i) => i);
  const rand = seededRandom(p.seed + 101);
  let k = p.k;
  let test: number[] = [];
  let folds: Split[];
  let fit: number[];
  if (p.scheme === 'time') {
    const t = p.time;
    const key = (r: number) => (t && Number.isFinite(t[r]) ? t[r] : -Infinity);
    const oldestFirst = t ? [...all].sort((a, b) => key(a) - key(b) || a - b) : all;
    const nTest = Math.round(fraction * p.rows);
    const cut = p.rows - nTest;
    fit = oldestFirst.slice(0, cut);
    if (nTest) test = oldestFirst.slice(cut);
    if (Math.round(fit.length / (k + 1)) - gap < 2) {
      throw new DataError('INVALID_OPTIONS', `${fit.length} rows are too few for ${k} forward-chaining folds with a gap of ${gap}; lower validation.folds or validation.gap.`);
    }
    folds = timeFolds(fit, k, gap);
    const testSplit = test.length ? { train: Int32Array.from(fit.slice(0, Math.max(1, fit.length - gap))).sort(), valid: [...test].sort(ascending) } : null;
    return done(testSplit, oldestFirst);
  }
  if (p.scheme === 'group') {
    const g = p.group!;
    const names = [...new Set(g)].sort();
    if (names.length < 2) throw new DataError('INVALID_OPTIONS', `The group column '${p.group_column}' has ${names.length} value; grouped validation needs at least 2.`);
    if (fraction > 0) {
      const target = fraction * p.rows, chosen = new Set<string>(), sizes = new Map<string, number>();
      for (const v of g) sizes.set(v, (sizes.get(v) ?? 0) + 1);
      let n = 0;
      // Whole groups, at random, until the share is reached; at least one group stays for the folds.
      for (const name of shuffled(names, rand)) {
        if (n >= target || chosen.size >= names.length - 2) break;
        chosen.add(name); n += sizes.get(name)!;
      }
      test = all.filter((r) => chosen.has(g[r]));
    }
    fit = withoutList(all, test);
    const left = new Set(fit.map((r) => g[r])).size;
    if (left < k) k = left;
    folds = groupFolds(fit, (r) => g[r], k, p.seed);
    return done(test.length ? { train: Int32Array.from(fit), valid: test } : null);
  }
  if (fraction > 0) {
    if (p.scheme === 'stratified' && p.strata) {
      const byClass = new Map<number, number[]>();
      for (const r of all) { const c = p.strata[r]; if (!byClass.has(c)) byClass.set(c, []); byClass.get(c)!.push(r); }
      // A loop, not push(...spread): a class of a few hundred thousand rows would overflow the call stack.
      for (const c of [...byClass.keys()].sort(ascending)) for (const r of shuffled(byClass.get(c)!, rand).slice(0, Math.round(fraction * byClass.get(c)!.length))) test.push(r);
    } else {
      test = shuffled(all, rand).slice(0, Math.round(fraction * p.rows));
    }
    test.sort(ascending);
  }
  fit = withoutList(all, test);
  folds = randomFolds(fit, k, p.seed, p.scheme === 'stratified' ? p.strata : undefined);
  return done(test.length ? { train: Int32Array.from(fit), valid: test } : null);

  function done(testSplit: Split | null, order: number[] | null = null): ValidationPlan {
    return {
      folds, test: testSplit, order,
      summary: {
        scheme: p.scheme, folds: k,
        ...(p.time_column && p.scheme === 'time' ? { time_column: p.time_column } : {}),
        ...(p.group_column && p.scheme === 'group' ? { group_column: p.group_column } : {}),
        ...(p.scheme === 'time' ? { gap } : {}),
        test_fraction: testSplit ? fraction : 0, test_rows: testSplit?.valid.length ?? 0, served_model_rows: p.rows, reason: p.reason,
      },
    };
  }
}

function withoutList(rows: number[], drop: number[]): number[] {
  const out = new Set(drop);
  return rows.filter((r) => !out.has(r));
}
