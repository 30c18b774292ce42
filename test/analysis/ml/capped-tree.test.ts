import { describe, expect, test } from 'vitest';
import type { BinnedData } from '../../../analysis/ml/binning.js';
import { fitForest, FOREST_DEFAULTS } from '../../../analysis/ml/forest.js';
import { GainHeap } from '../../../analysis/ml/gain-heap.js';
import { seededRandom } from '../../../analysis/ml/random.js';
import { growTree, setManyLeaves, type TreeParams } from '../../../analysis/ml/tree.js';

/** Binned rows with a noisy target that depends on three of the features. */
function table(rows: number, seed: number) {
  const rand = seededRandom(seed);
  const features = 5;
  const bins = new Uint8Array(features * rows);
  for (let i = 0; i < bins.length; i++) bins[i] = Math.floor(rand() * 200);
  const y = Float64Array.from({ length: rows }, (_, r) => (bins[r] > 100 ? 8 : 0) + (bins[rows + r] % 7) + rand() * 5 + (bins[2 * rows + r] > 50 ? 3 : 0));
  const data: BinnedData = { rows, features, bins, isCategorical: new Uint8Array(features) };
  return { data, y };
}

const leavesOf = (t: { feature: number[] }) => t.feature.filter((f) => f < 0).length;

describe('GainHeap', () => {
  test('pops the largest key first and equal keys in the order they were pushed', () => {
    const rand = seededRandom(3);
    const heap = new GainHeap<number>();
    const pushed = Array.from({ length: 500 }, (_, i) => ({ i, key: Math.floor(rand() * 20) }));
    for (const p of pushed) heap.push(p.i, p.key);
    const expected = [...pushed].sort((a, b) => b.key - a.key || a.i - b.i).map((p) => p.i);
    const popped: number[] = [];
    while (heap.size) popped.push(heap.pop()!);
    expect(popped).toEqual(expected);
    expect(heap.pop()).toBeUndefined();
  });
});

describe('trees with a leaf cap in the thousands', () => {
  const params: Omit<TreeParams, 'rand'> = { maxLeaves: 1500, maxDepth: 24, minSamplesLeaf: 1, l2: 0, featureFraction: 1 };
  const grow = (heapAbove: number, maxLeaves: number) => {
    const { data, y } = table(20_000, 11);
    let mean = 0; for (const v of y) mean += v / y.length;
    // Continuous gradients: no two candidate splits tie, so the order nodes are grown in is the gains' alone (sums
    // built directly or by subtraction differ in their last bits, far below the gaps between gains).
    const grad = Float64Array.from(y, (v) => mean - v), hess = new Float64Array(y.length).fill(1);
    const before = setManyLeaves(heapAbove);
    try {
      return growTree(data, { outputs: 1, grad, hess }, Int32Array.from({ length: y.length }, (_, i) => i), { ...params, maxLeaves, rand: seededRandom(1) });
    } finally { setManyLeaves(before); }
  };

  test('grow the same best-first tree from a heap, without a histogram per open node, as the scan of every open node', () => {
    const scanned = grow(Infinity, 1500), heaped = grow(1024, 1500);
    expect(leavesOf(heaped.tree)).toBe(1500);
    expect(heaped.tree).toEqual(scanned.tree);
  });

  test('stop at the cap, and the leaves still partition the rows', () => {
    const capped = grow(1024, 1500), free = grow(1024, Infinity);
    expect(leavesOf(free.tree)).toBeGreaterThan(1500);
    expect(leavesOf(capped.tree)).toBe(1500);
    // Each leaf's rows are one segment of the reordered rows, the segments side by side from 0 to the last row.
    const segments = [...capped.leaves].sort((a, b) => a.start - b.start);
    let at = 0;
    for (const leaf of segments) {
      expect(capped.tree.feature[leaf.node]).toBe(-1);
      expect(leaf.start).toBe(at);
      at = leaf.end;
    }
    expect(at).toBe(20_000);
    // The root's split does not depend on the order leaves are grown in.
    expect(capped.tree.feature[0]).toBe(free.tree.feature[0]);
    expect(capped.tree.threshold[0]).toBe(free.tree.threshold[0]);
  });

  test('a cap the rows cannot reach grows the tree depth-first, as without a cap', () => {
    const { data, y } = table(3000, 4);
    const fit = (maxLeaves: number) => fitForest(data, { yNum: y, yCls: new Int32Array(3000), classes: 0 }, Int32Array.from({ length: 3000 }, (_, i) => i), false, { trees: 3, maxLeaves }, 9);
    expect(fit(15_000).trees).toEqual(fit(Infinity).trees);
  });

  test("a forest's trees on a large table stop at the default cap", () => {
    expect(FOREST_DEFAULTS.maxLeaves).toBe(15_000);
    const rows = 200_000;
    const { data, y } = table(rows, 5);
    const fit = (maxLeaves?: number) => fitForest(data, { yNum: y, yCls: new Int32Array(rows), classes: 0 }, Int32Array.from({ length: rows }, (_, i) => i), false, { trees: 1, ...(maxLeaves ? { maxLeaves } : {}) }, 9);
    expect(leavesOf(fit(Infinity).trees[0])).toBeGreaterThan(20_000);
    expect(leavesOf(fit().trees[0])).toBe(15_000);
  });
});
