import { describe, expect, test } from 'vitest';
import { applyBinner, fitBinner, MISSING_BIN } from '../../../analysis/ml/binning.js';
import { fitGbdt, gbdtTreeValues, predictGbdt, predictGbdtChanged, type Objective } from '../../../analysis/ml/gbdt.js';
import { buildHistogram } from '../../../analysis/ml/hist-kernel.js';
import { setHistWasm, wasmHistFor } from '../../../analysis/ml/hist-wasm.js';
import { withoutRows } from '../../../analysis/ml/folds.js';
import { aucBound, findLeaks } from '../../../analysis/ml/leakage.js';
import { rocAuc } from '../../../analysis/ml/metrics.js';
import { sortNumbers } from '../../../analysis/ml/sort-numbers.js';
import { seededRandom } from '../../../analysis/ml/random.js';
import { leafOf, rowMajorBins } from '../../../analysis/ml/tree.js';
import { fitForest } from '../../../analysis/ml/forest.js';
import { sampleCorrelation } from 'simple-statistics';

// The speed-ups of the GBDT fit and the train stage replace code whose results are kept: these tests hold each
// fast path to the exact (bit-for-bit) output of the straightforward one.

function table(rows: number, seed: number) {
  const rand = seededRandom(seed);
  const cols: Record<string, unknown[]> = {};
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  for (const k of names) cols[k] = [];
  for (let i = 0; i < rows; i++) {
    cols.a.push(rand() * 10); cols.b.push(rand() < 0.2 ? null : rand() * 5); cols.c.push(['x', 'y', 'z', 'w'][Math.floor(rand() * 4)]);
    cols.d.push(Math.floor(rand() * 4)); cols.e.push(rand()); cols.f.push(rand() < 0.5 ? null : rand()); cols.g.push(rand() * 100);
  }
  const inputs = names.map((name) => ({ name, type: name === 'c' ? 'categorical' as const : 'float' as const }));
  const data = applyBinner(fitBinner(cols, inputs, 1), cols, rows);
  const y = Array.from({ length: rows }, (_, i) => (cols.a[i] as number) + ((cols.b[i] as number | null) ?? 2) * (cols.e[i] as number) + (cols.c[i] === 'y' ? 2 : 0) + rand());
  return { data, yNum: Float64Array.from(y), yCls: Int32Array.from(y, (v) => (v > 6 ? (v > 9 ? 2 : 1) : 0)) };
}

