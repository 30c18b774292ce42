import type { BinnedData } from './binning.js';
import { goesLeft, type Tree } from './tree.js';

/**
 * The paths of one TreeSHAP walk, flat: the path at recursion level `l` starts at `l (l + 1) / 2` (level l holds
 * up to l + 1 elements), so no level allocates (Lundberg et al.'s layout). Deep forest trees visit every node per
 * row with paths of 20+ elements, and copying object paths at each node cost most of the time.
 */
interface Paths { feature: Int32Array; zero: Float64Array; one: Float64Array; weight: Float64Array }

const depthCache = new WeakMap<Tree, number>();
/** Levels of a tree (a lone leaf has 1). */
function levels(tree: Tree): number {
  let d = depthCache.get(tree);
  if (d === undefined) {
    const walk = (node: number): number => (tree.feature[node] < 0 ? 1 : 1 + Math.max(walk(tree.left[node]), walk(tree.right[node])));
    d = walk(0);
    depthCache.set(tree, d);
  }
  return d;
}

let scratch: Paths | null = null;
function pathsFor(levelCount: number): Paths {
  const size = ((levelCount + 2) * (levelCount + 3)) / 2;
  if (!scratch || scratch.feature.length < size) scratch = { feature: new Int32Array(size), zero: new Float64Array(size), one: new Float64Array(size), weight: new Float64Array(size) };
  return scratch;
}

/** Grows the path at `p` (elements p..p+depth) by one split, updating the permutation weights (algorithm 2). */
function extend(P: Paths, p: number, depth: number, zero: number, one: number, feature: number) {
  const w = P.weight;
  P.feature[p + depth] = feature; P.zero[p + depth] = zero; P.one[p + depth] = one; w[p + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    w[p + i + 1] += (one * w[p + i] * (i + 1)) / (depth + 1);
    w[p + i] = (zero * w[p + i] * (depth - i)) / (depth + 1);
  }
}

/** Undoes `extend` for the element at `index` (a feature met again deeper in the tree). */
function unwind(P: Paths, p: number, depth: number, index: number) {
  const w = P.weight, one = P.one[p + index], zero = P.zero[p + index];
  let next = w[p + depth];
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = w[p + i];
      w[p + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (w[p + i] * zero * (depth - i)) / (depth + 1);
    } else {
      w[p + i] = (w[p + i] * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) { P.feature[p + i] = P.feature[p + i + 1]; P.zero[p + i] = P.zero[p + i + 1]; P.one[p + i] = P.one[p + i + 1]; }
}

/** The total weight of the path with element `index` unwound, without changing the path. */
function unwoundSum(P: Paths, p: number, depth: number, index: number): number {
  const w = P.weight, one = P.one[p + index], zero = P.zero[p + index];
  let next = w[p + depth], total = 0;
  if (one !== 0) {
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = next / ((i + 1) * one);
      total += tmp;
      next = w[p + i] - tmp * zero * (depth - i);
    }
  } else {
    for (let i = depth - 1; i >= 0; i--) total += w[p + i] / (zero * (depth - i));
  }
  return total * (depth + 1);
}

/**
 * Exact TreeSHAP (path-dependent) for one row of `data`: adds each feature's contribution to `phi`
 * (`phi[feature * outputs + k]`). Contributions plus `expectedValue(tree)` sum to the tree's output for the row.
 */
export function treeShap(tree: Tree, data: BinnedData, row: number, phi: Float64Array) {
  const K = tree.outputs;
  const P = pathsFor(levels(tree));
  // `p` is where this level's path starts, `parent` the parent level's: the parent's depth elements are copied over.
  const recurse = (node: number, level: number, parent: number, depth: number, zero: number, one: number, feature: number) => {
    const p = (level * (level + 1)) / 2;
    if (level > 0) {
      P.feature.copyWithin(p, parent, parent + depth); P.zero.copyWithin(p, parent, parent + depth);
      P.one.copyWithin(p, parent, parent + depth); P.weight.copyWithin(p, parent, parent + depth);
    }
    extend(P, p, depth, zero, one, feature);
    const split = tree.feature[node];
    if (split < 0) {
      for (let i = 1; i <= depth; i++) {
        const w = unwoundSum(P, p, depth, i), scale = w * (P.one[p + i] - P.zero[p + i]), f = P.feature[p + i];
        for (let k = 0; k < K; k++) phi[f * K + k] += scale * tree.value[node * K + k];
      }
      return;
    }
    const left = goesLeft(tree, node, data, row);
    const hot = left ? tree.left[node] : tree.right[node], cold = left ? tree.right[node] : tree.left[node];
    let inZero = 1, inOne = 1, d = depth;
    let seen = -1;
    for (let i = 1; i <= depth; i++) if (P.feature[p + i] === split) { seen = i; break; }
    if (seen > 0) {
      inZero = P.zero[p + seen]; inOne = P.one[p + seen];
      unwind(P, p, depth, seen);
      d -= 1;
    }
    const cover = tree.cover[node];
    recurse(hot, level + 1, p, d + 1, (tree.cover[hot] / cover) * inZero, inOne, split);
    recurse(cold, level + 1, p, d + 1, (tree.cover[cold] / cover) * inZero, 0, split);
  };
  recurse(0, 0, 0, 0, 1, 1, -1);
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
