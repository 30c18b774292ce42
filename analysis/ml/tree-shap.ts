import type { BinnedData } from './binning.js';
import { goesLeft, type Tree } from './tree.js';

interface PathElement { feature: number; zero: number; one: number; weight: number }

/** Grows the path by one split, updating the permutation weights (Lundberg et al. 2018, algorithm 2). */
function extend(path: PathElement[], depth: number, zero: number, one: number, feature: number) {
  path[depth] = { feature, zero, one, weight: depth === 0 ? 1 : 0 };
  for (let i = depth - 1; i >= 0; i--) {
    path[i + 1].weight += (one * path[i].weight * (i + 1)) / (depth + 1);
    path[i].weight = (zero * path[i].weight * (depth - i)) / (depth + 1);
  }
}

/** Undoes `extend` for the element at `index` (a feature met again deeper in the tree). */
function unwind(path: PathElement[], depth: number, index: number) {
  const { one, zero } = path[index];
  let next = path[depth].weight;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = path[i].weight;
      path[i].weight = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (path[i].weight * zero * (depth - i)) / (depth + 1);
    } else {
      path[i].weight = (path[i].weight * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) path[i] = { ...path[i + 1], weight: path[i].weight };
}

/** The total weight of the path with element `index` unwound, without changing the path. */
function unwoundSum(path: PathElement[], depth: number, index: number): number {
  const { one, zero } = path[index];
  let next = path[depth].weight, total = 0;
  if (one !== 0) {
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = next / ((i + 1) * one);
      total += tmp;
      next = path[i].weight - tmp * zero * (depth - i);
    }
  } else {
    for (let i = depth - 1; i >= 0; i--) total += path[i].weight / (zero * (depth - i));
  }
  return total * (depth + 1);
}

/**
 * Exact TreeSHAP (path-dependent) for one row of `data`: adds each feature's contribution to `phi`
 * (`phi[feature * outputs + k]`). Contributions plus `expectedValue(tree)` sum to the tree's output for the row.
 */
export function treeShap(tree: Tree, data: BinnedData, row: number, phi: Float64Array) {
  const K = tree.outputs;
  const recurse = (node: number, parentPath: PathElement[], depth: number, zero: number, one: number, feature: number) => {
    const path = parentPath.slice(0, depth).map((e) => ({ ...e }));
    extend(path, depth, zero, one, feature);
    const split = tree.feature[node];
    if (split < 0) {
      for (let i = 1; i <= depth; i++) {
        const w = unwoundSum(path, depth, i), e = path[i];
        for (let k = 0; k < K; k++) phi[e.feature * K + k] += w * (e.one - e.zero) * tree.value[node * K + k];
      }
      return;
    }
    const left = goesLeft(tree, node, data, row);
    const hot = left ? tree.left[node] : tree.right[node], cold = left ? tree.right[node] : tree.left[node];
    let inZero = 1, inOne = 1, d = depth;
    const seen = path.findIndex((e, i) => i > 0 && i <= depth && e.feature === split);
    if (seen > 0) {
      inZero = path[seen].zero; inOne = path[seen].one;
      unwind(path, depth, seen);
      d -= 1;
    }
    const cover = tree.cover[node];
    recurse(hot, path, d + 1, (tree.cover[hot] / cover) * inZero, inOne, split);
    recurse(cold, path, d + 1, (tree.cover[cold] / cover) * inZero, 0, split);
  };
  recurse(0, [], 0, 1, 1, -1);
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