describe('the WebAssembly histogram kernel', () => {
  const { data } = table(5000, 3);
  const F = data.features, size = F * 256 * 3;
  const rand = seededRandom(9);
  const grad = Float64Array.from({ length: data.rows }, () => rand() - 0.5), hess = Float64Array.from({ length: data.rows }, () => rand() * 0.25);
  // A node's rows: a sorted subset, as partitioning leaves them.
  const rows = Int32Array.from({ length: data.rows }, (_, i) => i).filter(() => rand() < 0.6);
  const wasm = wasmHistFor(data)!;

  const viaWasm = (feats: number[], start: number, m: number, parent: Float64Array | null) => {
    for (let i = 0; i < rows.length; i++) { const r = rows[i]; wasm.gh[2 * r] = grad[r]; wasm.gh[2 * r + 1] = hess[r]; }
    wasm.rows.set(rows.subarray(start, start + m));
    wasm.feats.set(feats);
    const hist = wasm.take(), large = parent ? wasm.take() : null;
    if (large && parent) large.set(parent);
    hist.fill(0);
    wasm.run(hist, large, m, feats.length);
    const out = { hist: Float64Array.from(hist), large: large ? Float64Array.from(large) : null };
    wasm.give(hist); if (large) wasm.give(large);
    return out;
  };
  const viaJs = (feats: number[], start: number, m: number, parent: Float64Array | null) => {
    const hist = new Float64Array(size), large = parent ? Float64Array.from(parent) : null;
    buildHistogram(hist, large, rowMajorBins(data), F, feats, 0, feats.length, rows, start, m, grad, hess);
    return { hist, large };
  };

  test('fills the same histogram as the JavaScript kernel, bit for bit: every feature, a subset, and parent − child', () => {
    expect(wasm).not.toBeNull();
    const everyFeature = Array.from({ length: F }, (_, f) => f);
    const a = viaWasm(everyFeature, 0, rows.length, null), b = viaJs(everyFeature, 0, rows.length, null);
    expect(a.hist.some((v) => v !== 0)).toBe(true);
    expect(Buffer.from(a.hist.buffer).equals(Buffer.from(b.hist.buffer))).toBe(true);
    // A subset of features (column subsampling, forests) and an odd number of them (the four-at-a-time loop's tail).
    const subset = [1, 2, 4, 5, 6];
    const parent = b.hist;
    const c = viaWasm(subset, 100, 1234, parent), d = viaJs(subset, 100, 1234, parent);
    for (const f of subset) {
      const span = [f * 768, (f + 1) * 768] as const;
      expect(Array.from(c.hist.subarray(...span))).toEqual(Array.from(d.hist.subarray(...span)));
      expect(Array.from(c.large!.subarray(...span))).toEqual(Array.from(d.large!.subarray(...span)));
    }
    // The sibling's counts are what is left of the parent's rows.
    const countOf = (h: Float64Array, f: number) => { let s = 0; for (let b = 0; b < 256; b++) s += h[(f * 256 + b) * 3 + 2]; return s; };
    expect(countOf(c.large!, 1)).toBe(rows.length - 1234);
  });

  test('fits grown with it are the trees of the JavaScript kernel, for every objective with row and column subsampling', () => {
    const { data: d2, yNum, yCls } = table(3000, 4);
    const rows = Int32Array.from({ length: 3000 }, (_, i) => i);
    const cases: [Objective, number][] = [['squared_error', 0], ['absolute_error', 0], ['binary', 2], ['multiclass', 3]];
    for (const [obj, classes] of cases) {
      const y = { yNum, yCls: obj === 'binary' ? Int32Array.from(yCls, (c) => (c > 0 ? 1 : 0)) : yCls, classes };
      const params = { maxIter: 12, subsample: 0.8, colsample: 0.7 };
      const fast = fitGbdt(d2, y, rows, obj, params, 2);
      setHistWasm(false);
      try {
        expect(wasmHistFor(d2)).toBeNull();
        expect(JSON.stringify(fitGbdt(d2, y, rows, obj, params, 2))).toBe(JSON.stringify(fast));
      } finally { setHistWasm(true); }
    }
  });
});

describe('permutation importance re-walks only the trees that use the shuffled feature', () => {
  const { data, yNum, yCls } = table(4000, 5);
  const rows = Int32Array.from({ length: 3000 }, (_, i) => i), idx = Array.from({ length: 1000 }, (_, i) => 3000 + i);
  const cases: [Objective, number][] = [['squared_error', 0], ['binary', 2], ['multiclass', 3]];
  test.each(cases)('%s: predictions equal a full prediction on the permuted rows, bit for bit', (obj, classes) => {
    const m = fitGbdt(data, { yNum, yCls: obj === 'binary' ? Int32Array.from(yCls, (c) => (c > 0 ? 1 : 0)) : yCls, classes }, rows, obj, { maxIter: 20 }, 1);
    const base = gbdtTreeValues(m, data, idx);
    let skipped = 0;
    for (let f = 0; f < data.features; f++) {
      const bins = data.bins.slice();
      for (let r = 0; r < data.rows; r++) bins[f * data.rows + r] = data.bins[f * data.rows + ((r * 7919) % data.rows)];
      const permuted = { ...data, bins };
      const fast = predictGbdtChanged(m, permuted, idx, base, [f]);
      expect(Buffer.from(fast.buffer).equals(Buffer.from(predictGbdt(m, permuted, idx).buffer))).toBe(true);
      skipped += m.trees.flat().filter((t) => !t.feature.includes(f)).length;
    }
    // Some trees did not need walking again (else the fast path would buy nothing).
    expect(skipped).toBeGreaterThan(0);
  });
});

