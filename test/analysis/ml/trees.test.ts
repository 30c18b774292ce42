import { describe, expect, test } from 'vitest';
import { applyBinner, featureValue, fitBinner, type BinnedData } from '../../../analysis/ml/binning.js';
import { driftReport, fitDrift } from '../../../analysis/ml/drift.js';
import { fitForest, predictForest } from '../../../analysis/ml/forest.js';
import { fitGbdt, gbdtMargins, predictGbdt, type Objective } from '../../../analysis/ml/gbdt.js';
import { r2, rocAuc } from '../../../analysis/ml/metrics.js';
import { predictRows } from '../../../analysis/ml/predict.js';
import { seededRandom } from '../../../analysis/ml/random.js';
import { explainRows } from '../../../analysis/ml/shap.js';
import { trainModels } from '../../../analysis/ml/train-models.js';
import { goesLeft, growTree, type Tree } from '../../../analysis/ml/tree.js';
import { expectedValue, treeShap } from '../../../analysis/ml/tree-shap.js';

type Col = { name: string; type: 'float' | 'categorical' };
function table(rows: number, seed: number, fns: Record<string, (r: () => number, i: number) => unknown>) {
  const rand = seededRandom(seed);
  const columns: Record<string, unknown[]> = {};
  for (const k of Object.keys(fns)) columns[k] = [];
  for (let i = 0; i < rows; i++) for (const [k, f] of Object.entries(fns)) columns[k].push(f(rand, i));
  return columns;
}
const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
function binned(columns: Record<string, unknown[]>, inputs: Col[]): BinnedData {
  return applyBinner(fitBinner(columns, inputs, 1), columns, columns[inputs[0].name].length);
}

/** Shapley values by enumerating every coalition, with TreeSHAP's conditional expectation (follow x on S, cover-weighted elsewhere). */
function bruteForceShapley(tree: Tree, data: BinnedData, row: number): number[] {
  const F = data.features;
  const value = (S: Set<number>) => {
    const walk = (node: number): number => {
      const f = tree.feature[node];
      if (f < 0) return tree.value[node];
      if (S.has(f)) return walk(goesLeft(tree, node, data, row) ? tree.left[node] : tree.right[node]);
      const l = tree.left[node], r = tree.right[node];
      return (tree.cover[l] * walk(l) + tree.cover[r] * walk(r)) / tree.cover[node];
    };
    return walk(0);
  };
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Array<number>(F).fill(0);
  for (let i = 0; i < F; i++) {
    for (let mask = 0; mask < 1 << F; mask++) {
      if (mask & (1 << i)) continue;
      const S = new Set<number>();
      for (let j = 0; j < F; j++) if (mask & (1 << j)) S.add(j);
      const w = (fact(S.size) * fact(F - S.size - 1)) / fact(F);
      const withI = new Set(S); withI.add(i);
      phi[i] += w * (value(withI) - value(S));
    }
  }
  return phi;
}

