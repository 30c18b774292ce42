// Split finding for small tree nodes without a 256-bin histogram per feature. A deep forest tree has about as many
// nodes as rows, most of them a few rows each: clearing, subtracting and scanning F × 256 bins at each of them made a
// tree cost O(n · F · 256) instead of O(n · F · depth). Here a small node's histogram holds only the bins its rows
// fall into, summed in the same order as the dense histogram (row order, or parent − smaller sibling), and the scan
// repeats the dense scan's arithmetic step for step, so the gains, the splits and the trees are exactly the same.
import { MISSING_BIN, type BinnedData } from './binning.js';
import { CAT_L2, CAT_SMOOTH, MAX_CAT_THRESHOLD, MIN_CATEGORY_ROWS, MIN_GAIN, MIN_HESS, rowMajorBins, type Gradients } from './tree.js';

const BINS = 256;

/**
 * A node's histogram over the bins its rows fall into: the entries of `feats[j]` are `[offsets[j], offsets[j + 1])`,
 * in ascending bin order, each with `outputs + 2` sums (gradients, hessian, row count) at `sums[entry * slots]`.
 */
export interface SparseHistogram { feats: readonly number[]; offsets: Int32Array; bins: Uint8Array; sums: Float64Array }

/** A split as `growTree` records it: numeric bins ≤ `threshold` (and missing values with `missingLeft`) or `cats` go left. */
export interface SmallSplit { gain: number; feature: number; threshold: number; missingLeft: boolean; cats: number[] | null }

/** Where dense histograms come from and go back to (the tree's buffer pool). */
interface DensePool { take(): Float64Array; give(h: Float64Array): void }

/** The children's histograms after a split: dense (`lh`, `rh`) or over present bins (`ls`, `rs`); null where not needed. */
export interface ChildHistograms { lh: Float64Array | null; rh: Float64Array | null; ls: SparseHistogram | null; rs: SparseHistogram | null }

/**
 * Largest node (rows) whose split is found over its present bins. Measured (CPU seconds, bench/forest.ts): on vega's
 * movies (2,390-row folds, 15 features) 256 → 1.0 s, 512 → 0.93 s, 1,024 → 0.93–0.99 s per default forest; on
 * 100,000 × 20 (5 trees) 256, 512 and 1,024 all within noise. Smaller limits cost more on movies (32 rows: 1.2 s; off: 4 s).
 */
let smallNodeRows = 512;
/** Sets the small-node limit (0 turns the small path off); returns the previous one. For tests and benchmarks. */
export function setSmallNodeRows(rows: number): number { const before = smallNodeRows; smallNodeRows = rows; return before; }

let observer: ((node: number, split: SmallSplit) => void) | null = null;
/** Calls `fn` with every split `growTree` makes, from either path, until called with null. For tests comparing the two. */
export function observeSplits(fn: ((node: number, split: SmallSplit) => void) | null) { observer = fn; }

/**
 * The small-node half of one `growTree` call: sparse histograms from rows or from the parent's, and the
 * split scan over them. Holds scratch buffers reused across the tree's nodes.
 */
export class SmallNodes {
  private readonly K: number;
  private readonly S: number;
  private readonly F: number;
  private readonly rm: Uint8Array;
  /** Dense sums per feature and bin, kept zero between uses; `mark` says which bins are touched (8 words per feature). */
  private acc = new Float64Array(0);
  private mark = new Uint32Array(0);
  /** Where histograms used once (per-node feature samples) are written. */
  private tmpBins = new Uint8Array(0);
  private tmpSums = new Float64Array(0);
  private readonly L: Float64Array;
  private readonly R: Float64Array;
  private readonly M: Float64Array;
  private readonly Z: Float64Array;

  /** Largest node this tree finds over present bins: the module's limit, or a lower one the caller gave. */
  private readonly limit: number;

