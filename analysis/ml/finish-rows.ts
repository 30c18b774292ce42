// How many rows the finish (refit of the served model, fit of the explained one) can afford, from the measured
// speed of the chosen model's folds; and which rows those are.
import { GBDT_DEFAULTS } from './gbdt.js';
import type { ModelName } from './candidates.js';
import type { Training } from './prepare-training.js';
import { latestRows, seededSubset } from './row-subset.js';
import { trialKey, type TrialParams } from './search-space.js';
import type { FoldScore } from './train-models.js';

/** The measured fit time is multiplied by this: fits on more rows are not perfectly linear, and the machine is shared. */
export const FINISH_SAFETY = 1.5;
/** Share of the finish's time kept for what is not a fit: choosing and calibrating, TreeSHAP, importance, drift, partial dependence. */
export const FINISH_OVERHEAD = 0.25;

/** What the parent needs to size the finish (a pool's parent never holds the data). */
export interface FinishShape {
  /** Every kept row (the refit's most). */
  rows: number;
  /** The non-test rows (the explanation fit's most, with a test split). */
  fitRows: number;
  /** Rows the search's folds used (their union). */
  searchRows: number;
  /** Training rows of each fold, to turn a fold's seconds into seconds per row. */
  foldTrainRows: number[];
  /** Training rows of the explanation split (the non-test rows, or the explained fold's training rows). */
  explainTrainRows: number;
}

/** The shape of a prepared training. */
export function finishShapeOf(t: Training): FinishShape {
  const used = new Uint8Array(t.d.rows);
  for (const f of t.folds) { for (const r of f.train) used[r] = 1; for (const r of f.valid) used[r] = 1; }
  return {
    rows: t.d.rows, fitRows: t.test ? t.test.train.length : t.d.rows, searchRows: used.reduce((s, v) => s + v, 0),
    foldTrainRows: t.folds.map((f) => f.train.length), explainTrainRows: explainSplit(t).split.train.length,
  };
}

/** The rows the refit and the explanation fit use, and the sentence saying why. */
export interface FinishRows { refit: number; explain: number; why: string }

type Member = { model: ModelName | 'ensemble'; params?: TrialParams; members?: { model: ModelName; params: TrialParams }[] };

/** What one fit costs: seconds = fixed + perRow × training rows. */
export interface FitCost { fixed: number; perRow: number }

/**
 * What one fit of `entry` costs, from its trial's measured folds (an ensemble: the sum of its members'). Folds of
 * different sizes (forward-chaining folds grow from 1/(k+1) to k/(k+1) of the rows) give a least-squares line, fixed
 * seconds plus seconds per row, so per-fold costs that do not grow with the rows are not multiplied by millions of
 * rows; folds of one size give seconds per row alone. A GBDT with early stopping runs more rounds on more rows, up to
 * its `maxIter`: the cost is scaled from the rounds the folds ran to all `maxIter` of them (the worst case), so more
 * rows never cost more rounds than were paid for. Null when a member has no measured fold (an old checkpoint).
 */
export function fitCost(entry: Member, done: FoldScore[], foldTrainRows: number[]): FitCost | null {
  const parts = entry.model === 'ensemble' ? entry.members ?? [] : [{ model: entry.model, params: entry.params ?? {} }];
  const cost: FitCost = { fixed: 0, perRow: 0 };
  for (const p of parts) {
    const key = trialKey(p);
    const folds = done.filter((s) => (s.key ?? trialKey({ model: s.model, params: {} })) === key && s.seconds !== undefined && foldTrainRows[s.fold] > 0);
    if (!folds.length) return null;
    const n = folds.map((f) => foldTrainRows[f.fold]), sec = folds.map((f) => f.seconds!);
    const c = line(n, sec);
    if (p.model === 'gbdt') {
      const planned = Number(p.params.maxIter ?? GBDT_DEFAULTS.maxIter);
      const ran = folds.reduce((s, f) => s + (f.iterations ?? planned), 0) / folds.length;
      const more = Math.max(1, planned / Math.max(1, ran));
      c.fixed *= more; c.perRow *= more;
    }
    cost.fixed += c.fixed; cost.perRow += c.perRow;
  }
  return cost;
}

/** Least-squares seconds = fixed + perRow × rows when the sizes differ enough to tell; else proportional. */
function line(n: number[], sec: number[]): FitCost {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const proportional = { fixed: 0, perRow: sum(sec) / sum(n) };
  if (n.length < 3 || Math.max(...n) < 1.5 * Math.min(...n)) return proportional;
  const mn = sum(n) / n.length, ms = sum(sec) / sec.length;
  const perRow = sum(n.map((x, i) => (x - mn) * (sec[i] - ms))) / sum(n.map((x) => (x - mn) ** 2));
  const fixed = ms - perRow * mn;
  // Noise can tilt the line (a negative slope, or a negative intercept): then the plain ratio is the safer estimate.
  return perRow > 0 && fixed >= 0 ? { fixed, perRow } : proportional;
}

