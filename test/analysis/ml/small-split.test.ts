import { afterEach, describe, expect, test, vi } from 'vitest';
import { MISSING_BIN, OTHER_BIN, type BinnedData } from '../../../analysis/ml/binning.js';
import { fitForest } from '../../../analysis/ml/forest.js';
import { seededRandom } from '../../../analysis/ml/random.js';
import { observeSplits, setSmallNodeRows, SmallNodes, type SmallSplit } from '../../../analysis/ml/small-split.js';
import { growTree, type Tree, type TreeParams } from '../../../analysis/ml/tree.js';

/**
 * Random binned rows: numeric features over a few bins with missing values, categorical ones with a handful of
 * frequent categories, rare ones in OTHER_BIN and missing values; gradients and hessians are non-integer, so bin
 * sums round and "parent − sibling" differs from a direct sum in the last bits, as in real fits.
 */
function randomNode(seed: number, rows: number, K: number) {
  const rand = seededRandom(seed);
  const features = 6;
  const isCategorical = Uint8Array.from({ length: features }, (_, f) => (f >= 4 ? 1 : 0));
  const bins = new Uint8Array(features * rows);
  for (let f = 0; f < features; f++) {
    const levels = 2 + Math.floor(rand() * (f % 2 ? 40 : 8));
    for (let r = 0; r < rows; r++) {
      const u = rand();
      bins[f * rows + r] = u < 0.12 ? MISSING_BIN : isCategorical[f] && u < 0.2 ? OTHER_BIN : Math.floor(rand() * levels);
    }
  }
  const grad = Float64Array.from({ length: rows * K }, () => rand() * 4 - 1.3);
  const hess = Float64Array.from({ length: rows }, () => 0.2 + rand() * 1.7);
  const data: BinnedData = { rows, features, bins, isCategorical };
  return { data, g: { outputs: K, grad, hess }, rand };
}

/** The tree and every split with its gain, with nodes up to `limit` rows on the small path (0: none). */
function grow(limit: number, seed: number, rows: number, K: number, params: Omit<TreeParams, 'rand'>) {
  const { data, g } = randomNode(seed, rows, K);
  // A bootstrap-like subset, so row order and membership are not trivial.
  const pick = seededRandom(seed + 1);
  const subset = Int32Array.from(Array.from({ length: rows }, (_, i) => i).filter(() => pick() < 0.8));
  const splits: { node: number; split: SmallSplit }[] = [];
  const before = setSmallNodeRows(limit);
  observeSplits((node, split) => splits.push({ node, split: { ...split } }));
  try {
    const { tree } = growTree(data, g, subset, { ...params, rand: seededRandom(seed + 2) });
    return { tree, splits };
  } finally {
    observeSplits(null);
    setSmallNodeRows(before);
  }
}

const configs: { name: string; K: number; params: Omit<TreeParams, 'rand'> }[] = [
  { name: 'regression forest tree (all features, deep)', K: 1, params: { maxLeaves: Infinity, maxDepth: 24, minSamplesLeaf: 1, l2: 0, featureFraction: 1 } },
  { name: 'classification forest tree (features sampled per node)', K: 1, params: { maxLeaves: Infinity, maxDepth: 24, minSamplesLeaf: 2, l2: 0, featureFraction: 0.5 } },
  { name: 'multi-output forest tree (3 classes, all features)', K: 3, params: { maxLeaves: Infinity, maxDepth: 12, minSamplesLeaf: 1, l2: 0, featureFraction: 1 } },
  { name: 'multi-output forest tree (features sampled per node)', K: 3, params: { maxLeaves: Infinity, maxDepth: 24, minSamplesLeaf: 3, l2: 0, featureFraction: 0.6 } },
  { name: 'boosting tree (best-first, 31 leaves, L2)', K: 1, params: { maxLeaves: 31, maxDepth: Infinity, minSamplesLeaf: 5, l2: 1, featureFraction: 1 } },
  { name: 'boosting tree with a column subset', K: 1, params: { maxLeaves: 15, maxDepth: 6, minSamplesLeaf: 10, l2: 0.5, featureFraction: 1, allowed: [0, 2, 3, 5] } },
];

