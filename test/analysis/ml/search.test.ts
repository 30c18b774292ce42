import { describe, expect, test } from 'vitest';
import { selectEnsemble } from '../../../analysis/ml/ensemble.js';
import { predictRows } from '../../../analysis/ml/predict.js';
import { seededRandom } from '../../../analysis/ml/random.js';
import { scorePredictions } from '../../../analysis/ml/scoring.js';
import { Searcher } from '../../../analysis/ml/search.js';
import { trialKey } from '../../../analysis/ml/search-space.js';
import { chooseModel, isOverfit } from '../../../analysis/ml/select-model.js';
import { keyOf, trainModels, type FoldScore, type OofStore, type TrainResult } from '../../../analysis/ml/train-models.js';
import { defaultTimeBudget, sampleRowsFor } from '../../../analysis/ml/budget.js';
import { exportOnnx } from '../../../analysis/ml/export/onnx.js';
import type { Frame } from '../../../analysis/ml/load-frame.js';

/** A non-linear target (interaction and threshold) where tree settings matter, plus noise. */
function table(rows: number, seed: number): Frame {
  const rand = seededRandom(seed);
  const a: number[] = [], b: number[] = [], c: string[] = [], y: number[] = [], cls: string[] = [];
  for (let i = 0; i < rows; i++) {
    const x = rand() * 4, z = rand() * 4, k = ['p', 'q', 'r'][Math.floor(rand() * 3)];
    a.push(x); b.push(z); c.push(k);
    const v = Math.sin(x) * z + (k === 'q' ? 2 : 0) + (x > 2 && z < 1 ? 3 : 0) + (rand() - 0.5);
    y.push(v);
    cls.push(v + (rand() - 0.5) * 2 > 2 ? 'high' : 'low');
  }
  return { rows, columns: { a, b, c, y, cls } };
}
/** An additive target (linear trends, a step, a ripple) where gradient boosting and a linear model blend well. */
function additive(rows: number, seed: number): Frame {
  const rand = seededRandom(seed);
  const a: number[] = [], b: number[] = [], c: string[] = [], y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const x = rand() * 4, z = rand() * 4, k = ['p', 'q', 'r'][Math.floor(rand() * 3)];
    a.push(x); b.push(z); c.push(k);
    y.push(1.5 * x + 1.5 * z + (k === 'q' ? 2 : 0) + (x > 2 && z < 1 ? 2 : 0) + Math.sin(3 * x) + (rand() - 0.5) * 0.5);
    rand(); // the draw `table` makes for its class noise: the same seed gives the same features
  }
  return { rows, columns: { a, b, c, y } };
}
const columns = [{ name: 'a', type: 'float' as const }, { name: 'b', type: 'float' as const }, { name: 'c', type: 'categorical' as const },
  { name: 'y', type: 'float' as const }, { name: 'cls', type: 'categorical' as const }];
const regression = { frame: table(240, 1), target: 'y', task: 'regression' as const, columns: columns.filter((c) => c.name !== 'cls'), cvFolds: 3, seed: 3 };

describe('Searcher', () => {
  test('starts from the defaults and FLAML\'s low-cost GBDT point, then proposes new GBDT points and light variants, deterministically', () => {
    const run = () => {
      const s = new Searcher({ names: ['baseline', 'linear', 'gbdt', 'random_forest'], task: 'regression', rows: 1000, seed: 1, higher: true, search: true });
      const seen: string[] = [];
      for (let i = 0; i < 30; i++) {
        const spec = s.next();
        if (!spec) break;
        seen.push(trialKey(spec));
        // A made-up score that prefers more leaves: the search must move towards them.
        s.report(spec, spec.model === 'gbdt' ? Math.log(spec.params.maxLeaves ?? 31) : 0);
      }
      return seen;
    };
    const keys = run();
    expect(keys.slice(0, 5)).toEqual(['baseline:', 'linear:', expect.stringMatching(/^gbdt:.*maxIter=4,maxLeaves=4,/), 'gbdt:', 'random_forest:']);
    expect(new Set(keys).size).toBe(keys.length); // no trial twice
    expect(keys.some((k) => k.startsWith('linear:alpha='))).toBe(true);
    expect(keys.some((k) => k.startsWith('random_forest:') && k !== 'random_forest:')).toBe(true);
    const leaves = keys.filter((k) => k.startsWith('gbdt:') && k !== 'gbdt:').map((k) => Number(/maxLeaves=(\d+)/.exec(k)![1]));
    expect(Math.max(...leaves)).toBeGreaterThan(31);
    expect(run()).toEqual(keys);
  });

  test('without a budget or trial cap only the defaults run', () => {
    const s = new Searcher({ names: ['baseline', 'gbdt'], task: 'regression', rows: 100, seed: 1, higher: true, search: false });
    const keys: string[] = [];
    for (let spec = s.next(); spec; spec = s.next()) { keys.push(trialKey(spec)); s.report(spec, 1); }
    expect(keys).toEqual(['baseline:', 'gbdt:']);
  });
});

