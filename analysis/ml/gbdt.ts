import type { BinnedData } from './binning.js';
import { median as ssMedian } from 'simple-statistics';
import { sampleSorted, seededRandom } from './random.js';
import { SharedHistograms } from './hist-helper.js';
import { addLeafValues, growTree, leafOf, rowMajorBins, TreeScratch, type Tree } from './tree.js';

/** What a model predicts: one number, the log-odds of class 1, or one margin per class. */
export type Objective = 'squared_error' | 'absolute_error' | 'binary' | 'multiclass';

export interface GbdtParams {
  learningRate: number;
  maxIter: number;
  maxLeaves: number;
  maxDepth: number;
  minSamplesLeaf: number;
  l2: number;
  /** Fraction of rows drawn (without replacement) for each iteration. */
  subsample: number;
  /** Fraction of features each iteration may use. */
  colsample: number;
  /** 'auto' holds out a validation split when there are more than 10,000 training rows, as scikit-learn does. */
  earlyStopping: 'auto' | boolean;
  validationFraction: number;
  nIterNoChange: number;
  tol: number;
}

export const GBDT_DEFAULTS: GbdtParams = {
  learningRate: 0.1, maxIter: 100, maxLeaves: 31, maxDepth: Infinity, minSamplesLeaf: 20, l2: 0,
  subsample: 1, colsample: 1, earlyStopping: 'auto', validationFraction: 0.1, nIterNoChange: 10, tol: 1e-7,
};

/** A fitted boosted ensemble: `init` margins plus, per iteration, one tree per margin (learning rate folded into leaves). */
export interface GbdtModel {
  kind: 'gbdt';
  objective: Objective;
  init: number[];
  trees: Tree[][];
  iterations: number;
  stopped: 'max_iter' | 'early_stopping' | 'deadline';
}

export interface Targets { yNum: Float64Array; yCls: Int32Array; classes: number }

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Largest boosting node split over its present bins (small-split.ts), lower than a forest's 512: a boosted tree has
 * 31 leaves, so its small nodes are few and the dense histogram (built by the WebAssembly kernel, scanned once)
 * costs no more. Measured on one 80,000 × 20 binary fit, medians of 5 (a one-off script, two runs): 512 → 1.25–1.32 s,
 * 128 → 1.19 s, dense only → 1.18–1.19 s; the trees are the same either way. In `npm run bench:ml` the 100k fit on
 * one thread measured 1.72 s after this change and the pass it came with (README: 1.97 s in an earlier run).
 */
const BOOSTING_SMALL_NODE_ROWS = 128;

const median = (values: number[]) => (values.length ? ssMedian(values) : 0);

/** Per-row loss of margins `F` (used for early stopping). */
function loss(obj: Objective, F: Float64Array, K: number, y: Targets, rows: ArrayLike<number>, w: Float64Array | null): number {
  let s = 0, ws = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i], wr = w ? w[r] : 1;
    let l: number;
    if (obj === 'squared_error') l = (F[r] - y.yNum[r]) ** 2;
    else if (obj === 'absolute_error') l = Math.abs(F[r] - y.yNum[r]);
    else if (obj === 'binary') { const z = F[r]; l = Math.max(z, 0) - z * y.yCls[r] + Math.log1p(Math.exp(-Math.abs(z))); }
    else {
      let max = -Infinity; for (let k = 0; k < K; k++) max = Math.max(max, F[r * K + k]);
      let sum = 0; for (let k = 0; k < K; k++) sum += Math.exp(F[r * K + k] - max);
      l = max + Math.log(sum) - F[r * K + y.yCls[r]];
    }
    s += wr * l; ws += wr;
  }
  return s / Math.max(ws, 1e-12);
}