describe('ROC AUC by sorted scores', () => {
  test('equals the pairwise definition (ties count half) on tied and untied scores', () => {
    const rand = seededRandom(12);
    for (let t = 0; t < 40; t++) {
      const n = 5 + Math.floor(rand() * 200), levels = 1 + Math.floor(rand() * 12);
      const y = Array.from({ length: n }, () => (rand() < 0.35 ? 1 : 0));
      const s = Array.from({ length: n }, () => (t % 2 ? Math.floor(rand() * levels) : rand()));
      let wins = 0, pairs = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        if (y[i] !== 1 || y[j] !== 0) continue;
        pairs++; wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
      expect(rocAuc(y, s)).toBeCloseTo(pairs ? wins / pairs : 0.5, 12);
    }
  });
});

describe('the leakage check\'s AUC bound without sorting', () => {
  test('never falls below the exact max(AUC, 1 − AUC), so a column it clears is no leak; close on spread scores', () => {
    const rand = seededRandom(21);
    let tight = 0;
    for (let t = 0; t < 60; t++) {
      const n = 30 + Math.floor(rand() * 3000), levels = 2 + Math.floor(rand() * 30);
      const y = Int32Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0));
      // Continuous, tied (few levels), skewed (most values in one bucket) and nearly separating scores.
      const x = Float64Array.from(y, (c) => [rand(), Math.floor(rand() * levels), Math.exp(8 * rand()) ** 3, c + rand() * (0.5 + (t % 5) / 4)][t % 4]);
      const auc = rocAuc(y, x), exact = Math.max(auc, 1 - auc), bound = aucBound(x, y);
      expect(bound).toBeGreaterThanOrEqual(exact - 1e-12);
      if (t % 4 === 0 && bound - exact < 0.01) tight++;
    }
    expect(tight).toBeGreaterThanOrEqual(14); // of 15 continuous cases: the bound settles them without the sort
    // Through findLeaks: a column separating the classes (AUC 1) is still found, an unrelated one is not.
    const n = 2000, y = Int32Array.from({ length: n }, (_, i) => i % 2);
    const leaks = findLeaks({ sep: Array.from(y, (c) => c * 5 + rand()), noise: Array.from(y, () => rand()) },
      [{ name: 'sep', type: 'float' }, { name: 'noise', type: 'float' }], 'classification', new Float64Array(n), y, 2);
    expect(leaks.map((l) => [l.column, l.strength])).toEqual([['sep', 1]]);
  });
});

describe('the radix sort of numbers', () => {
  test('orders exactly as Float64Array.prototype.sort, signed zeros, infinities, ties and subnormals included', () => {
    const rand = seededRandom(21);
    const special = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1];
    const kinds: (() => number)[] = [
      () => rand() * 10, () => (rand() - 0.5) * 1e9, () => Math.floor(rand() * 50) - 25,
      () => special[Math.floor(rand() * special.length)] * (rand() < 0.5 ? 1 : rand()), () => 2 ** Math.floor(rand() * 200 - 100) * (rand() < 0.5 ? -1 : 1),
    ];
    for (const make of kinds) {
      // Sizes on both sides of the cut-over to V8's own sort.
      for (const n of [100, 20_000, 50_001]) {
        const values = Float64Array.from({ length: n }, make);
        const expected = values.slice().sort();
        const got = sortNumbers(values);
        expect(got).toBe(values); // in place
        expect(Buffer.from(got.buffer).equals(Buffer.from(expected.buffer))).toBe(true); // bit for bit: -0 before +0
      }
    }
  });
});