  constructor(private readonly data: BinnedData, private readonly g: Gradients, private readonly rows: Int32Array,
    private readonly l2: number, private readonly minLeaf: number, limit = Infinity) {
    this.limit = Math.min(smallNodeRows, limit);
    this.K = g.outputs; this.S = g.outputs + 2; this.F = data.features;
    this.rm = rowMajorBins(data);
    this.L = new Float64Array(this.S); this.R = new Float64Array(this.S); this.M = new Float64Array(this.S); this.Z = new Float64Array(this.S);
  }

  /** Reports a split growTree makes to the test observer, if any. */
  taken(node: number, split: SmallSplit) { observer?.(node, split); }

  /** Whether a node of `rows` rows takes the small path. */
  fits(rows: number): boolean { return rows <= this.limit; }

  /**
   * The histogram of rows `rows[start, end)` over `feats`: each bin's sums accumulated in row order, as the dense
   * build does. With `keep` false it lives in scratch space until the next call (a split found and forgotten).
   */
  fromRows(start: number, end: number, feats: readonly number[], keep: boolean): SparseHistogram {
    // Allocated at the first small node: most boosting trees of large tables never get there.
    if (this.acc.length === 0) { this.acc = new Float64Array(this.F * BINS * this.S); this.mark = new Uint32Array(this.F * (BINS / 32)); }
    const { K, S, F, rm, acc, mark, rows } = this, { grad, hess } = this.g;
    const cap = Math.min(end - start, BINS) * feats.length, J = feats.length;
    let outBins: Uint8Array, outSums: Float64Array;
    if (keep) { outBins = new Uint8Array(cap); outSums = new Float64Array(cap * S); } else {
      if (this.tmpBins.length < cap) { this.tmpBins = new Uint8Array(cap); this.tmpSums = new Float64Array(cap * S); }
      outBins = this.tmpBins; outSums = this.tmpSums;
    }
    // Row by row over the row-major bins, so a row's bins and gradient are read once for all its features.
    if (K === 1) {
      for (let i = start; i < end; i++) {
        const r = rows[i], rb = r * F, g = grad[r], h = hess[r];
        for (let j = 0; j < J; j++) {
          const f = feats[j], b = rm[rb + f], o = ((f << 8) + b) * 3;
          mark[(f << 3) + (b >> 5)] |= 1 << (b & 31);
          acc[o] += g; acc[o + 1] += h; acc[o + 2] += 1;
        }
      }
    } else {
      for (let i = start; i < end; i++) {
        const r = rows[i], rb = r * F, h = hess[r];
        for (let j = 0; j < J; j++) {
          const f = feats[j], b = rm[rb + f], o = ((f << 8) + b) * S;
          mark[(f << 3) + (b >> 5)] |= 1 << (b & 31);
          for (let k = 0; k < K; k++) acc[o + k] += grad[r * K + k];
          acc[o + K] += h; acc[o + K + 1] += 1;
        }
      }
    }
    // Each feature's touched bins in ascending order, moved out and zeroed.
    const offsets = new Int32Array(J + 1);
    let e = 0;
    for (let j = 0; j < J; j++) {
      const f = feats[j];
      for (let w = f << 3, wEnd = w + 8; w < wEnd; w++) {
        let word = mark[w];
        while (word !== 0) {
          const low = word & -word, b = ((w & 7) << 5) + (31 - Math.clz32(low)), o = ((f << 8) + b) * S, eo = e * S;
          outBins[e] = b;
          for (let s = 0; s < S; s++) { outSums[eo + s] = acc[o + s]; acc[o + s] = 0; }
          e++;
          word ^= low;
        }
        mark[w] = 0;
      }
      offsets[j + 1] = e;
    }
    return { feats, offsets, bins: outBins, sums: outSums };
  }

