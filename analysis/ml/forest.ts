import type { BinnedData } from './binning.js';
import type { Targets } from './gbdt.js';
import { seededRandom } from './random.js';
import { growTree, leafOf, type Tree } from './tree.js';

export interface ForestParams { trees: number; maxDepth: number; minSamplesLeaf: number; maxLeaves: number; featureFraction: number | 'sqrt' }

/**
 * scikit-learn's defaults, except for at most 15,000 leaves a tree (AutoGluon's cap for its forests): unbounded trees
 * on 240k rows of flights had 190k nodes each (2.2 GB for 100 trees; a refit on 1.2M rows ran the worker out of
 * heap), capped ones 30k (221 MB), fitted in 37 s instead of 59 s and scored R² 0.047 instead of 0.040 on later rows.
 * Trees on fewer than ~24k rows never reach the cap.
 */
export const FOREST_DEFAULTS: ForestParams = { trees: 100, maxDepth: 24, minSamplesLeaf: 1, maxLeaves: 15_000, featureFraction: 'sqrt' };

/**
 * A random forest: each tree is averaged, leaves hold class proportions (one output per class, the Gini
 * criterion is variance reduction on one-hot targets) or means.
 */
export interface ForestModel { kind: 'forest'; classification: boolean; /** 1 for regression and two classes (share of the second), else one per class. */ outputs: number; trees: Tree[]; stopped: 'complete' | 'deadline' }

/**
 * Bagged histogram trees with feature subsampling at every split (scikit-learn's RandomForest defaults:
 * √features for classification, all for regression).
 */
export function fitForest(data: BinnedData, y: Targets, rows: Int32Array, classification: boolean, params: Partial<ForestParams>, seed: number,
  opts: { weights?: Float64Array | null; deadline?: number } = {}): ForestModel {
  const p = { ...FOREST_DEFAULTS, ...params };
  const rand = seededRandom(seed);
  // Two classes need one output (the share of the second class): the same splits as Gini, half the work.
  const K = classification && y.classes > 2 ? y.classes : 1;
  const n = data.rows, w = opts.weights ?? null;
  const fraction = p.featureFraction === 'sqrt' ? (classification ? Math.sqrt(data.features) / data.features : 1) : p.featureFraction;
  const grad = new Float64Array(n * K), hess = new Float64Array(n);
  const counts = new Float64Array(n);
  const trees: Tree[] = [];
  let stopped: ForestModel['stopped'] = 'complete';
  for (let t = 0; t < p.trees; t++) {
    if (opts.deadline !== undefined && t > 0 && Date.now() > opts.deadline) { stopped = 'deadline'; break; }
    counts.fill(0);
    for (let i = 0; i < rows.length; i++) counts[rows[Math.floor(rand() * rows.length)]]++;
    const drawn: number[] = [];
    // The targets are centred on the tree's (weighted) mean and the mean added back to its values: variance reduction
    // does not depend on the shift, but the categorical split's smoothing and L2 (tuned for boosting's residuals)
    // do, and on raw targets (IMDB ratings around 6.5) they ranked categories by their size instead of their mean.
    const mean = new Float64Array(K);
    let weight = 0;
    for (const r of rows) {
      if (counts[r] === 0) continue;
      drawn.push(r);
      const c = counts[r] * (w ? w[r] : 1);
      hess[r] = c; weight += c;
      if (classification && K === 1) mean[0] += y.yCls[r] === 1 ? c : 0;
      else if (classification) mean[y.yCls[r]] += c;
      else mean[0] += c * y.yNum[r];
    }
    for (let k = 0; k < K; k++) mean[k] /= weight || 1;
    for (const r of drawn) {
      const c = hess[r];
      if (classification && K === 1) grad[r] = -c * ((y.yCls[r] === 1 ? 1 : 0) - mean[0]);
      else if (classification) for (let k = 0; k < K; k++) grad[r * K + k] = -c * ((y.yCls[r] === k ? 1 : 0) - mean[k]);
      else grad[r] = -c * (y.yNum[r] - mean[0]);
    }
    const { tree } = growTree(data, { outputs: K, grad, hess }, Int32Array.from(drawn),
      { maxLeaves: p.maxLeaves, maxDepth: p.maxDepth, minSamplesLeaf: p.minSamplesLeaf, l2: 0, featureFraction: fraction, rand });
    for (let i = 0; i < tree.value.length; i++) tree.value[i] += mean[i % K];
    trees.push(tree);
  }
  return { kind: 'forest', classification, outputs: K, trees, stopped };
}

/** Averaged leaf values: class probabilities (n × classes) or values. */
export function predictForest(m: ForestModel, data: BinnedData, idx: ArrayLike<number>): Float64Array {
  const K = m.outputs, out = new Float64Array(idx.length * K);
  if (m.classification && K === 1) {
    const two = new Float64Array(idx.length * 2);
    for (const tree of m.trees) for (let i = 0; i < idx.length; i++) two[2 * i + 1] += tree.value[leafOf(tree, data, idx[i])];
    for (let i = 0; i < idx.length; i++) { two[2 * i + 1] /= m.trees.length; two[2 * i] = 1 - two[2 * i + 1]; }
    return two;
  }
  for (const tree of m.trees) {
    for (let i = 0; i < idx.length; i++) {
      const leaf = leafOf(tree, data, idx[i]);
      for (let k = 0; k < K; k++) out[i * K + k] += tree.value[leaf * K + k];
    }
  }
  for (let i = 0; i < out.length; i++) out[i] /= m.trees.length;
  return out;
}