/** The fewest rows a finish fits when time is short. */
export const MIN_FINISH_ROWS = 10_000;

/**
 * Rows for the refit (of `shape.rows`) and the explanation fit (of `shape.explainTrainRows`): as many as `msLeft`
 * affords at the measured `cost`, after {@link FINISH_OVERHEAD} and with {@link FINISH_SAFETY}; the two fits run at
 * once with two threads, one after the other with one. Not fewer than the search's share of the rows (what a stage
 * sized by the search alone would have fitted) unless even that would not fit: then what the time affords, at least
 * {@link MIN_FINISH_ROWS}. When the search used every non-test row, or there is no budget,
 * every row. Depends on timing (it runs after the search); nothing that must replay depends on it.
 */
export function finishRows(shape: FinishShape, cost: FitCost | null, msLeft: number | undefined, concurrency: number): FinishRows {
  const all = { refit: shape.rows, explain: shape.explainTrainRows };
  if (shape.searchRows >= shape.fitRows) return { ...all, why: 'the search used every non-test row' };
  if (msLeft === undefined) return { ...all, why: 'no time budget' };
  const share = shape.searchRows / shape.fitRows;
  const floor = { refit: Math.min(shape.rows, Math.round(shape.rows * share)), explain: Math.min(shape.explainTrainRows, Math.round(shape.explainTrainRows * share)) };
  if (cost === null || !(cost.perRow > 0)) return { ...floor, why: 'the chosen model\'s fit time was not measured, so the finish kept the search\'s share of the rows' };
  const seconds = (Math.max(0, msLeft) / 1000) * (1 - FINISH_OVERHEAD) / FINISH_SAFETY;
  // Two threads fit both at once: each may take the whole time. One thread: they share it in proportion.
  const fits = concurrency >= 2 ? 1 : 2;
  const rowsAfforded = Math.max(0, seconds - fits * cost.fixed) / cost.perRow;
  const scale = concurrency >= 2 ? null : Math.min(1, rowsAfforded / (all.refit + all.explain));
  const afford = (most: number, least: number) => Math.max(least, Math.min(most, scale === null ? Math.floor(rowsAfforded) : Math.floor(most * scale)));
  // Below the search's share only when even that does not fit: a stage 46% over its budget (flights-3m, 120 s, an
  // ensemble with a forest priced at 181 s per million rows and 29.5 s left) is worse than a refit on fewer, latest rows.
  const least = (share: number, most: number) => Math.min(share, Math.max(Math.min(MIN_FINISH_ROWS, most), Math.floor(rowsAfforded)));
  const refit = afford(all.refit, least(floor.refit, all.refit)), explain = afford(all.explain, least(floor.explain, all.explain));
  return { refit, explain, why: `${(msLeft / 1000).toFixed(1)} s left; a fit measured on the search's folds at ${cost.fixed.toFixed(2)} s + ${(cost.perRow * 1e6).toFixed(1)} s per million rows, ×${FINISH_SAFETY} for safety` };
}

/** Seconds the finish's fits take on `rows` (and `explainRows`) at `cost`, on `concurrency` threads, before safety and overhead. */
export function fitSeconds(cost: FitCost, rows: number, explainRows: number, concurrency: number): number {
  return concurrency >= 2 ? cost.fixed + cost.perRow * Math.max(rows, explainRows) : 2 * cost.fixed + cost.perRow * (rows + explainRows);
}

/** The explanation split: the test split's training rows, else the last fold for time order (most history), else fold 1. */
export function explainSplit(t: Pick<Training, 'test' | 'folds' | 'validation'>) {
  const fold = t.validation.scheme === 'time' ? t.folds.length - 1 : 0;
  return { split: t.test ?? t.folds[fold], fold };
}

/**
 * `n` of the training rows `rows` (all of them when `n` covers them). Time order: the latest `n` — a model is used
 * on the future, and the most recent history is the closest to it (a seeded subset would spend the rows evenly
 * over older periods). Otherwise a seeded subset (per class for classification), the same for the same seed.
 */
export function finishSubset(t: Pick<Training, 'timeOrder' | 'o' | 'd'>, rows: Int32Array, n: number | undefined, salt: number): Int32Array {
  if (n === undefined || n >= rows.length) return rows;
  if (t.timeOrder) {
    const member = new Uint8Array(t.d.rows);
    for (const r of rows) member[r] = 1;
    return latestRows(t.timeOrder.filter((r) => member[r] === 1), n);
  }
  return seededSubset(rows, n, t.o.seed + salt, t.o.task === 'classification' ? t.d.yCls : undefined);
}