  /** The present bins of a dense histogram (the values as they are, so subtraction residues stay exactly as the dense scan sees them). */
  fromDense(hist: Float64Array, feats: readonly number[]): SparseHistogram {
    const { K, S } = this;
    const offsets = new Int32Array(feats.length + 1);
    let entries = 0;
    for (const f of feats) for (let b = 0, o = f * BINS * S; b < BINS; b++, o += S) if (hist[o + K + 1] !== 0 || (K > 1 && b === 0)) entries++;
    const bins = new Uint8Array(entries), sums = new Float64Array(entries * S);
    let e = 0;
    for (let j = 0; j < feats.length; j++) {
      const base = feats[j] * BINS * S;
      for (let b = 0; b < BINS; b++) {
        const o = base + b * S;
        // Multi-output scans always visit bin 0, empty or not: keep it with whatever the subtraction left there.
        if (hist[o + K + 1] === 0 && !(K > 1 && b === 0)) continue;
        bins[e] = b;
        for (let s = 0; s < S; s++) sums[e * S + s] = hist[o + s];
        e++;
      }
      offsets[j + 1] = e;
    }
    return { feats, offsets, bins, sums };
  }

  /**
   * `parent − child` bin by bin over the parent's present bins (what the dense path's `large[i] -= hist[i]`
   * computes), written over the parent's buffers: the parent is done with once its children have theirs.
   */
  minusInPlace(parent: SparseHistogram, child: SparseHistogram): SparseHistogram {
    const { K, S } = this, { feats, offsets, bins: pb, sums: ps } = parent, { bins: cb, sums: cs } = child;
    let e = 0, pStart = 0;
    for (let j = 0; j < feats.length; j++) {
      const pEnd = offsets[j + 1], cEnd = child.offsets[j + 1];
      let c = child.offsets[j];
      for (let p = pStart; p < pEnd; p++) {
        const b = pb[p], po = p * S, eo = e * S;
        while (c < cEnd && cb[c] < b) c++;
        if (c < cEnd && cb[c] === b) { const co = c * S; for (let s = 0; s < S; s++) ps[eo + s] = ps[po + s] - cs[co + s]; }
        else if (eo !== po) for (let s = 0; s < S; s++) ps[eo + s] = ps[po + s];
        // Bins the child took all of are gone (their count is exact), except bin 0 of multi-output scans.
        if (ps[eo + K + 1] === 0 && !(K > 1 && b === 0)) continue;
        pb[e++] = b;
      }
      pStart = pEnd;
      offsets[j + 1] = e;
    }
    return parent;
  }

  /** Subtracts `child` from a dense histogram in place, touching only the child's present bins. */
  subtractFrom(hist: Float64Array, child: SparseHistogram) {
    const { S } = this, { bins, sums, offsets, feats } = child;
    for (let j = 0; j < feats.length; j++) {
      const base = feats[j] * BINS * S;
      for (let e = offsets[j]; e < offsets[j + 1]; e++) {
        const o = base + bins[e] * S;
        for (let s = 0; s < S; s++) hist[o + s] -= sums[e * S + s];
      }
    }
  }

  /**
   * The children's histograms after a split at `mid` of a node with a dense (`hist`) or sparse histogram, as the
   * dense path would compute them (smaller child from its rows, larger = parent − smaller), except that small
   * children get theirs over their present bins and children that will not be split get none. Consumes the parent's.
   * @returns null when the smaller child needs a dense histogram of its own (the caller's dense path does that)
   */
  children(hist: Float64Array | null, sparse: SparseHistogram | null, start: number, mid: number, end: number,
    needLeft: boolean, needRight: boolean, feats: readonly number[], pool: DensePool): ChildHistograms | null {
    const out: ChildHistograms = { lh: null, rh: null, ls: null, rs: null };
    if (!hist && !sparse) return out;
    const leftSmaller = mid - start <= end - mid;
    const needSmall = leftSmaller ? needLeft : needRight, needLarge = leftSmaller ? needRight : needLeft;
    if (!needSmall && !needLarge) { if (hist) pool.give(hist); return out; }
    if (hist && needSmall && !this.fits(Math.min(mid - start, end - mid))) return null;
    const small = leftSmaller ? this.fromRows(start, mid, feats, needSmall) : this.fromRows(mid, end, feats, needSmall);
    let large: SparseHistogram | null = null, largeDense: Float64Array | null = null;
    if (sparse) {
      if (needLarge) large = this.minusInPlace(sparse, small);
    } else if (hist) {
      if (needLarge) {
        this.subtractFrom(hist, small);
        if (this.fits(Math.max(mid - start, end - mid))) { large = this.fromDense(hist, feats); pool.give(hist); } else largeDense = hist;
      } else pool.give(hist);
    }
    const smallKept = needSmall ? small : null;
    if (leftSmaller) { out.ls = smallKept; out.rs = large; out.rh = largeDense; } else { out.rs = smallKept; out.ls = large; out.lh = largeDense; }
    return out;
  }

