import { MISSING_BIN, type BinnedData } from './binning.js';
import { GainHeap } from './gain-heap.js';
import type { SharedHistograms } from './hist-helper.js';
import { buildHistogram } from './hist-kernel.js';
import { wasmHistFor } from './hist-wasm.js';
import { sampleSorted } from './random.js';
import { SmallNodes, type SparseHistogram } from './small-split.js';

/**
 * A fitted tree over binned features, as flat JSON-friendly arrays indexed by node.
 * A numeric split sends bins ≤ `threshold` left (and missing values left when `missing_left`);
 * a categorical split sends the bins listed in `cats` left. Leaves have `feature` −1.
 * `value` holds `outputs` numbers per node; `cover` is the training weight that reached the node (TreeSHAP needs it).
 */
export interface Tree {
  outputs: number;
  feature: number[];
  threshold: number[];
  missing_left: boolean[];
  cats: (number[] | null)[];
  left: number[];
  right: number[];
  value: number[];
  cover: number[];
}

export interface TreeParams {
  maxLeaves: number;
  maxDepth: number;
  minSamplesLeaf: number;
  l2: number;
  /** Fraction of features considered at each split (random forests); 1 = all. */
  featureFraction: number;
  /** Features this tree may use (column subsampling); all when absent. */
  allowed?: number[];
  rand: () => number;
  /** Buffers kept from tree to tree of one fit (boosting grows hundreds of trees on the same rows). */
  scratch?: TreeScratch;
  /** Largest node split over its present bins rather than a dense histogram, below the module's limit (small-split.ts). */
  smallNodeRows?: number;
}

/** Gradients of `outputs` per row (`grad[r * outputs + k]`) and one hessian (weight) per row. */
export interface Gradients { outputs: number; grad: Float64Array; hess: Float64Array }

/** Where each leaf's training rows ended up after growing: `rows[start, end)` reached `node`. */
export interface LeafSegment { node: number; start: number; end: number }

const BINS = 256;
export const MIN_HESS = 1e-3;
export const MIN_GAIN = 1e-7;
/** Rows a category needs to be placed by a split; rarer ones go right with the unseen and missing values. */
export const MIN_CATEGORY_ROWS = 10;
/** Smoothing of the gradient/hessian ratio that orders categories, and extra L2 on categorical split gains. */
export const CAT_SMOOTH = 10;
export const CAT_L2 = 10;
/** Largest set of categories sent left by one split. */
export const MAX_CAT_THRESHOLD = 64;
/**
 * Above this many leaves a best-first tree (a forest's cap) keeps its open nodes in a heap and no dense histogram
 * per open node: thousands of them would cost gigabytes. Boosting's few leaves keep the scan and the subtraction trick.
 */
let manyLeaves = 1024;
/** Moves the "many leaves" line (tests compare the heap's trees with the scan's); returns the previous one. */
export function setManyLeaves(leaves: number): number { const before = manyLeaves; manyLeaves = leaves; return before; }
/** Dense histograms such a tree keeps for its open nodes (the largest, split first), so their children get the subtraction trick. */
const KEPT_HISTOGRAMS = 64;

interface Split { gain: number; feature: number; threshold: number; missingLeft: boolean; cats: number[] | null }
interface Open { node: number; start: number; end: number; depth: number; tot: Float64Array; hist: Float64Array | null; sparse: SparseHistogram | null; split: Split | null }

/** A pool of histogram buffers so growing a tree does not allocate one per node. */
class HistPool {
  private free: Float64Array[] = [];
  constructor(readonly size: number) {}
  take(): Float64Array { return this.free.pop() ?? new Float64Array(this.size); }
  give(h: Float64Array) { this.free.push(h); }
}

/**
 * Histogram buffers and the partition's spare row buffer, reused by every tree of a fit; with `shared`,
 * single-output trees build their histograms over shared buffers together with a helper thread.
 */
export class TreeScratch {
  readonly pool: HistPool;
  tmp: Int32Array;
  constructor(features: number, outputs: number, rows: number, readonly shared: SharedHistograms | null = null) {
    this.pool = new HistPool(features * BINS * (outputs + 2));
    this.tmp = new Int32Array(rows);
  }
}

