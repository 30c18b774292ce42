import type { FitData } from './candidates.js';
import { higherIsBetter, type Metric } from './metrics.js';
import { seededRandom, shuffled } from './random.js';
import { scorePredictions } from './scoring.js';
import type { TrialSpec } from './search-space.js';

/** A trial's out-of-fold predictions: `folds[f]` holds its predictions for fold f's validation rows, in their order. */
export interface OutOfFold { spec: TrialSpec; key: string; folds: Float64Array[] }

export interface EnsembleSelection {
  members: { spec: TrialSpec; key: string; weight: number }[];
  /** The blend's score on each fold's validation rows. */
  folds: number[];
  /** The best single member's score on the rows the selection used, and the blend's. */
  best_single: number;
  blended: number;
}

/** Rounds of greedy selection (Caruana et al. 2004 use 100 with a large library; a few members need far fewer). */
const ROUNDS = 25;
/** Rows the selection scores on at most (a seeded sample): AUC sorts them once per candidate per round. */
const SELECTION_ROWS = 20_000;

/**
 * Greedy ensemble selection with replacement (Caruana et al.; the ensembles of AutoGluon and auto-sklearn):
 * start empty, and each round add the candidate whose inclusion most improves the averaged out-of-fold
 * predictions; keep the best round. The first round picks the best single candidate, so on the rows it
 * selected on the blend never scores worse than its best member. Weights are the times picked / rounds.
 * `valid[f]` are fold f's validation rows; `width` numbers per row (1 for regression, else classes).
 */
export function selectEnsemble(candidates: OutOfFold[], valid: number[][], d: Pick<FitData, 'yNum' | 'yCls' | 'classes'>, metric: Metric, width: number, seed: number): EnsembleSelection | null {
  if (candidates.length < 2) return null;
  const rows = valid.flat();
  // Every candidate's OOF predictions laid out over `rows` (fold by fold, as valid lists them).
  const full = candidates.map((c) => {
    const out = new Float64Array(rows.length * width);
    let o = 0;
    c.folds.forEach((f) => { out.set(f, o); o += f.length; });
    return out;
  });
  const positions = rows.length > SELECTION_ROWS
    ? shuffled(Array.from({ length: rows.length }, (_, i) => i), seededRandom(seed)).slice(0, SELECTION_ROWS).sort((a, b) => a - b)
    : Array.from({ length: rows.length }, (_, i) => i);
  const sel = Int32Array.from(positions, (i) => rows[i]);
  const gather = (v: Float64Array) => { const out = new Float64Array(positions.length * width); positions.forEach((p, i) => { for (let k = 0; k < width; k++) out[i * width + k] = v[p * width + k]; }); return out; };
  const local = full.map(gather);
  const score = (pred: Float64Array) => scorePredictions(metric, d, pred, sel);
  const better = (a: number, b: number) => (higherIsBetter(metric) ? a > b : a < b);

  const sum = new Float64Array(positions.length * width);
  const trial = new Float64Array(sum.length);
  const counts = new Array<number>(candidates.length).fill(0);
  let best: { score: number; counts: number[] } | null = null;
  const singles = local.map((p) => score(p));
  for (let round = 1; round <= ROUNDS; round++) {
    let pick = -1, pickScore = NaN;
    for (let c = 0; c < candidates.length; c++) {
      for (let i = 0; i < sum.length; i++) trial[i] = (sum[i] + local[c][i]) / round;
      const s = score(trial);
      if (pick < 0 || better(s, pickScore)) { pick = c; pickScore = s; }
    }
    counts[pick]++;
    for (let i = 0; i < sum.length; i++) sum[i] += local[pick][i];
    if (!best || better(pickScore, best.score)) best = { score: pickScore, counts: [...counts] };
  }
  const total = best!.counts.reduce((a, b) => a + b, 0);
  const members = candidates.map((c, i) => ({ spec: c.spec, key: c.key, weight: best!.counts[i] / total })).filter((m) => m.weight > 0);
  if (members.length < 2) return null;
  // The blend scored fold by fold on every validation row (not only the selection sample).
  let offset = 0;
  const folds = valid.map((v) => {
    const blend = new Float64Array(v.length * width);
    candidates.forEach((_, c) => {
      const w = best!.counts[c] / total;
      if (w) for (let i = 0; i < blend.length; i++) blend[i] += w * full[c][offset * width + i];
    });
    offset += v.length;
    return scorePredictions(metric, d, blend, v);
  });
  const bestSingle = singles.reduce((a, b) => (better(b, a) ? b : a));
  return { members, folds, best_single: bestSingle, blended: best!.score };
}