describe('histogram trees', () => {
  const inputs: Col[] = [{ name: 'a', type: 'float' }, { name: 'b', type: 'float' }, { name: 'c', type: 'categorical' }];
  const cols = table(3000, 1, {
    a: (r) => r() * 10, b: (r) => (r() < 0.1 ? null : r() * 10), c: (r) => ['x', 'y', 'z', 'w'][Math.floor(r() * 4)],
  });
  const data = binned(cols, inputs);

  test('gradient boosting recovers a step function with an interaction and a categorical effect (R² > 0.97)', () => {
    const y = Float64Array.from({ length: 3000 }, (_, i) => {
      const a = cols.a[i] as number, b = cols.b[i] as number | null, c = cols.c[i] as string;
      return (a > 5 ? 3 : 0) + (b === null ? -2 : b > 7 ? 2 : 0) + (c === 'x' || c === 'z' ? 1.5 : 0);
    });
    const m = fitGbdt(data, { yNum: y, yCls: new Int32Array(3000), classes: 0 }, all(3000), 'squared_error', {}, 1);
    expect(r2(y, predictGbdt(m, data, all(3000)))).toBeGreaterThan(0.97);
    // The categorical split groups {x, z} against {y, w} without one-hot encoding.
    const catSplits = m.trees.flat().flatMap((t) => t.cats.filter((c): c is number[] => c !== null));
    expect(catSplits.length).toBeGreaterThan(0);
  });

  test('boosting and the forest learn XOR, which no linear model can (AUC > 0.97)', () => {
    const yCls = Int32Array.from({ length: 3000 }, (_, i) => ((cols.a[i] as number) > 5) !== (((cols.b[i] as number | null) ?? 0) > 5) ? 1 : 0);
    const y = { yNum: new Float64Array(3000), yCls, classes: 2 };
    const train = all(2000), test = Array.from({ length: 1000 }, (_, i) => 2000 + i);
    const g = fitGbdt(data, y, train, 'binary', {}, 2);
    const p = predictGbdt(g, data, test);
    expect(rocAuc(test.map((i) => yCls[i]), test.map((_, k) => p[2 * k + 1]))).toBeGreaterThan(0.97);
    const f = fitForest(data, y, train, true, { trees: 30 }, 3);
    const q = predictForest(f, data, test);
    expect(rocAuc(test.map((i) => yCls[i]), test.map((_, k) => q[2 * k + 1]))).toBeGreaterThan(0.97);
  });

  test('absolute error resists outliers that pull squared error away', () => {
    const y = Float64Array.from({ length: 3000 }, (_, i) => (i % 50 === 0 ? 1000 : (cols.a[i] as number)));
    const abs = fitGbdt(data, { yNum: y, yCls: new Int32Array(3000), classes: 0 }, all(3000), 'absolute_error', {}, 1);
    const sq = fitGbdt(data, { yNum: y, yCls: new Int32Array(3000), classes: 0 }, all(3000), 'squared_error', {}, 1);
    const clean = Array.from({ length: 3000 }, (_, i) => i).filter((i) => i % 50 !== 0);
    const err = (m: typeof abs) => { const p = predictGbdt(m, data, clean); return clean.reduce((s, i, k) => s + Math.abs(p[k] - (cols.a[i] as number)), 0) / clean.length; };
    expect(err(abs)).toBeLessThan(0.5);
    expect(err(abs)).toBeLessThan(err(sq) / 3);
  });

  test('early stopping ends boosting when a noise target stops improving on the validation split', () => {
    const yCls = Int32Array.from({ length: 3000 }, (_, i) => (i * 7919) % 2);
    const m = fitGbdt(data, { yNum: new Float64Array(3000), yCls, classes: 2 }, all(3000), 'binary', { earlyStopping: true }, 1);
    expect(m.stopped).toBe('early_stopping');
    expect(m.iterations).toBeLessThan(100);
  });

  test('a deadline stops adding trees', () => {
    const yCls = Int32Array.from({ length: 3000 }, (_, i) => ((cols.a[i] as number) > 5 ? 1 : 0));
    const m = fitGbdt(data, { yNum: new Float64Array(3000), yCls, classes: 2 }, all(3000), 'binary', {}, 1, { deadline: Date.now() - 1 });
    expect(m).toMatchObject({ stopped: 'deadline', iterations: 1 });
  });

  test('the same seed gives the same trees', () => {
    const yCls = Int32Array.from({ length: 3000 }, (_, i) => ((cols.a[i] as number) > 5 ? 1 : 0));
    const y = { yNum: new Float64Array(3000), yCls, classes: 2 };
    expect(JSON.stringify(fitForest(data, y, all(3000), true, { trees: 5 }, 9))).toBe(JSON.stringify(fitForest(data, y, all(3000), true, { trees: 5 }, 9)));
    expect(JSON.stringify(fitGbdt(data, y, all(3000), 'binary', { subsample: 0.7, colsample: 0.7 }, 9)))
      .toBe(JSON.stringify(fitGbdt(data, y, all(3000), 'binary', { subsample: 0.7, colsample: 0.7 }, 9)));
  });
});