/**
 * Grows one histogram tree on `rows` (reordered in place so each leaf's rows are contiguous).
 * Best-first by gain when `maxLeaves` is finite (gradient boosting, a capped forest), depth-first otherwise, which
 * keeps only O(depth) histograms alive.
 */
export function growTree(data: BinnedData, g: Gradients, rows: Int32Array, p: TreeParams): { tree: Tree; leaves: LeafSegment[] } {
  const K = g.outputs, S = K + 2, F = data.features, n = data.rows;
  const { bins, isCategorical } = data;
  const { grad, hess } = g;
  const scratch = p.scratch && p.scratch.pool.size === F * BINS * S ? p.scratch : new TreeScratch(F, K, rows.length);
  if (scratch.tmp.length < rows.length) scratch.tmp = new Int32Array(rows.length);
  const { tmp } = scratch;
  const features = p.allowed ?? Array.from({ length: F }, (_, i) => i);
  const perNode = p.featureFraction < 1;
  // A cap in the thousands that these rows cannot reach (a forest on a small table) changes nothing but the order
  // nodes are grown in, and with it the features each node samples: such trees grow depth-first, as uncapped ones.
  const unreachable = p.maxLeaves > manyLeaves && Math.floor(rows.length / Math.max(1, p.minSamplesLeaf)) <= p.maxLeaves;
  const bestFirst = Number.isFinite(p.maxLeaves) && !unreachable;
  const heapOpen = bestFirst && p.maxLeaves > manyLeaves;
  let keptHists = 0;
  // The shared buffers hold this fit's rows and gradients only when the caller grew them there (boosting).
  const shared = K === 1 && !perNode && scratch.shared && scratch.shared.rows.buffer === rows.buffer ? scratch.shared : null;
  shared?.startTree(features);
  const tree: Tree = { outputs: K, feature: [], threshold: [], missing_left: [], cats: [], left: [], right: [], value: [], cover: [] };
  const leaves: LeafSegment[] = [];

  const newNode = (totals: Float64Array) => {
    const id = tree.feature.length;
    tree.feature.push(-1); tree.threshold.push(0); tree.missing_left.push(false); tree.cats.push(null);
    tree.left.push(-1); tree.right.push(-1);
    const H = totals[K];
    for (let k = 0; k < K; k++) tree.value.push(-totals[k] / (H + p.l2));
    tree.cover.push(H);
    return id;
  };

  const smallNodes = new SmallNodes(data, g, rows, p.l2, p.minSamplesLeaf, p.smallNodeRows);
  // The WebAssembly kernel takes each row's (gradient, hessian) as one pair, copied in once per tree.
  const wasm = K === 1 && !shared ? wasmHistFor(data) : null;
  if (wasm) for (let i = 0; i < rows.length; i++) { const r = rows[i]; wasm.gh[2 * r] = grad[r]; wasm.gh[2 * r + 1] = hess[r]; }
  let wasmFeats: number[] | null = null;
  const pool = shared ?? wasm ?? scratch.pool;
  const span = BINS * S;
  /** Fills `hist` from the rows in [start, end) and, with `large` (the parent's), leaves the sibling's there. */
  const build = (hist: Float64Array, start: number, end: number, feats: number[], large: Float64Array | null = null) => {
    if (K === 1) {
      if (shared) shared.build(hist, large, start, end - start);
      else if (wasm && wasm.owns(hist) && (!large || wasm.owns(large))) {
        wasm.rows.set(rows.subarray(start, end));
        if (feats !== wasmFeats) { wasm.feats.set(feats); wasmFeats = feats; }
        if (feats.length === F) hist.fill(0); else for (const f of feats) hist.fill(0, f * span, (f + 1) * span);
        wasm.run(hist, large, end - start, feats.length);
      } else buildHistogram(hist, large, rowMajorBins(data), F, feats, 0, feats.length, rows, start, end - start, grad, hess);
      return;
    }
    if (feats.length === F) hist.fill(0);
    else for (const f of feats) hist.fill(0, f * BINS * S, (f + 1) * BINS * S);
    for (const f of feats) {
      const col = f * n, base = f * BINS * S;
      for (let i = start; i < end; i++) {
        const r = rows[i], o = base + bins[col + r] * S;
        for (let k = 0; k < K; k++) hist[o + k] += grad[r * K + k];
        hist[o + K] += hess[r]; hist[o + K + 1] += 1;
      }
    }
    if (large) for (let i = 0; i < large.length; i++) large[i] -= hist[i];
  };

  const totalsOf = (start: number, end: number) => {
    const t = new Float64Array(S);
    for (let i = start; i < end; i++) {
      const r = rows[i];
      for (let k = 0; k < K; k++) t[k] += grad[r * K + k];
      t[K] += hess[r]; t[K + 1] += 1;
    }
    return t;
  };

  const score = (G: Float64Array | number[], H: number) => {
    let s = 0;
    for (let k = 0; k < K; k++) s += G[k] * G[k];
    return s / (H + p.l2);
  };

  const L = new Float64Array(S), R = new Float64Array(S), M = new Float64Array(S);
  const pickCandidates = () => {
    if (!perNode) return features;
    return sampleSorted(features, Math.max(1, Math.round(features.length * p.featureFraction)), p.rand);
  };
  const findSplit = (hist: Float64Array, tot: Float64Array, candidates: number[]): Split | null => {
    const parent = score(tot, tot[K]);
    let best = null as Split | null;
    const consider = (gain: number, feature: number, threshold: number, missingLeft: boolean, cats: number[] | null) => {
      if (gain > MIN_GAIN && (!best || gain > best.gain)) best = { gain, feature, threshold, missingLeft, cats };
    };
    const ok = (a: Float64Array, b: Float64Array) =>
      a[K + 1] >= p.minSamplesLeaf && b[K + 1] >= p.minSamplesLeaf && a[K] >= MIN_HESS && b[K] >= MIN_HESS;
    for (const f of candidates) {
      const base = f * BINS * S;
      if (isCategorical[f]) {
        // Rare categories never lead a split (they follow the right side), and the sort key is smoothed:
        // without this a column of near-unique names "explains" any target on the training rows (LightGBM's rule).
        const present: number[] = [];
        for (let b = 0; b < BINS; b++) if (hist[base + b * S + K + 1] >= MIN_CATEGORY_ROWS) present.push(b);
        if (present.length < 1) continue;
        const key = (b: number) => hist[base + b * S] / (hist[base + b * S + K] + CAT_SMOOTH);
        present.sort((a, b) => key(a) - key(b) || a - b);
        const catScore = (G: Float64Array, H: number) => { let v = 0; for (let k = 0; k < K; k++) v += G[k] * G[k]; return v / (H + p.l2 + CAT_L2); };
        const catParent = catScore(tot, tot[K]);
        const limit = Math.min(present.length, MAX_CAT_THRESHOLD);
        L.fill(0);
        for (let i = 0; i < limit; i++) {
          const o = base + present[i] * S;
          for (let s = 0; s < S; s++) { L[s] += hist[o + s]; R[s] = tot[s] - L[s]; }
          if (!ok(L, R)) continue;
          const gain = catScore(L, L[K]) + catScore(R, R[K]) - catParent;
          consider(gain, f, 0, false, present.slice(0, i + 1).sort((a, b) => a - b));
        }
        continue;
      }
      if (K === 1) {
        const found = scanNumeric(hist, base, tot[0], tot[1], tot[2], p.l2, p.minSamplesLeaf);
        if (found && found.gain - parent > MIN_GAIN && (!best || found.gain - parent > best.gain)) {
          best = { gain: found.gain - parent, feature: f, threshold: found.bin, missingLeft: found.missingLeft, cats: null };
        }
        continue;
      }
      const mo = base + MISSING_BIN * S;
      for (let s = 0; s < S; s++) M[s] = hist[mo + s];
      const hasMissing = M[K + 1] > 0;
      L.fill(0);
      for (let b = 0; b < MISSING_BIN; b++) {
        const o = base + b * S;
        if (hist[o + K + 1] === 0 && b > 0) continue;
        for (let s = 0; s < S; s++) L[s] += hist[o + s];
        for (let s = 0; s < S; s++) R[s] = tot[s] - L[s];
        if (ok(L, R)) consider(score(L, L[K]) + score(R, R[K]) - parent, f, b, false, null);
        if (hasMissing) {
          for (let s = 0; s < S; s++) { L[s] += M[s]; R[s] -= M[s]; }
          if (ok(L, R)) consider(score(L, L[K]) + score(R, R[K]) - parent, f, b, true, null);
          for (let s = 0; s < S; s++) L[s] -= M[s];
        }
      }
    }
    return best;
  };


  const canSplit = (count: number, depth: number) => count >= 2 * p.minSamplesLeaf && depth < p.maxDepth;
  /**
   * Opens a node for splitting. With all features, its histogram is kept for the children (subtraction trick);
   * with a random subset per node (forests), only those features are built and nothing is kept.
   */
  const openNode = (node: number, start: number, end: number, depth: number, tot: Float64Array, hist: Float64Array | null, sparse: SparseHistogram | null = null): Open => {
    if (!canSplit(end - start, depth)) { if (hist) pool.give(hist); return { node, start, end, depth, tot, hist: null, sparse: null, split: null }; }
    // >>> small nodes (small-split.ts): split over the bins present in the node's rows, no 256-bin histogram
    if (perNode && smallNodes.fits(end - start)) { const cands = pickCandidates(); return { node, start, end, depth, tot, hist: null, sparse: null, split: smallNodes.findSplit(smallNodes.fromRows(start, end, cands, false), tot) }; }
    if (!perNode && !hist && (sparse || smallNodes.fits(end - start))) { sparse ??= smallNodes.fromRows(start, end, features, true); return { node, start, end, depth, tot, hist: null, sparse, split: smallNodes.findSplit(sparse, tot) }; }
    // <<<
    if (perNode) {
      const cands = pickCandidates(), h = pool.take();
      build(h, start, end, cands);
      const split = findSplit(h, tot, cands);
      pool.give(h);
      return { node, start, end, depth, tot, hist: null, sparse: null, split };
    }
    if (!hist) { hist = pool.take(); build(hist, start, end, features); }
    const split = findSplit(hist, tot, features);
    if (heapOpen && keptHists >= KEPT_HISTOGRAMS) { pool.give(hist); return { node, start, end, depth, tot, hist: null, sparse: null, split }; }
    return { node, start, end, depth, tot, hist, sparse: null, split };
  };

  const open: Open[] = [];
  const heap = heapOpen ? new GainHeap<Open>() : null;
  const put = (o: Open) => {
    if (!heap) return open.push(o);
    if (o.hist) keptHists++;
    heap.push(o, o.split?.gain ?? -1);
  };
  const take = (): Open => {
    if (heap) { const o = heap.pop()!; if (o.hist) keptHists--; return o; }
    let pick = open.length - 1;
    if (bestFirst) for (let i = 0; i < open.length; i++) if ((open[i].split?.gain ?? -1) > (open[pick].split?.gain ?? -1)) pick = i;
    return open.splice(pick, 1)[0];
  };
  const rootTotals = totalsOf(0, rows.length);
  const root = newNode(rootTotals);
  put(openNode(root, 0, rows.length, 0, rootTotals, null));
  let leafCount = 1;

  while (heap ? heap.size : open.length) {
    const o = take();
    if (!o.split || leafCount >= p.maxLeaves) {
      leaves.push({ node: o.node, start: o.start, end: o.end });
      if (o.hist) pool.give(o.hist);
      continue;
    }
    const s = o.split;
    const table = leftTable(s.threshold, s.missingLeft, s.cats);
    const col = s.feature * n;
    // One pass moves the rows and sums the left child's totals; the right's are the parent's minus those.
    const lt = new Float64Array(S), rt = new Float64Array(S);
    let l = o.start, t = 0;
    if (K === 1) {
      let gl = 0, hl = 0;
      // Branch-free: the side is data, not a jump the CPU mispredicts on every other row. Both buffers get
      // the row and only one index advances; adding the right rows' gradients times 0 leaves the sums exact.
      if (wasm) {
        // The same pass in WebAssembly (same sums in the same order), on a copy of the node's rows in its memory.
        const m = o.end - o.start;
        wasm.rows.set(rows.subarray(o.start, o.end));
        wasm.table.set(table);
        l = o.start + wasm.partition(m, s.feature);
        rows.set(wasm.rows.subarray(0, m), o.start);
        gl = wasm.sums[0]; hl = wasm.sums[1];
      } else {
        for (let i = o.start; i < o.end; i++) {
          const r = rows[i], left = table[bins[col + r]];
          rows[l] = r; tmp[t] = r;
          l += left; t += 1 - left;
          gl += grad[r] * left; hl += hess[r] * left;
        }
      }
      lt[0] = gl; lt[1] = hl;
    } else {
      for (let i = o.start; i < o.end; i++) {
        const r = rows[i];
        if (table[bins[col + r]]) { rows[l++] = r; for (let k = 0; k < K; k++) lt[k] += grad[r * K + k]; lt[K] += hess[r]; } else tmp[t++] = r;
      }
    }
    rows.set(tmp.subarray(0, t), l);
    const mid = l;
    lt[K + 1] = mid - o.start;
    for (let k = 0; k <= K; k++) rt[k] = o.tot[k] - lt[k];
    rt[K + 1] = o.end - mid;
    tree.feature[o.node] = s.feature; tree.threshold[o.node] = s.threshold; tree.missing_left[o.node] = s.missingLeft; tree.cats[o.node] = s.cats;
    const ln = newNode(lt), rn = newNode(rt);
    tree.left[o.node] = ln; tree.right[o.node] = rn;
    leafCount++;
    const depth = o.depth + 1;
    let lh: Float64Array | null = null, rh: Float64Array | null = null;
    // >>> small nodes (small-split.ts): small children get histograms over their present bins, unsplittable ones none
    smallNodes.taken(o.node, s);
    const kids = smallNodes.children(o.hist, o.sparse, o.start, mid, o.end, canSplit(mid - o.start, depth), canSplit(o.end - mid, depth), features, pool);
    if (kids) ({ lh, rh } = kids);
    // <<<
    else if (o.hist && (canSplit(mid - o.start, depth) || canSplit(o.end - mid, depth))) {
      // Build the smaller child's histogram; the larger is the parent's minus it.
      const leftSmaller = mid - o.start <= o.end - mid;
      const small = pool.take();
      const large = o.hist;
      if (leftSmaller) build(small, o.start, mid, features, large); else build(small, mid, o.end, features, large);
      [lh, rh] = leftSmaller ? [small, large] : [large, small];
    } else if (o.hist) pool.give(o.hist);
    put(openNode(ln, o.start, mid, depth, lt, lh, kids?.ls));
    put(openNode(rn, mid, o.end, depth, rt, rh, kids?.rs));
  }
  return { tree, leaves };
}