describe('search inside trainModels', () => {
  test('every trial is scored on the same folds with the chosen metric, logged, charted, and beats or equals the defaults', async () => {
    const r = await trainModels({ ...regression, maxTrials: 8, metric: 'mae' });
    expect(r.metric).toBe('mae');
    expect(r.trials.length).toBe(4 + 8);
    for (const tr of r.trials) expect(tr.seconds).toBeGreaterThan(0);
    const gbdtDefault = r.trials.find((t) => t.key === 'gbdt:')!;
    const bestGbdt = r.leaderboard.find((e) => e.model === 'gbdt')!;
    expect(bestGbdt.cv_mean).toBeLessThanOrEqual(gbdtDefault.cv_mean); // MAE: lower is better
    expect(r.leaderboard.filter((e) => e.model !== 'ensemble').every((e) => e.folds.length === 3)).toBe(true);
    expect(r.search.stopped).toBe('max_trials');
    const chart = r.charts.find((c) => c.id === 'search_trials')!;
    expect((chart.spec as { data: { values: unknown[] } }).data.values).toHaveLength(r.trials.length);
  });

  test('a restarted search reuses every finished fold (no trial is redone) and ends with the same trials', async () => {
    const saved: FoldScore[][] = [];
    const first = await trainModels({ ...regression, maxTrials: 5, onFold: (d) => { saved.push([...d]); } });
    // The worker died after 14 folds: the heartbeat held those.
    const done = saved[13];
    const fitted: string[] = [];
    const resumed = await trainModels({ ...regression, maxTrials: 5, done, onFold: (d) => { fitted.push(keyOf(d.at(-1)!)); } });
    expect(fitted.length).toBe(first.trials.length * 3 - 14);
    // A trial is fitted again only on the folds the heartbeat did not hold.
    for (const s of done) expect(fitted.filter((k) => k === keyOf(s))).toHaveLength(3 - done.filter((d) => keyOf(d) === keyOf(s)).length);
    expect(resumed.trials.map((t) => [t.key, t.cv_mean])).toEqual(first.trials.map((t) => [t.key, t.cv_mean]));
  });

  test('with its out-of-fold predictions stored, a restarted search builds the same ensemble and serves the same model', async () => {
    const stored = new Map<string, Float64Array>();
    const loaded: string[] = [];
    const store: OofStore = {
      save: async (s, oof) => { const k = `${keyOf(s)}#${s.fold}`; stored.set(k, oof.slice()); return k; },
      load: async (k) => { loaded.push(k); return stored.get(k); },
    };
    const opts = { ...regression, frame: additive(800, 1), maxTrials: 6 };
    const saved: FoldScore[][] = [];
    const first = await trainModels({ ...opts, oof: store, onFold: (d) => { saved.push(d.map((s) => ({ ...s }))); } });
    const ensemble = first.leaderboard.find((e) => e.model === 'ensemble');
    expect(ensemble?.members?.length).toBeGreaterThanOrEqual(2);
    // Killed once the ensemble's members had all finished: a resumed run that cannot bring their predictions back
    // builds its ensemble from later trials only, or none.
    const memberKeys = ensemble!.members!.map((m) => trialKey({ model: m.model, params: m.params }));
    const cut = saved.findIndex((d) => memberKeys.every((k) => d.filter((s) => keyOf(s) === k).length === 3));
    const done = saved[cut];
    const strip = ({ artifact: _a, trials, search: _s, ...r }: TrainResult) => ({ ...r, trials: trials.map(({ seconds: _x, ...t }) => t) });
    const resumed = await trainModels({ ...opts, done, oof: store });
    expect(loaded.length).toBeGreaterThan(0);
    expect(strip(resumed)).toEqual(strip(first));
    expect(resumed.artifact.model).toEqual(first.artifact.model);
    const forgetful = await trainModels({ ...opts, done: done.map(({ oof_key: _k, ...s }) => s), oof: store });
    expect(forgetful.leaderboard.find((e) => e.model === 'ensemble')?.members).not.toEqual(ensemble!.members);
  });
});