function initialMargins(obj: Objective, y: Targets, rows: Int32Array, w: Float64Array | null): number[] {
  const W = (r: number) => (w ? w[r] : 1);
  if (obj === 'squared_error') { let s = 0, ws = 0; for (const r of rows) { s += W(r) * y.yNum[r]; ws += W(r); } return [s / ws]; }
  if (obj === 'absolute_error') return [median(Array.from(rows, (r) => y.yNum[r]))];
  const counts = new Float64Array(y.classes);
  let total = 0;
  for (const r of rows) { counts[y.yCls[r]] += W(r); total += W(r); }
  const p = Array.from(counts, (c) => Math.min(Math.max(c / total, 1e-12), 1 - 1e-12));
  return obj === 'binary' ? [Math.log(p[1] / p[0])] : p.map(Math.log);
}

/** A stratified (by class) or plain random split of `rows` into train and validation parts. */
function holdOut(rows: Int32Array, fraction: number, y: Targets, obj: Objective, rand: () => number) {
  const groups = new Map<number, number[]>();
  for (const r of rows) { const g = obj === 'binary' || obj === 'multiclass' ? y.yCls[r] : 0; (groups.get(g) ?? groups.set(g, []).get(g)!).push(r); }
  const train: number[] = [], valid: number[] = [];
  for (const g of [...groups.keys()].sort((a, b) => a - b)) {
    const members = groups.get(g)!;
    for (let i = members.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [members[i], members[j]] = [members[j], members[i]]; }
    const cut = Math.round(members.length * fraction);
    // Loops, not push(...spread): spreading a few hundred thousand rows overflows the call stack.
    for (let i = 0; i < members.length; i++) (i < cut ? valid : train).push(members[i]);
  }
  // Typed-array sorts (native, numeric): a comparator sort of 58k boxed numbers cost ~2% of a 64k-row fit.
  return { train: Int32Array.from(train).sort(), valid: Int32Array.from(valid).sort() };
}

/**
 * Gradient boosting on histogram trees (the algorithm of scikit-learn's HistGradientBoosting and LightGBM):
 * each iteration fits one tree per margin to the loss gradients, shrunk by the learning rate.
 * `weights` are per-row sample weights (class weights); `deadline` (ms since epoch) stops adding trees.
 * `threads`: 2 splits each histogram with a helper thread once it is up (same trees as 1); left out, the
 * training pool's policy decides (with ASSAY_FIT_HELPER=1, a helper only while a core is idle), else one thread.
 * @example const m = fitGbdt(binned, { yNum, yCls, classes: 2 }, rows, 'binary', { maxIter: 200 }, 1, { threads: 2 });
 */