const rowMajorCache = new WeakMap<Uint8Array, Uint8Array>();
/** The bins again, row-major (`[r * features + f]`): a row's bins are read together when building histograms. */
export function rowMajorBins(data: BinnedData): Uint8Array {
  let rm = rowMajorCache.get(data.bins);
  if (!rm) {
    const { rows, features, bins } = data;
    // Shared memory, so a helper thread can read it too.
    rm = new Uint8Array(new SharedArrayBuffer(rows * features));
    for (let f = 0; f < features; f++) for (let r = 0; r < rows; r++) rm[r * features + f] = bins[f * rows + r];
    rowMajorCache.set(data.bins, rm);
  }
  return rm;
}

/**
 * Best threshold of one numeric feature for a single output, trying missing values on either side.
 * @returns the split's score (children's G²/(H+λ) summed; the caller subtracts the parent's) or null
 */
function scanNumeric(hist: Float64Array, base: number, gT: number, hT: number, cT: number, l2: number, minLeaf: number) {
  const mo = base + MISSING_BIN * 3;
  const gm = hist[mo], hm = hist[mo + 1], cm = hist[mo + 2];
  let gl = 0, hl = 0, cl = 0, bestGain = -Infinity, bestBin = -1, bestMissingLeft = false;
  for (let b = 0; b < MISSING_BIN; b++) {
    const o = base + b * 3, c = hist[o + 2];
    if (c === 0) continue;
    gl += hist[o]; hl += hist[o + 1]; cl += c;
    const gr = gT - gl, hr = hT - hl, cr = cT - cl;
    if (cl >= minLeaf && cr >= minLeaf && hl >= MIN_HESS && hr >= MIN_HESS) {
      const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2);
      if (gain > bestGain) { bestGain = gain; bestBin = b; bestMissingLeft = false; }
    }
    if (cm > 0) {
      const gl2 = gl + gm, hl2 = hl + hm, cl2 = cl + cm, gr2 = gr - gm, hr2 = hr - hm, cr2 = cr - cm;
      if (cl2 >= minLeaf && cr2 >= minLeaf && hl2 >= MIN_HESS && hr2 >= MIN_HESS) {
        const gain = (gl2 * gl2) / (hl2 + l2) + (gr2 * gr2) / (hr2 + l2);
        if (gain > bestGain) { bestGain = gain; bestBin = b; bestMissingLeft = true; }
      }
    }
  }
  return bestBin < 0 ? null : { gain: bestGain, bin: bestBin, missingLeft: bestMissingLeft };
}