describe('ensemble', () => {
  test('greedy selection on out-of-fold predictions beats or equals its best member', () => {
    const rand = seededRandom(5);
    const n = 600, truth = Float64Array.from({ length: n }, () => rand() * 10);
    const d = { yNum: truth, yCls: new Int32Array(n), classes: [] };
    // Three models with independent errors: their average is better than any one.
    const models = [0, 1, 2].map((m) => Float64Array.from(truth, (v) => v + (rand() - 0.5) * (2 + m)));
    const valid = [Array.from({ length: 300 }, (_, i) => i), Array.from({ length: 300 }, (_, i) => i + 300)];
    const oofs = models.map((p, m) => ({ spec: { model: 'gbdt' as const, params: { maxLeaves: 4 + m } }, key: `m${m}`, folds: [p.slice(0, 300), p.slice(300)] }));
    for (const metric of ['r2', 'rmse'] as const) {
      const sel = selectEnsemble(oofs, valid, d, metric, 1, 1)!;
      const singles = models.map((p) => scorePredictions(metric, d, p, [...valid[0], ...valid[1]]));
      const bestSingle = metric === 'r2' ? Math.max(...singles) : Math.min(...singles);
      expect(sel.best_single).toBeCloseTo(bestSingle, 12);
      if (metric === 'r2') expect(sel.blended).toBeGreaterThanOrEqual(bestSingle); else expect(sel.blended).toBeLessThanOrEqual(bestSingle);
      expect(sel.members.length).toBeGreaterThanOrEqual(2);
      expect(sel.members.reduce((s, m) => s + m.weight, 0)).toBeCloseTo(1, 12);
    }
  });

  test('each fold\'s ensemble score comes from weights chosen on the other folds, not on the fold itself', () => {
    const rand = seededRandom(9);
    const n = 400, truth = Float64Array.from({ length: n }, () => rand() * 10);
    const d = { yNum: truth, yCls: new Int32Array(n), classes: [] };
    const valid = [Array.from({ length: 200 }, (_, i) => i), Array.from({ length: 200 }, (_, i) => i + 200)];
    // A is exact on fold 0 and noisy on fold 1; B the other way round; C a little noisy on both (so a blend exists).
    const noisy = (v: number, s: number) => v + (rand() - 0.5) * s;
    const a = Float64Array.from(truth, (v, i) => (i < 200 ? v : noisy(v, 12))), b = Float64Array.from(truth, (v, i) => (i < 200 ? noisy(v, 12) : v));
    const c = Float64Array.from(truth, (v) => noisy(v, 3));
    const oofs = [a, b, c].map((p, m) => ({ spec: { model: 'gbdt' as const, params: { maxLeaves: 4 + m } }, key: `m${m}`, folds: [p.slice(0, 200), p.slice(200)] }));
    const sel = selectEnsemble(oofs, valid, d, 'r2', 1, 1)!;
    // Chosen on fold 1 alone the blend leans on B, which is poor on fold 0, and the other way round: the honest fold
    // scores are far below the blend's score on the rows that chose it (in-sample, A on fold 0 looks exact).
    const onFold = (p: Float64Array, f: number) => scorePredictions('r2', d, p.subarray(f * 200, f * 200 + 200), valid[f]);
    expect(sel.folds[0]).toBeLessThan(onFold(c, 0) + 0.01);
    expect(sel.folds[1]).toBeLessThan(onFold(c, 1) + 0.01);
    expect(sel.blended).toBeGreaterThan(Math.max(...sel.folds) + 0.02);
  });

  test('an ensemble artifact is served through predictRows, and its SHAP values add up to its prediction', async () => {
    const cases = [{ ...regression }, { ...regression, target: 'cls', task: 'classification' as const, columns: columns.filter((c) => c.name !== 'y') }];
    for (const o of cases) {
      // Two families trained on the same rows share the preprocessing; together they make an ensemble artifact.
      const [g, f] = [await trainModels({ ...o, models: ['gbdt'] }), await trainModels({ ...o, models: ['random_forest'] })];
      const served = { ...g.artifact, name: 'ensemble' as const, model: { kind: 'ensemble' as const, members: [
        { name: 'gbdt' as const, params: {}, weight: 0.7, model: g.artifact.model }, { name: 'random_forest' as const, params: {}, weight: 0.3, model: f.artifact.model }] } };
      const rows = Array.from({ length: 10 }, (_, i) => ({ a: o.frame.columns.a[i], b: o.frame.columns.b[i], c: o.frame.columns.c[i] }));
      const p = predictRows(JSON.parse(JSON.stringify(served)), rows, { explain: true });
      const pg = predictRows(g.artifact, rows), pf = predictRows(f.artifact, rows);
      p.explanations!.rows.forEach((e, i) => {
        const total = e.base_value + Object.values(e.contributions).reduce((s, v) => s + v, 0);
        if (o.task === 'regression') {
          expect(p.predictions[i] as number).toBeCloseTo(0.7 * (pg.predictions[i] as number) + 0.3 * (pf.predictions[i] as number), 9);
          expect(total).toBeCloseTo(p.predictions[i] as number, 6);
        } else {
          expect(p.probabilities![i][e.class!]).toBeCloseTo(0.7 * pg.probabilities![i][e.class!] + 0.3 * pf.probabilities![i][e.class!], 9);
          expect(total).toBeCloseTo(p.probabilities![i][e.class!], 6);
        }
      });
    }
  });

  test('an ensemble artifact exports to ONNX, its members and weights in the file (parity: test/analysis/ml/export)', async () => {
    const g = await trainModels({ ...regression, models: ['linear'] });
    const ens = { ...g.artifact, name: 'ensemble' as const, model: { kind: 'ensemble' as const, members: [
      { name: 'linear' as const, params: {}, weight: 0.5, model: g.artifact.model }, { name: 'linear' as const, params: {}, weight: 0.5, model: g.artifact.model }] } };
    const { bytes, encoding } = exportOnnx(ens, { producerVersion: 'test' });
    expect(bytes.length).toBeGreaterThan(0);
    expect(encoding.members).toEqual([{ name: 'linear', weight: 0.5 }, { name: 'linear', weight: 0.5 }]);
  });

  test('when the ensemble makes the leaderboard it names its members and weights', async () => {
    const r = await trainModels({ ...regression, frame: additive(800, 1), maxTrials: 6 });
    expect(r.leaderboard.filter((x) => x.model === 'ensemble')).toHaveLength(1);
    for (const e of r.leaderboard.filter((x) => x.model === 'ensemble')) {
      expect(e.members!.length).toBeGreaterThanOrEqual(2);
      expect(e.members!.reduce((s, m) => s + m.weight, 0)).toBeCloseTo(1, 9);
      expect(e.folds).toHaveLength(3);
    }
    expect(r.best_model).toBe(r.leaderboard[0].model);
  });
});