describe('TreeSHAP', () => {
  const inputs: Col[] = [{ name: 'a', type: 'float' }, { name: 'b', type: 'float' }, { name: 'c', type: 'categorical' }, { name: 'd', type: 'float' }];
  const cols = table(800, 5, {
    a: (r) => r() * 10, b: (r) => (r() < 0.15 ? null : r() * 10), c: (r) => ['p', 'q', 'r'][Math.floor(r() * 3)], d: (r) => r(),
  });
  const data = binned(cols, inputs);
  const yNum = Float64Array.from({ length: 800 }, (_, i) => (cols.a[i] as number) * ((cols.b[i] as number | null) ?? 3) / 10 + (cols.c[i] === 'q' ? 2 : 0) + (cols.d[i] as number));

  test('equals brute-force Shapley values on small trees, including features split on twice', () => {
    const rand = seededRandom(3);
    const grad = Float64Array.from(yNum, (v) => -v), hess = new Float64Array(800).fill(1);
    const { tree } = growTree(data, { outputs: 1, grad, hess }, all(800), { maxLeaves: 12, maxDepth: 5, minSamplesLeaf: 10, l2: 0, featureFraction: 1, rand });
    const used = tree.feature.filter((f) => f >= 0);
    expect(new Set(used).size).toBeLessThan(used.length); // some feature appears on a path twice
    for (const row of [0, 7, 42, 311, 799]) {
      const phi = new Float64Array(4);
      treeShap(tree, data, row, phi);
      const brute = bruteForceShapley(tree, data, row);
      for (let f = 0; f < 4; f++) expect(phi[f]).toBeCloseTo(brute[f], 9);
    }
  });

  const checkAdditive = (obj: Objective, y: { yNum: Float64Array; yCls: Int32Array; classes: number }) => {
    const m = fitGbdt(data, y, all(800), obj, { maxIter: 30 }, 1);
    const pre = { inputs, encoding: [], binner: fitBinner(cols, inputs, 1) };
    const rows = [0, 5, 99, 500];
    const c = explainRows(m, pre, { rows: 800, X: new Float64Array(0), width: 0, binned: data }, rows);
    const margins = gbdtMargins(m, data, rows);
    for (let i = 0; i < rows.length; i++) {
      for (let k = 0; k < c.outputs; k++) {
        let sum = c.base[k];
        for (let j = 0; j < inputs.length; j++) sum += c.phi[(i * inputs.length + j) * c.outputs + k];
        expect(Math.abs(sum - margins[i * c.outputs + k])).toBeLessThan(1e-9);
      }
    }
  };
  test('contributions sum to the prediction minus the expected value (1e-9): regression, binary, multiclass', () => {
    checkAdditive('squared_error', { yNum, yCls: new Int32Array(800), classes: 0 });
    checkAdditive('binary', { yNum, yCls: Int32Array.from(yNum, (v) => (v > 3 ? 1 : 0)), classes: 2 });
    checkAdditive('multiclass', { yNum, yCls: Int32Array.from(yNum, (v) => (v > 4 ? 2 : v > 2 ? 1 : 0)), classes: 3 });
  });

  test('forest contributions add up to the averaged prediction', () => {
    const y = { yNum, yCls: Int32Array.from(yNum, (v) => (v > 3 ? 1 : 0)), classes: 2 };
    const f = fitForest(data, y, all(800), true, { trees: 10 }, 4);
    const pre = { inputs, encoding: [], binner: fitBinner(cols, inputs, 1) };
    const c = explainRows(f, pre, { rows: 800, X: new Float64Array(0), width: 0, binned: data }, [3]);
    const p = predictForest(f, data, [3]);
    const sum = c.base[0] + Array.from(c.phi).reduce((a, b) => a + b, 0);
    expect(c.space).toBe('probability');
    expect(Math.abs(sum - p[1])).toBeLessThan(1e-9);
    expect(expectedValue(f.trees[0])[0]).toBeGreaterThan(0);
  });
});