/** 1 for each bin a split sends left: the listed categories, or bins up to the threshold (and missing if so chosen). */
function leftTable(threshold: number, missingLeft: boolean, cats: number[] | null): Uint8Array {
  const t = new Uint8Array(BINS);
  if (cats) for (const c of cats) t[c] = 1;
  else { for (let b = 0; b <= threshold; b++) t[b] = 1; t[MISSING_BIN] = missingLeft ? 1 : 0; }
  return t;
}

/**
 * A tree's structure as typed arrays for prediction. A numeric node compares the bin with its threshold (the
 * missing-value bin goes where the split sent missing values); a categorical node looks the bin up in a go-left
 * table of 256 entries, and only those nodes get one: a table per node of a deep forest took ~69 MB on movies and
 * up to 1.4 s to build before the first prediction. `threshold[i]` < 0 marks a categorical node, whose table
 * starts at `(−threshold[i] − 1) · 256`.
 */
interface Compiled { feature: Int32Array; left: Int32Array; right: Int32Array; threshold: Int32Array; missingLeft: Uint8Array; table: Uint8Array }
const compiled = new WeakMap<Tree, Compiled>();
function compiledOf(tree: Tree): Compiled {
  let c = compiled.get(tree);
  if (!c) {
    const nodes = tree.feature.length;
    const threshold = new Int32Array(nodes), missingLeft = new Uint8Array(nodes);
    let categorical = 0;
    for (let i = 0; i < nodes; i++) if (tree.feature[i] >= 0 && tree.cats[i]) categorical++;
    const table = new Uint8Array(categorical * BINS);
    for (let i = 0, k = 0; i < nodes; i++) {
      if (tree.feature[i] < 0) continue;
      const cats = tree.cats[i];
      if (cats) { table.set(leftTable(tree.threshold[i], tree.missing_left[i], cats), k * BINS); threshold[i] = -(++k); } else {
        threshold[i] = tree.threshold[i]; missingLeft[i] = tree.missing_left[i] ? 1 : 0;
      }
    }
    c = { feature: Int32Array.from(tree.feature), left: Int32Array.from(tree.left), right: Int32Array.from(tree.right), threshold, missingLeft, table };
    compiled.set(tree, c);
  }
  return c;
}