export function fitGbdt(data: BinnedData, y: Targets, rows: Int32Array, obj: Objective, params: Partial<GbdtParams>, seed: number,
  opts: { weights?: Float64Array | null; deadline?: number; threads?: number } = {}): GbdtModel {
  const p = { ...GBDT_DEFAULTS, ...params };
  const w = opts.weights ?? null;
  const rand = seededRandom(seed);
  const K = obj === 'multiclass' ? y.classes : 1;
  const early = p.earlyStopping === 'auto' ? rows.length > 10_000 : p.earlyStopping;
  const { train, valid } = early ? holdOut(rows, p.validationFraction, y, obj, rand) : { train: rows, valid: new Int32Array(0) };
  const init = initialMargins(obj, y, train, w);
  const n = data.rows;
  const F = new Float64Array(n * K);
  for (const r of train) for (let k = 0; k < K; k++) F[r * K + k] = init[k];
  for (const r of valid) for (let k = 0; k < K; k++) F[r * K + k] = init[k];
  // With a helper thread, the rows, gradients and histograms live in memory both threads see.
  const shared = SharedHistograms.wanted(opts.threads)
    ? new SharedHistograms(rowMajorBins(data), data.features, n, train.length, Math.min(p.maxLeaves, train.length) + 3, opts.threads) : null;
  const grad = shared?.grad ?? new Float64Array(n), hess = shared?.hess ?? new Float64Array(n);
  // One margin: the gradients are computed straight into the arrays trees are grown on.
  const gradK = K === 1 ? grad : new Float64Array(n * K), hessK = K === 1 ? hess : new Float64Array(n * K);
  const trees: Tree[][] = [];
  const history: number[] = [];
  let stopped: GbdtModel['stopped'] = 'max_iter';
  const probs = new Float64Array(K);
  const allFeatures = Array.from({ length: data.features }, (_, i) => i);
  const scratch = new TreeScratch(data.features, 1, train.length, shared);
  const orderBuf = shared?.rows ?? new Int32Array(train.length);

  for (let it = 0; it < p.maxIter; it++) {
    if (opts.deadline !== undefined && it > 0 && Date.now() > opts.deadline) { stopped = 'deadline'; break; }
    let sample = train;
    if (p.subsample < 1) {
      sample = Int32Array.from(train.filter(() => rand() < p.subsample));
      if (sample.length < 2 * p.minSamplesLeaf) sample = train;
    }
    let allowed: number[] | undefined;
    if (p.colsample < 1) {
      allowed = sampleSorted(allFeatures, Math.max(1, Math.round(data.features * p.colsample)), rand);
    }
    // Gradients of every margin come from this iteration's start, as in scikit-learn.
    for (const r of sample) {
      const wr = w ? w[r] : 1;
      if (obj === 'squared_error') { gradK[r] = wr * (F[r] - y.yNum[r]); hessK[r] = wr; }
      else if (obj === 'absolute_error') { gradK[r] = wr * Math.sign(F[r] - y.yNum[r]); hessK[r] = wr; }
      else if (obj === 'binary') { const q = sigmoid(F[r]); gradK[r] = wr * (q - y.yCls[r]); hessK[r] = wr * Math.max(q * (1 - q), 1e-16); }
      else {
        let max = -Infinity; for (let c = 0; c < K; c++) max = Math.max(max, F[r * K + c]);
        let sum = 0; for (let c = 0; c < K; c++) { probs[c] = Math.exp(F[r * K + c] - max); sum += probs[c]; }
        for (let c = 0; c < K; c++) {
          const q = probs[c] / sum;
          gradK[r * K + c] = wr * (q - (y.yCls[r] === c ? 1 : 0)); hessK[r * K + c] = wr * Math.max(q * (1 - q), 1e-16);
        }
      }
    }
    let inSample: Uint8Array | null = null;
    if (sample !== train) { inSample = new Uint8Array(n); for (const r of sample) inSample[r] = 1; }
    const iteration: Tree[] = [];
    for (let k = 0; k < K; k++) {
      if (K > 1) for (const r of sample) { grad[r] = gradK[r * K + k]; hess[r] = hessK[r * K + k]; }
      const order = orderBuf.subarray(0, sample.length);
      order.set(sample);
      const { tree, leaves } = growTree(data, { outputs: 1, grad, hess }, order,
        { maxLeaves: p.maxLeaves, maxDepth: p.maxDepth, minSamplesLeaf: p.minSamplesLeaf, l2: p.l2, featureFraction: 1, allowed, rand, scratch,
          smallNodeRows: BOOSTING_SMALL_NODE_ROWS });
      for (const leaf of leaves) {
        let v = tree.value[leaf.node];
        // Absolute error: the best constant per leaf is the median residual, not the Newton step.
        if (obj === 'absolute_error') v = median(Array.from(order.subarray(leaf.start, leaf.end), (r) => y.yNum[r] - F[r]));
        tree.value[leaf.node] = v * p.learningRate;
      }
      for (let i = 0; i < tree.value.length; i++) if (tree.feature[i] >= 0) tree.value[i] *= p.learningRate;
      for (const leaf of leaves) for (let i = leaf.start; i < leaf.end; i++) F[order[i] * K + k] += tree.value[leaf.node];
      // Rows the tree did not grow on (outside this iteration's subsample, or held out) are scored by traversal.
      if (inSample) for (const r of train) if (!inSample[r]) F[r * K + k] += tree.value[leafOf(tree, data, r)];
      addLeafValues(tree, data, valid, F, K, k, true);
      iteration.push(tree);
    }
    trees.push(iteration);
    if (early) {
      history.push(loss(obj, F, K, y, valid, w));
      const ref = history.length > p.nIterNoChange ? history[history.length - 1 - p.nIterNoChange] : Infinity;
      // Stop when none of the last n iterations improved on the loss n iterations ago by more than tol.
      if (history.length > p.nIterNoChange && history.slice(-p.nIterNoChange).every((l) => l > ref - p.tol)) { stopped = 'early_stopping'; break; }
    }
  }
  return { kind: 'gbdt', objective: obj, init, trees, iterations: trees.length, stopped };
}

