import type { BinnedData } from './binning.js';
import { goesLeft, type Tree } from './tree.js';

// The path of features met from the root, one segment per recursion level in flat typed arrays (the element
// objects and array copies of a direct transcription cost ~5× more): feature, zero/one fractions, weight.
let pf = new Int32Array(0), pz = new Float64Array(0), po = new Float64Array(0), pw = new Float64Array(0);

/** Grows the path at `at` by one split, updating the permutation weights (Lundberg et al. 2018, algorithm 2). */
function extend(at: number, depth: number, zero: number, one: number, feature: number) {
  pf[at + depth] = feature; pz[at + depth] = zero; po[at + depth] = one; pw[at + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    pw[at + i + 1] += (one * pw[at + i] * (i + 1)) / (depth + 1);
    pw[at + i] = (zero * pw[at + i] * (depth - i)) / (depth + 1);
  }
}

/** Undoes `extend` for the element at `index` (a feature met again deeper in the tree). */
function unwind(at: number, depth: number, index: number) {
  const one = po[at + index], zero = pz[at + index];
  let next = pw[at + depth];
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = pw[at + i];
      pw[at + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (pw[at + i] * zero * (depth - i)) / (depth + 1);
    } else {
      pw[at + i] = (pw[at + i] * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) { pf[at + i] = pf[at + i + 1]; pz[at + i] = pz[at + i + 1]; po[at + i] = po[at + i + 1]; }
}

/** The total weight of the path with element `index` unwound, without changing the path. */
function unwoundSum(at: number, depth: number, index: number): number {
  const one = po[at + index], zero = pz[at + index];
  let next = pw[at + depth], total = 0;
  if (one !== 0) {
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = next / ((i + 1) * one);
      total += tmp;
      next = pw[at + i] - tmp * zero * (depth - i);
    }
  } else {
    for (let i = depth - 1; i >= 0; i--) total += pw[at + i] / (zero * (depth - i));
  }
  return total * (depth + 1);
}

const depths = new WeakMap<Tree, number>();
function depthOf(tree: Tree): number {
  let d = depths.get(tree);
  if (d === undefined) {
    const walk = (node: number): number => (tree.feature[node] < 0 ? 0 : 1 + Math.max(walk(tree.left[node]), walk(tree.right[node])));
    depths.set(tree, d = walk(0));
  }
  return d;
}

/**
 * Exact TreeSHAP (path-dependent) for one row of `data`: adds each feature's contribution to `phi`
 * (`phi[feature * outputs + k]`). Contributions plus `expectedValue(tree)` sum to the tree's output for the row.
 */
export function treeShap(tree: Tree, data: BinnedData, row: number, phi: Float64Array) {
  const K = tree.outputs;
  // A level's path has at most level + 1 elements; the leaves are at most depth + 1 levels down.
  const D = depthOf(tree) + 2;
  if (pf.length < D * D) { pf = new Int32Array(D * D); pz = new Float64Array(D * D); po = new Float64Array(D * D); pw = new Float64Array(D * D); }
  const recurse = (node: number, level: number, depth: number, zero: number, one: number, feature: number) => {
    const at = level * D, from = at - D;
    for (let i = 0; i < depth; i++) { pf[at + i] = pf[from + i]; pz[at + i] = pz[from + i]; po[at + i] = po[from + i]; pw[at + i] = pw[from + i]; }
    extend(at, depth, zero, one, feature);
    const split = tree.feature[node];
    if (split < 0) {
      for (let i = 1; i <= depth; i++) {
        const w = unwoundSum(at, depth, i), f = pf[at + i], oz = po[at + i] - pz[at + i];
        for (let k = 0; k < K; k++) phi[f * K + k] += w * oz * tree.value[node * K + k];
      }
      return;
    }
    const left = goesLeft(tree, node, data, row);
    const hot = left ? tree.left[node] : tree.right[node], cold = left ? tree.right[node] : tree.left[node];
    let inZero = 1, inOne = 1, d = depth;
    let seen = -1;
    for (let i = 1; i <= depth; i++) if (pf[at + i] === split) { seen = i; break; }
    if (seen > 0) {
      inZero = pz[at + seen]; inOne = po[at + seen];
      unwind(at, depth, seen);
      d -= 1;
    }
    const cover = tree.cover[node];
    recurse(hot, level + 1, d + 1, (tree.cover[hot] / cover) * inZero, inOne, split);
    recurse(cold, level + 1, d + 1, (tree.cover[cold] / cover) * inZero, 0, split);
  };
  recurse(0, 0, 0, 1, 1, -1);
}

/** The cover-weighted mean output of a tree: what TreeSHAP contributions are measured from. */
export function expectedValue(tree: Tree): number[] {
  const K = tree.outputs;
  const ev = (node: number): number[] => {
    if (tree.feature[node] < 0) return tree.value.slice(node * K, node * K + K);
    const l = tree.left[node], r = tree.right[node];
    const a = ev(l), b = ev(r), c = tree.cover[node];
    return a.map((v, k) => (tree.cover[l] * v + tree.cover[r] * b[k]) / c);
  };
  return ev(0);
}