/** Whether bin `b` goes to the left child at `node` of a compiled tree. */
function left(c: Compiled, node: number, b: number): boolean {
  const t = c.threshold[node];
  return t >= 0 ? b <= t || (b === MISSING_BIN && c.missingLeft[node] === 1) : c.table[(-t - 1) * BINS + b] === 1;
}

/** Whether row `r` goes to the left child at `node`. */
export function goesLeft(tree: Tree, node: number, data: BinnedData, r: number): boolean {
  return left(compiledOf(tree), node, data.bins[tree.feature[node] * data.rows + r]);
}

/**
 * Adds the tree's leaf value for each row `idx[i]` to `out[i * stride + offset]` (or `out[idx[i] * stride + offset]`
 * with `byRow`): the compiled tree is looked up once per tree, not once per row.
 */
export function addLeafValues(tree: Tree, data: BinnedData, idx: ArrayLike<number>, out: Float64Array, stride: number, offset: number, byRow = false) {
  const c = compiledOf(tree), { feature, left: l, right } = c, { value } = tree, { bins, rows: n } = data;
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    let node = 0, f = feature[0];
    while (f >= 0) { node = left(c, node, bins[f * n + r]) ? l[node] : right[node]; f = feature[node]; }
    out[(byRow ? r : i) * stride + offset] += value[node];
  }
}

/** The leaf row `r` falls into. */
export function leafOf(tree: Tree, data: BinnedData, r: number): number {
  const c = compiledOf(tree), { feature, left: l, right } = c, { bins, rows: n } = data;
  let node = 0, f = feature[0];
  while (f >= 0) { node = left(c, node, bins[f * n + r]) ? l[node] : right[node]; f = feature[node]; }
  return node;
}