/** Margins (n × outputs, row-major) for rows of `data`. */
export function gbdtMargins(m: GbdtModel, data: BinnedData, idx: ArrayLike<number>): Float64Array {
  const K = m.init.length;
  const out = new Float64Array(idx.length * K);
  for (let i = 0; i < idx.length; i++) for (let k = 0; k < K; k++) out[i * K + k] = m.init[k];
  for (const iteration of m.trees) {
    iteration.forEach((tree, k) => addLeafValues(tree, data, idx, out, K, k));
  }
  return out;
}

/** Each tree's leaf value for each row (`[t * idx.length + i]`, trees in `gbdtMargins` order), to re-predict with some features changed. */
export function gbdtTreeValues(m: GbdtModel, data: BinnedData, idx: ArrayLike<number>): Float64Array {
  const trees = m.trees.flat(), n = idx.length, out = new Float64Array(trees.length * n);
  trees.forEach((tree, t) => addLeafValues(tree, data, idx, out.subarray(t * n, (t + 1) * n), 1, 0));
  return out;
}

/**
 * Predictions of `m` on rows of `data` in which only the tree features `changed` differ from the data `base` was
 * computed on ({@link gbdtTreeValues}): trees that split on none of them keep their leaf values, the others are
 * walked again. Sums run in the same order as {@link predictGbdt}, so the result is identical to it.
 */
export function predictGbdtChanged(m: GbdtModel, data: BinnedData, idx: ArrayLike<number>, base: Float64Array, changed: number[]): Float64Array {
  const K = m.init.length, n = idx.length;
  const out = new Float64Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) out[i * K + k] = m.init[k];
  let t = 0;
  for (const iteration of m.trees) {
    iteration.forEach((tree, k) => {
      if (tree.feature.some((f) => changed.includes(f))) addLeafValues(tree, data, idx, out, K, k);
      else for (let i = 0, o = t * n; i < n; i++) out[i * K + k] += base[o + i];
      t++;
    });
  }
  return outputsOf(m, out, n);
}

/** Predictions: values for regression, class probabilities (n × classes) for classification. */
export function predictGbdt(m: GbdtModel, data: BinnedData, idx: ArrayLike<number>): Float64Array {
  return outputsOf(m, gbdtMargins(m, data, idx), idx.length);
}

/** Margins (n × outputs) turned into predictions: as they are for regression, probabilities for classification. */
function outputsOf(m: GbdtModel, F: Float64Array, n: number): Float64Array {
  if (m.objective === 'squared_error' || m.objective === 'absolute_error') return F;
  if (m.objective === 'binary') {
    const out = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) { const q = sigmoid(F[i]); out[2 * i] = 1 - q; out[2 * i + 1] = q; }
    return out;
  }
  const K = m.init.length;
  for (let i = 0; i < n; i++) {
    let max = -Infinity; for (let k = 0; k < K; k++) max = Math.max(max, F[i * K + k]);
    let sum = 0; for (let k = 0; k < K; k++) { F[i * K + k] = Math.exp(F[i * K + k] - max); sum += F[i * K + k]; }
    for (let k = 0; k < K; k++) F[i * K + k] /= sum;
  }
  return F;
}