  private score(G: Float64Array, H: number): number {
    let s = 0;
    for (let k = 0; k < this.K; k++) s += G[k] * G[k];
    return s / (H + this.l2);
  }

  private catScore(G: Float64Array, H: number): number {
    let s = 0;
    for (let k = 0; k < this.K; k++) s += G[k] * G[k];
    return s / (H + this.l2 + CAT_L2);
  }

  private ok(a: Float64Array, b: Float64Array): boolean {
    const K = this.K, minLeaf = this.minLeaf;
    return a[K + 1] >= minLeaf && b[K + 1] >= minLeaf && a[K] >= MIN_HESS && b[K] >= MIN_HESS;
  }

  /**
   * The best split over a sparse histogram: the dense `findSplit`'s rules and arithmetic in the same order
   * (numeric thresholds with missing values tried on both sides, categorical splits ordered by smoothed
   * gradient/hessian with rare categories left out), visiting only present bins.
   */
  findSplit(sp: SparseHistogram, tot: Float64Array): SmallSplit | null {
    const { K, S, L, R } = this, { isCategorical } = this.data, { bins, sums, offsets, feats } = sp;
    const parent = this.score(tot, tot[K]);
    let best: SmallSplit | null = null;
    for (let j = 0; j < feats.length; j++) {
      const f = feats[j], lo = offsets[j], hi = offsets[j + 1];
      if (isCategorical[f]) {
        const present: number[] = [];
        for (let e = lo; e < hi; e++) if (sums[e * S + K + 1] >= MIN_CATEGORY_ROWS) present.push(e);
        if (present.length < 1) continue;
        const key = (e: number) => sums[e * S] / (sums[e * S + K] + CAT_SMOOTH);
        // Entries ascend with their bins, so the tie-break on entries is the dense path's tie-break on bins.
        present.sort((a, b) => key(a) - key(b) || a - b);
        const catParent = this.catScore(tot, tot[K]);
        const limit = Math.min(present.length, MAX_CAT_THRESHOLD);
        L.fill(0);
        for (let i = 0; i < limit; i++) {
          const o = present[i] * S;
          for (let s = 0; s < S; s++) { L[s] += sums[o + s]; R[s] = tot[s] - L[s]; }
          if (!this.ok(L, R)) continue;
          const gain = this.catScore(L, L[K]) + this.catScore(R, R[K]) - catParent;
          if (gain > MIN_GAIN && (!best || gain > best.gain)) {
            best = { gain, feature: f, threshold: 0, missingLeft: false, cats: present.slice(0, i + 1).map((e) => bins[e]).sort((a, b) => a - b) };
          }
        }
        continue;
      }
      const me = hi > lo && bins[hi - 1] === MISSING_BIN ? hi - 1 : -1, valueEnd = me >= 0 ? me : hi;
      if (K === 1) {
        const found = this.scanNumeric(sp, lo, valueEnd, me, tot[0], tot[1], tot[2]);
        if (found && found.gain - parent > MIN_GAIN && (!best || found.gain - parent > best.gain)) {
          best = { gain: found.gain - parent, feature: f, threshold: found.bin, missingLeft: found.missingLeft, cats: null };
        }
        continue;
      }
      best = this.scanNumericMulti(sp, f, lo, valueEnd, me, tot, parent, best);
    }
    return best;
  }