describe('the faster parts of preparing a table', () => {
  test('numbers are binned as the count of thresholds below them, values on a threshold and infinities included', () => {
    const rand = seededRandom(31);
    for (const distinct of [3, 40, 254, 5000]) {
      const n = 3000;
      const x: (number | null)[] = Array.from({ length: n }, () => Math.floor(rand() * distinct) / 7);
      const [f] = fitBinner({ x }, [{ name: 'x', type: 'float' }], 1);
      if (f.kind !== 'numeric') throw new Error('numeric expected');
      // Rows exactly on thresholds, between them, beyond both ends, and missing.
      x.push(...f.thresholds, ...f.thresholds.map((v) => v + 1e-9), -1e9, 1e9, Infinity, -Infinity, NaN, null);
      const { bins } = applyBinner([f], { x }, x.length);
      const expected = x.map((v) => (v === null || Number.isNaN(v) ? MISSING_BIN : v === Infinity ? f.thresholds.length : v === -Infinity ? 0
        : f.thresholds.filter((t) => t < v).length));
      expect(Array.from(bins)).toEqual(expected);
    }
  });

  test('withoutRows equals filtering the dropped rows out', () => {
    const rand = seededRandom(5);
    const rows = Array.from({ length: 3000 }, (_, i) => i * 2).filter(() => rand() < 0.8);
    const drop = rows.filter(() => rand() < 0.3).concat([1, 100_000]); // rows not listed are ignored
    const expected = Int32Array.from(rows.filter((r) => !drop.includes(r))).sort();
    expect(Array.from(withoutRows(rows, drop))).toEqual(Array.from(expected));
  });

  test('the leakage check measures R² as simple-statistics\' sample correlation does, skipping missing values', () => {
    const rand = seededRandom(8);
    const n = 500;
    const y = Float64Array.from({ length: n }, () => rand() * 10);
    const x = Array.from(y, (v, i) => (i % 7 === 0 ? null : 3 * v + 0.001 * rand()));
    const leaks = findLeaks({ x }, [{ name: 'x', type: 'float' }], 'regression', y, new Int32Array(n), 0);
    const kept = x.map((v, i) => [v, y[i]] as const).filter(([v]) => v !== null) as [number, number][];
    const r = sampleCorrelation(kept.map(([v]) => v), kept.map(([, t]) => t));
    expect(leaks).toHaveLength(1);
    expect(leaks[0].strength).toBeCloseTo(r * r, 12);
    // A constant column ties to nothing (the library gives NaN there; the check must not call it a leak).
    expect(findLeaks({ c: Array.from({ length: n }, () => 4) }, [{ name: 'c', type: 'float' }], 'regression', y, new Int32Array(n), 0)).toEqual([]);
  });
});

describe('compiled trees for prediction', () => {
  test('numeric nodes compare thresholds, categorical nodes look up their table: the leaves of the go-left definition', () => {
    const { data, yNum, yCls } = table(3000, 17);
    const all = Int32Array.from({ length: data.rows }, (_, i) => i);
    const gbdt = fitGbdt(data, { yNum, yCls, classes: 3 }, all, 'multiclass', { maxIter: 5 }, 1);
    const forest = fitForest(data, { yNum, yCls, classes: 3 }, all, true, { trees: 3 }, 1);
    const trees = [...gbdt.trees.flat(), ...forest.trees];
    // The definition: left when the bin is at most the threshold, the missing bin where the split sent missing
    // values; a categorical node sends left the bins it lists (missing included when listed).
    const goes = (t: (typeof trees)[number], node: number, bin: number) => (t.cats[node]
      ? t.cats[node]!.includes(bin) : bin === 255 ? t.missing_left[node] : bin <= t.threshold[node]);
    let categorical = 0, missing = 0;
    for (const t of trees) {
      categorical += t.cats.filter((c, i) => c && t.feature[i] >= 0).length;
      for (let r = 0; r < data.rows; r++) {
        let node = 0;
        while (t.feature[node] >= 0) {
          const bin = data.bins[t.feature[node] * data.rows + r];
          if (bin === 255) missing++;
          node = goes(t, node, bin) ? t.left[node] : t.right[node];
        }
        expect(leafOf(t, data, r)).toBe(node);
      }
    }
    // Both kinds of node and missing values were walked (else this would check less than it says).
    expect(categorical).toBeGreaterThan(0);
    expect(missing).toBeGreaterThan(0);
  });
});
