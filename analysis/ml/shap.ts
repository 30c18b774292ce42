import type { FittedModel } from './candidates.js';
import type { Preprocessing, Prepared } from './preprocess.js';
import { expectedValue, treeShap } from './tree-shap.js';

/** What the contributions add up to: the prediction itself, the log-odds of the second class, or per-class margins/probabilities. */
export type ExplanationSpace = 'value' | 'log_odds' | 'probability' | 'margin' | 'none';

/** Per-row SHAP contributions per input column (dates gather their parts), `phi[(row * inputs + i) * outputs + k]`. */
export interface Contributions { space: ExplanationSpace; outputs: number; base: number[]; phi: Float64Array }

/** For each engine feature (linear slot or tree feature), the index of the input column it came from. */
function inputIndex(pre: Preprocessing, kind: 'linear' | 'tree'): number[] {
  const pos = new Map(pre.inputs.map((c, i) => [c.name, i]));
  if (kind === 'tree') return pre.binner.map((f) => pos.get(f.input)!);
  const out: number[] = [];
  for (const s of pre.encoding) {
    const w = s.kind === 'numeric' ? 1 : s.categories.length + 1;
    for (let j = 0; j < w; j++) out.push(pos.get(s.name)!);
  }
  return out;
}

/**
 * Exact SHAP values for rows `idx`: TreeSHAP for tree ensembles, w·(x − E[x]) for linear models (exact
 * under feature independence), none for the baseline. `xMean` is the training mean of the linear encoding.
 */
export function explainRows(m: FittedModel, pre: Preprocessing, p: Prepared, idx: ArrayLike<number>, xMean?: number[]): Contributions {
  const inputs = pre.inputs.length;
  if (m.kind === 'gbdt' || m.kind === 'forest') {
    const K = m.kind === 'gbdt' ? m.init.length : m.outputs;
    const F = pre.binner.length;
    const toInput = inputIndex(pre, 'tree');
    const trees = m.kind === 'gbdt' ? m.trees.flatMap((it) => it.map((tree, k) => ({ tree, k }))) : m.trees.map((tree) => ({ tree, k: -1 }));
    const scale = m.kind === 'forest' ? 1 / m.trees.length : 1;
    const base = m.kind === 'gbdt' ? [...m.init] : new Array<number>(K).fill(0);
    for (const { tree, k } of trees) {
      const ev = expectedValue(tree);
      if (k >= 0) base[k] += ev[0]; else ev.forEach((v, j) => { base[j] += v * scale; });
    }
    const phi = new Float64Array(idx.length * inputs * K);
    const local = new Float64Array(F * K), single = new Float64Array(F);
    for (let i = 0; i < idx.length; i++) {
      local.fill(0);
      for (const { tree, k } of trees) {
        if (k >= 0) { single.fill(0); treeShap(tree, p.binned, idx[i], single); for (let f = 0; f < F; f++) local[f * K + k] += single[f]; }
        else treeShap(tree, p.binned, idx[i], local);
      }
      for (let f = 0; f < F; f++) for (let k = 0; k < K; k++) phi[(i * inputs + toInput[f]) * K + k] += local[f * K + k] * scale;
    }
    const space = m.kind === 'forest' ? (m.classification ? 'probability' : 'value') : m.objective === 'binary' ? 'log_odds' : m.objective === 'multiclass' ? 'margin' : 'value';
    return { space, outputs: K, base, phi };
  }
  if (m.kind === 'ridge' || m.kind === 'softmax') {
    const toInput = inputIndex(pre, 'linear');
    const W = m.kind === 'ridge' ? [m.weights] : m.classes.length === 2 ? [m.weights[1].map((w, j) => w - m.weights[0][j])] : m.weights;
    const B = m.kind === 'ridge' ? [m.bias] : m.classes.length === 2 ? [m.bias[1] - m.bias[0]] : m.bias;
    const K = W.length, mean = xMean ?? new Array<number>(p.width).fill(0);
    const base = W.map((w, k) => B[k] + w.reduce((s, wj, j) => s + wj * mean[j], 0));
    const phi = new Float64Array(idx.length * inputs * K);
    for (let i = 0; i < idx.length; i++) {
      const row = idx[i] * p.width;
      for (let j = 0; j < p.width; j++) for (let k = 0; k < K; k++) phi[(i * inputs + toInput[j]) * K + k] += W[k][j] * (p.X[row + j] - mean[j]);
    }
    return { space: m.kind === 'ridge' ? 'value' : K === 1 ? 'log_odds' : 'margin', outputs: K, base, phi };
  }
  return { space: 'none', outputs: 1, base: [0], phi: new Float64Array(idx.length * inputs) };
}

/** Mean |SHAP| per input column over the explained rows (summed over outputs), largest first. */
export function meanAbsShap(c: Contributions, pre: Preprocessing, rows: number): { feature: string; mean_abs_shap: number }[] {
  const inputs = pre.inputs.length;
  const totals = new Float64Array(inputs);
  for (let i = 0; i < rows; i++) for (let j = 0; j < inputs; j++) for (let k = 0; k < c.outputs; k++) totals[j] += Math.abs(c.phi[(i * inputs + j) * c.outputs + k]);
  return pre.inputs.map((f, j) => ({ feature: f.name, mean_abs_shap: totals[j] / Math.max(rows, 1) })).sort((a, b) => b.mean_abs_shap - a.mean_abs_shap);
}
