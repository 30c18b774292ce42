import type { FittedModel } from './candidates.js';
import type { Preprocessing, Prepared } from './preprocess.js';
import { expectedValue, treeShap } from './tree-shap.js';

/**
 * What the contributions add up to: the prediction itself, the log-odds of the second class, or per-class
 * margins/probabilities, always of the model's own output: a classifier whose artifact carries a calibration map
 * serves probabilities through it, which these do not add up to (the predict answer says so in `explanations.note`).
 */
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
  if (m.kind === 'ensemble') return ensembleContributions(m.members.map((x) => ({ weight: x.weight, c: explainRows(x.model, pre, p, idx, xMean) })), idx.length, inputs);
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

const softmax = (z: number[]) => { const max = Math.max(...z); const e = z.map((v) => Math.exp(v - max)); const s = e.reduce((a, b) => a + b, 0); return e.map((v) => v / s); };
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * A member's contributions moved to the space the ensemble averages in (probabilities, or values). Log-odds
 * and margins are rescaled per row and output by (p − p₀) / (f − f₀), so they still add up exactly to the
 * member's probability minus its base probability; how the change splits among features keeps the member's
 * proportions (an approximation: the link is not linear).
 */
function inProbabilities(c: Contributions, rows: number, inputs: number): Contributions {
  if (c.space === 'value' || c.space === 'probability' || c.space === 'none') return c;
  const K = c.outputs, phi = new Float64Array(c.phi.length);
  const p0 = c.space === 'log_odds' ? [sigmoid(c.base[0])] : softmax(c.base);
  for (let i = 0; i < rows; i++) {
    const F = c.base.map((b, k) => { let s = b; for (let j = 0; j < inputs; j++) s += c.phi[(i * inputs + j) * K + k]; return s; });
    const p = c.space === 'log_odds' ? [sigmoid(F[0])] : softmax(F);
    for (let k = 0; k < K; k++) {
      const df = F[k] - c.base[k];
      const scale = Math.abs(df) > 1e-12 ? (p[k] - p0[k]) / df : p0[k] * (1 - p0[k]);
      for (let j = 0; j < inputs; j++) phi[(i * inputs + j) * K + k] = c.phi[(i * inputs + j) * K + k] * scale;
    }
  }
  return { space: 'probability', outputs: K, base: p0, phi };
}

/**
 * SHAP values of a weighted ensemble: the weighted sum of its members' (each in the ensemble's output
 * space), so base + Σ contributions is the ensemble's prediction for every row.
 */
function ensembleContributions(members: { weight: number; c: Contributions }[], rows: number, inputs: number): Contributions {
  const moved = members.map((m) => ({ weight: m.weight, c: inProbabilities(m.c, rows, inputs) }));
  const K = moved[0].c.outputs;
  const base = new Array<number>(K).fill(0), phi = new Float64Array(rows * inputs * K);
  for (const { weight, c } of moved) {
    c.base.forEach((b, k) => { base[k] += weight * b; });
    for (let i = 0; i < phi.length; i++) phi[i] += weight * c.phi[i];
  }
  const space = moved.some((m) => m.c.space === 'probability') ? 'probability' : 'value';
  return { space, outputs: K, base, phi };
}

/** Tree nodes a model holds (0 for linear models): TreeSHAP's cost per explained row grows with it. */
export function modelNodes(m: FittedModel): number {
  if (m.kind === 'ensemble') return m.members.reduce((s, x) => s + modelNodes(x.model), 0);
  if (m.kind === 'gbdt') return m.trees.reduce((s, it) => s + it.reduce((t, tree) => t + tree.feature.length, 0), 0);
  if (m.kind === 'forest') return m.trees.reduce((s, tree) => s + tree.feature.length, 0);
  return 0;
}

/** Node-rows SHAP importance may spend: 200 rows of 100 default GBDT trees; larger models explain fewer rows (at least 20). */
const SHAP_NODE_ROWS = 1_500_000;
/** Rows to explain for mean |SHAP| importance, so a large ensemble does not spend minutes on it. */
export const shapRowsFor = (m: FittedModel, most: number) => Math.max(Math.min(20, most), Math.min(most, Math.floor(SHAP_NODE_ROWS / Math.max(1, modelNodes(m)))));