describe('the train stage around the engine', () => {
  test('a column computed from the target is left out as leakage, and said so', async () => {
    const cols = table(400, 8, { x: (r) => r() * 10, noise: (r) => r() });
    const y = cols.x.map((x, i) => ((x as number) + 6 * (cols.noise[i] as number) > 8 ? 'hi' : 'lo'));
    const leak = y.map((v, i) => (v === 'hi' ? 100 : 0) + (cols.x[i] as number));
    const r = await trainModels({ frame: { rows: 400, columns: { ...cols, y, leak } }, target: 'y', task: 'classification', cvFolds: 3, seed: 1, models: ['gbdt'],
      columns: [{ name: 'x', type: 'float' }, { name: 'noise', type: 'float' }, { name: 'leak', type: 'float' }, { name: 'y', type: 'categorical' }] });
    expect(r.features).toEqual(['x', 'noise']);
    expect(r.excluded).toContainEqual({ column: 'leak', reason: expect.stringMatching(/^target leakage: on its own it separates the classes with ROC AUC 1\.000/) });
    expect(r.warnings.join(' ')).toMatch(/'leak' was left out/);
  });

  test('imbalanced classes are weighted, and said so', async () => {
    const cols = table(600, 9, { x: (r) => r() * 10, z: (r) => r() });
    const y = cols.x.map((x, i) => ((x as number) > 9.2 || i % 97 === 0 ? 'rare' : 'common'));
    const r = await trainModels({ frame: { rows: 600, columns: { ...cols, y } }, target: 'y', task: 'classification', cvFolds: 3, seed: 1, models: ['gbdt'],
      columns: [{ name: 'x', type: 'float' }, { name: 'z', type: 'float' }, { name: 'y', type: 'categorical' }] });
    expect(r.warnings.join(' ')).toMatch(/Classes are imbalanced \(\d+\.\d : 1\); tree models weight them/);
    expect(r.leaderboard[0].cv_mean).toBeGreaterThan(0.9);
  });

  test('a saved tree model explains per row, and its explanations add up to its log-odds', async () => {
    const cols = table(500, 10, { x: (r) => r() * 10, colour: (r) => ['red', 'blue'][Math.floor(r() * 2)], when: (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString() });
    const y = cols.x.map((x, i) => ((x as number) + (cols.colour[i] === 'red' ? 3 : 0) > 6 ? 'yes' : 'no'));
    const r = await trainModels({ frame: { rows: 500, columns: { ...cols, y } }, target: 'y', task: 'classification', cvFolds: 3, seed: 1, models: ['gbdt'],
      columns: [{ name: 'x', type: 'float' }, { name: 'colour', type: 'categorical' }, { name: 'when', type: 'datetime' }, { name: 'y', type: 'categorical' }] });
    expect(r.best_model).toBe('gbdt');
    // Midnight dates: a day of the month but no time of day.
    expect(r.artifact.preprocessing.binner.map((b) => b.name)).toEqual(['x', 'colour', 'when.year', 'when.month', 'when.day_of_week', 'when.ordinal', 'when.day']);
    expect(r.shap_importance[0].feature).toBe('x');
    expect(r.partial_dependence.map((p) => p.feature)).toContain('x');
    expect(r.charts.map((c) => c.id)).toEqual(expect.arrayContaining(['leaderboard', 'permutation_importance', 'shap_importance', 'confusion_matrix', 'roc_curve', 'pr_curve']));
    const out = predictRows(JSON.parse(JSON.stringify(r.artifact)), [{ x: 9, colour: 'green', when: '2024-03-01' }], { explain: true });
    const e = out.explanations!.rows[0];
    expect(out.explanations!.space).toBe('log_odds');
    const logit = Math.log(out.probabilities![0].yes / out.probabilities![0].no);
    expect(e.base_value + Object.values(e.contributions).reduce((a, b) => a + b, 0)).toBeCloseTo(logit, 9);
    expect(Object.keys(e.contributions)).toEqual(['x', 'colour', 'when']);
  });
});

test('a datetime with times of day gets an hour feature (minutes as a fraction), and trees split on it', async () => {
  expect(featureValue('2024-05-06T13:30:00Z', 'hour')).toBe(13.5);
  expect(featureValue('2024-05-06T13:30:00Z', 'day')).toBe(6);
  // Delays that follow the clock (late in the day) and not the date: only the hour can explain them.
  const rand = seededRandom(4);
  const when: string[] = [], delay: number[] = [];
  for (let i = 0; i < 800; i++) {
    const ms = Date.UTC(2024, 0, 1) + Math.floor(rand() * 60) * 86_400_000 + Math.floor(rand() * 24 * 60) * 60_000;
    when.push(new Date(ms).toISOString());
    delay.push((new Date(ms).getUTCHours() >= 17 ? 30 : 5) + rand() * 4);
  }
  const r = await trainModels({ frame: { rows: 800, columns: { when, delay } }, target: 'delay', task: 'regression', cvFolds: 3, seed: 1, models: ['gbdt'],
    columns: [{ name: 'when', type: 'datetime' }, { name: 'delay', type: 'float' }] });
  expect(r.artifact.preprocessing.binner.map((b) => b.name)).toEqual(['when.year', 'when.month', 'when.day_of_week', 'when.ordinal', 'when.day', 'when.hour']);
  expect(r.leaderboard[0].cv_mean).toBeGreaterThan(0.9);
});

test('a forest ranks categories by their mean, whatever the level of the target (it splits on centred targets)', async () => {
  // 30 categories of very different sizes whose effects are unrelated to their sizes, on a target far from 0:
  // ranking the categories by smoothed raw sums ranked them by size.
  const rand = seededRandom(12);
  const effect = Array.from({ length: 30 }, () => rand() * 20);
  const weightOf = Array.from({ length: 30 }, (_, k) => 1 + (k % 7) * 3);
  const total = weightOf.reduce((a, b) => a + b, 0);
  const cat: string[] = [], y: number[] = [];
  for (let i = 0; i < 1500; i++) {
    let u = rand() * total, k = 0;
    while (u > weightOf[k]) { u -= weightOf[k]; k++; }
    cat.push(`c${k}`);
    y.push(100 + effect[k] + rand());
  }
  const r = await trainModels({ frame: { rows: 1500, columns: { cat, y } }, target: 'y', task: 'regression', cvFolds: 3, seed: 1, models: ['random_forest'],
    columns: [{ name: 'cat', type: 'categorical' }, { name: 'y', type: 'float' }] });
  expect(r.leaderboard[0].model).toBe('random_forest');
  expect(r.leaderboard[0].cv_mean).toBeGreaterThan(0.9); // it was −0.001 before the targets were centred
});

test('PSI is near zero for rows like the training data and flags a shifted feature', () => {
  const train = table(2000, 11, { n: (r) => r() * 10, c: (r) => ['a', 'b', 'c'][Math.floor(r() * 3)] });
  const refs = fitDrift(train, [{ name: 'n', type: 'float' }, { name: 'c', type: 'categorical' }]);
  const same = table(1000, 12, { n: (r) => r() * 10, c: (r) => ['a', 'b', 'c'][Math.floor(r() * 3)] });
  const rows = (cols: Record<string, unknown[]>) => cols.n.map((_, i) => ({ n: cols.n[i], c: cols.c[i] }));
  expect(driftReport(refs, rows(same)).every((d) => d.psi < 0.05 && !d.drifted)).toBe(true);
  const shifted = table(1000, 13, { n: (r) => 5 + r() * 10, c: (r) => (r() < 0.8 ? 'a' : 'new') });
  const report = driftReport(refs, rows(shifted));
  expect(report.map((d) => d.drifted)).toEqual([true, true]);
  expect(report[0].psi).toBeGreaterThan(0.25);
});
