import { predictCandidate, type FitData, type FittedModel } from './candidates.js';
import { gbdtTreeValues, predictGbdtChanged } from './gbdt.js';
import { toNumber } from './encoding.js';
import { higherIsBetter, type Metric } from './metrics.js';
import { applyPreprocessing, pickRows, type Preprocessing, type Prepared } from './preprocess.js';
import { seededRandom, shuffled } from './random.js';
import { scorePredictions } from './scoring.js';

/** Encoded slots and tree features each input column owns, so permuting an input permutes all of them. */
function slotsOf(pre: Preprocessing, input: string) {
  const linear: number[] = [];
  let offset = 0;
  for (const s of pre.encoding) {
    const w = s.kind === 'numeric' ? 1 : s.categories.length + 1;
    if (s.name === input) for (let j = 0; j < w; j++) linear.push(offset + j);
    offset += w;
  }
  const tree = pre.binner.flatMap((f, j) => (f.input === input ? [j] : []));
  return { linear, tree };
}

/**
 * Drop in held-out score when one input column's values are shuffled (model-agnostic importance).
 * `p` holds only the held-out rows, with targets `y`.
 */
export function permutationImportance(model: FittedModel, pre: Preprocessing, p: Prepared, y: Pick<FitData, 'yNum' | 'yCls' | 'classes'>,
  metric: Metric, seed: number): { feature: string; importance: number }[] {
  const idx = Array.from({ length: p.rows }, (_, i) => i);
  const d = { ...p, ...y };
  const base = scorePredictions(metric, d, predictCandidate(model, d, idx), idx);
  const rand = seededRandom(seed + 1);
  // A boosted model re-walks only the trees that split on the shuffled column (the same predictions, fewer walks).
  const treeValues = model.kind === 'gbdt' ? gbdtTreeValues(model, p.binned, idx) : null;
  return pre.inputs.map(({ name }) => {
    const perm = shuffled(idx, rand);
    const { linear, tree } = slotsOf(pre, name);
    const X = p.X.slice(), bins = p.binned.bins.slice();
    for (let r = 0; r < p.rows; r++) {
      for (const j of linear) X[r * p.width + j] = p.X[perm[r] * p.width + j];
      for (const f of tree) bins[f * p.rows + r] = p.binned.bins[f * p.rows + perm[r]];
    }
    const q = { ...d, X, binned: { ...p.binned, bins } };
    const pred = model.kind === 'gbdt' && treeValues ? predictGbdtChanged(model, q.binned, idx, treeValues, tree) : predictCandidate(model, q, idx);
    const permuted = scorePredictions(metric, q, pred, idx);
    return { feature: name, importance: higherIsBetter(metric) ? base - permuted : permuted - base };
  }).sort((a, b) => b.importance - a.importance);
}

export interface PartialDependence { feature: string; kind: 'numeric' | 'categorical'; grid: (number | string)[]; series: { label: string; values: number[] }[] }

/**
 * Partial dependence: the model's mean prediction over `sample` rows when one input is set to each grid value
 * (up to 20 quantiles of a number, or the 10 most frequent categories). Classification shows class probabilities.
 */
export function partialDependence(model: FittedModel, pre: Preprocessing, columns: Record<string, unknown[]>, sample: number[],
  features: string[], classes: string[]): PartialDependence[] {
  const out: PartialDependence[] = [];
  for (const name of features) {
    const input = pre.inputs.find((c) => c.name === name);
    if (!input || input.type === 'datetime') continue;
    const numeric = input.type === 'integer' || input.type === 'float';
    let grid: (number | string)[];
    if (numeric) {
      // toNumber, not Number: a missing value is not a zero, and must not put 0 on the grid.
      const values = sample.map((r) => toNumber(columns[name][r])).filter(Number.isFinite).sort((a, b) => a - b);
      if (values.length === 0) continue;
      grid = [...new Set(Array.from({ length: 20 }, (_, q) => values[Math.round((q / 19) * (values.length - 1))]))];
    } else {
      const spec = pre.binner.find((f) => f.input === name);
      grid = spec && spec.kind === 'categorical' ? spec.categories.slice(0, 10) : [];
      if (grid.length === 0) continue;
    }
    const base = pickRows(columns, sample);
    const big: Record<string, unknown[]> = {};
    for (const [k, v] of Object.entries(base)) big[k] = grid.flatMap((g) => (k === name ? sample.map(() => g) : v));
    const rows = grid.length * sample.length;
    const p = applyPreprocessing(pre, big, rows);
    const pred = predictCandidate(model, { ...p, classes }, Array.from({ length: rows }, (_, i) => i));
    const K = classes.length || 1;
    const labels = classes.length === 2 ? [classes[1]] : classes.length ? classes : ['prediction'];
    const series = labels.map((label) => {
      const k = classes.length ? classes.indexOf(label) : 0;
      return { label, values: grid.map((_, g) => {
        let s = 0; for (let i = 0; i < sample.length; i++) s += pred[(g * sample.length + i) * K + k];
        return s / sample.length;
      }) };
    });
    out.push({ feature: name, kind: numeric ? 'numeric' : 'categorical', grid, series });
  }
  return out;
}