  /**
   * The dense `scanNumeric` (one output) over entries `[lo, hi)` (value bins) with the missing entry at `me` (−1: none).
   * @returns the split's score before the parent's is subtracted, as there
   */
  private scanNumeric(sp: SparseHistogram, lo: number, hi: number, me: number, gT: number, hT: number, cT: number) {
    const { l2, minLeaf } = this, { sums, bins } = sp;
    const gm = me >= 0 ? sums[me * 3] : 0, hm = me >= 0 ? sums[me * 3 + 1] : 0, cm = me >= 0 ? sums[me * 3 + 2] : 0;
    let gl = 0, hl = 0, cl = 0, bestGain = -Infinity, bestBin = -1, bestMissingLeft = false;
    for (let e = lo; e < hi; e++) {
      const o = e * 3, c = sums[o + 2];
      if (c === 0) continue;
      gl += sums[o]; hl += sums[o + 1]; cl += c;
      const gr = gT - gl, hr = hT - hl, cr = cT - cl;
      if (cl >= minLeaf && cr >= minLeaf && hl >= MIN_HESS && hr >= MIN_HESS) {
        const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2);
        if (gain > bestGain) { bestGain = gain; bestBin = bins[e]; bestMissingLeft = false; }
      }
      if (cm > 0) {
        const gl2 = gl + gm, hl2 = hl + hm, cl2 = cl + cm, gr2 = gr - gm, hr2 = hr - hm, cr2 = cr - cm;
        if (cl2 >= minLeaf && cr2 >= minLeaf && hl2 >= MIN_HESS && hr2 >= MIN_HESS) {
          const gain = (gl2 * gl2) / (hl2 + l2) + (gr2 * gr2) / (hr2 + l2);
          if (gain > bestGain) { bestGain = gain; bestBin = bins[e]; bestMissingLeft = true; }
        }
      }
    }
    return bestBin < 0 ? null : { gain: bestGain, bin: bestBin, missingLeft: bestMissingLeft };
  }

  /** The dense multi-output numeric scan of feature `f` (entries as in `scanNumeric`), improving on `best`. */
  private scanNumericMulti(sp: SparseHistogram, f: number, lo: number, hi: number, me: number, tot: Float64Array, parent: number, best: SmallSplit | null) {
    const { K, S, L, M, Z } = this, { sums, bins } = sp;
    if (me >= 0) for (let s = 0; s < S; s++) M[s] = sums[me * S + s]; else M.fill(0);
    const hasMissing = M[K + 1] > 0;
    L.fill(0);
    // The dense scan visits bin 0 even when it is empty (its missing-left split sends the missing values alone left).
    if (!(hi > lo && bins[lo] === 0)) best = this.visitMulti(f, 0, Z, 0, tot, parent, hasMissing, best);
    for (let e = lo; e < hi; e++) if (sums[e * S + K + 1] !== 0 || bins[e] === 0) best = this.visitMulti(f, bins[e], sums, e * S, tot, parent, hasMissing, best);
    return best;
  }

  /** One bin of the multi-output scan: adds it to the left side and tries the threshold with missing values right, then left. */
  private visitMulti(f: number, b: number, v: Float64Array, o: number, tot: Float64Array, parent: number, hasMissing: boolean, best: SmallSplit | null) {
    const { K, S, L, R, M } = this;
    for (let s = 0; s < S; s++) L[s] += v[o + s];
    for (let s = 0; s < S; s++) R[s] = tot[s] - L[s];
    if (this.ok(L, R)) {
      const gain = this.score(L, L[K]) + this.score(R, R[K]) - parent;
      if (gain > MIN_GAIN && (!best || gain > best.gain)) best = { gain, feature: f, threshold: b, missingLeft: false, cats: null };
    }
    if (hasMissing) {
      for (let s = 0; s < S; s++) { L[s] += M[s]; R[s] -= M[s]; }
      if (this.ok(L, R)) {
        const gain = this.score(L, L[K]) + this.score(R, R[K]) - parent;
        if (gain > MIN_GAIN && (!best || gain > best.gain)) best = { gain, feature: f, threshold: b, missingLeft: true, cats: null };
      }
      for (let s = 0; s < S; s++) L[s] -= M[s];
    }
    return best;
  }
}