afterEach(() => { vi.restoreAllMocks(); });

describe('small-node split finder', () => {
  for (const c of configs) {
    test(`picks the histogram path's splits with the same gains: ${c.name}`, () => {
      const used = vi.spyOn(SmallNodes.prototype, 'findSplit');
      for (let seed = 1; seed <= 12; seed++) {
        const rows = 60 + ((seed * 37) % 400);
        used.mockClear();
        const dense = grow(0, seed, rows, c.K, c.params);
        expect(used).not.toHaveBeenCalled();
        expect(dense.splits.length).toBeGreaterThan(2);
        // Every node small, and a limit that makes nodes change path half way down (dense parent, sparse children).
        for (const limit of [1e9, 40]) {
          const small = grow(limit, seed, rows, c.K, c.params);
          expect(small.splits, `seed ${seed}, limit ${limit}`).toEqual(dense.splits);
          expect(small.tree).toEqual(dense.tree);
        }
        expect(used).toHaveBeenCalled();
      }
    });
  }

  test("a tree's own lower limit (boosting's) keeps larger nodes on the dense path, with the same tree", () => {
    const params = configs.find((c) => c.name.startsWith('boosting tree (best-first'))!.params;
    const used = vi.spyOn(SmallNodes.prototype, 'fits');
    const dense = grow(0, 5, 400, 1, params);
    used.mockClear();
    const capped = grow(1e9, 5, 400, 1, { ...params, smallNodeRows: 64 });
    expect(capped.tree).toEqual(dense.tree);
    expect(capped.splits).toEqual(dense.splits);
    // The module's limit (1e9) would put every node on the small path; the tree's own 64 decides instead.
    const asked = used.mock.calls.map(([rows], i) => ({ rows, small: used.mock.results[i].value as boolean }));
    expect(asked.some((a) => a.rows > 64)).toBe(true);
    for (const a of asked) expect(a.small).toBe(a.rows <= 64);
  });

  test('finds the split of a single small node exactly as a root histogram does, categorical splits included', () => {
    let categorical = 0, missingLeft = 0;
    for (let seed = 100; seed < 160; seed++) {
      const K = seed % 3 === 0 ? 3 : 1;
      const params = { maxLeaves: Infinity, maxDepth: 1, minSamplesLeaf: 1 + (seed % 4), l2: seed % 2, featureFraction: 1 };
      const dense = grow(0, seed, 40 + (seed % 7) * 30, K, params), small = grow(1e9, seed, 40 + (seed % 7) * 30, K, params);
      expect(small.splits).toEqual(dense.splits);
      expect(small.tree).toEqual(dense.tree);
      if (dense.splits[0]?.split.cats) categorical++;
      if (dense.splits[0]?.split.missingLeft) missingLeft++;
    }
    // The random nodes do exercise both kinds of split and missing values sent left.
    expect(categorical).toBeGreaterThan(0);
    expect(missingLeft).toBeGreaterThan(0);
  });

  test('a whole forest is the same tree for tree with and without the small path', () => {
    const { data } = randomNode(7, 500, 1);
    const rand = seededRandom(3);
    const yNum = Float64Array.from({ length: 500 }, (_, r) => data.bins[r] % 7 + rand());
    const yCls = Int32Array.from({ length: 500 }, (_, r) => (data.bins[500 + r] + data.bins[4 * 500 + r]) % 3);
    const rows = Int32Array.from({ length: 500 }, (_, i) => i);
    const fit = (limit: number, classification: boolean) => {
      const before = setSmallNodeRows(limit);
      try { return fitForest(data, { yNum, yCls, classes: 3 }, rows, classification, { trees: 8 }, 5).trees; } finally { setSmallNodeRows(before); }
    };
    for (const classification of [false, true]) {
      const a: Tree[] = fit(0, classification), b: Tree[] = fit(256, classification);
      expect(b).toEqual(a);
    }
  });
});