describe('selection', () => {
  test('overfitting needs a gap large in the metric and against the fold spread', () => {
    expect(isOverfit('r2', 0.83, 0.32, 0.05)).toBe(true);
    expect(isOverfit('r2', 0.83, 0.70, 0.06)).toBe(false); // 0.13 gap, but only ~2 fold σ
    expect(isOverfit('r2', 0.95, 0.90, 0.001)).toBe(false); // tiny spread, small gap
    expect(isOverfit('rmse', 1, 2, 0.1)).toBe(true);
    expect(isOverfit('rmse', 1, 1.2, 0.01)).toBe(false);
  });

  test('an overfitting leader gives way to a sound model within one fold σ, not to one further off', () => {
    const over = { model: 'gbdt', cv_mean: 0.80, cv_std: 0.03, overfit: true };
    const near = { model: 'linear', cv_mean: 0.78, cv_std: 0.01, overfit: false };
    const far = { model: 'linear', cv_mean: 0.70, cv_std: 0.01, overfit: false };
    const base = { model: 'baseline', cv_mean: 0.79, cv_std: 0, overfit: false };
    const c = chooseModel([over, base, near]);
    expect(c.leaderboard.map((e) => e.model)).toEqual(['linear', 'gbdt', 'baseline']);
    expect(c.note).toMatch(/overfits/);
    expect(chooseModel([over, far]).leaderboard[0].model).toBe('gbdt');
  });
});

test('the default budget scales with the table and the sample grows with the budget', () => {
  expect(defaultTimeBudget(1_000, 10).seconds).toBe(31);
  expect(defaultTimeBudget(100_000, 20).seconds).toBe(230);
  expect(defaultTimeBudget(3_000_000, 20).seconds).toBe(600);
  expect(defaultTimeBudget(100_000, 20).rule).toMatch(/230 s/);
  expect(sampleRowsFor(600, 20, 100_000)).toBe(300_000);
  expect(sampleRowsFor(30, 20, 100_000)).toBe(100_000);
});
