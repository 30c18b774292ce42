import { describe, expect, test } from 'vitest';
import { applyBinner, fitBinner } from '../../../analysis/ml/binning.js';
import { groupFolds, timeFolds } from '../../../analysis/ml/folds.js';
import { fitGbdt } from '../../../analysis/ml/gbdt.js';
import type { Frame } from '../../../analysis/ml/load-frame.js';
import { prepareTraining } from '../../../analysis/ml/prepare-training.js';
import { seededRandom, shuffled } from '../../../analysis/ml/random.js';
import { trainModels } from '../../../analysis/ml/train-models.js';
import { chooseScheme, planValidation } from '../../../analysis/ml/validation/plan.js';
import { DataError } from '../../../analysis/errors.js';

const DAY = 86_400_000;
/** A daily table whose rows are NOT in date order in the file; y drifts upward with time. */
function dated(rows: number, seed: number): Frame {
  const rand = seededRandom(seed);
  const order = shuffled(Array.from({ length: rows }, (_, i) => i), rand);
  const date: string[] = [], x1: number[] = [], x2: number[] = [], store: string[] = [], y: number[] = [];
  for (const day of order) {
    const a = rand() * 10, b = rand();
    date.push(new Date(Date.UTC(2020, 0, 1) + day * DAY).toISOString().slice(0, 10));
    x1.push(a); x2.push(b); store.push(`s${day % 37}`);
    y.push(2 * a + day / 50 + (rand() - 0.5));
  }
  return { rows, columns: { date, x1, x2, store, y } };
}
const datedColumns = [{ name: 'date', type: 'datetime' as const }, { name: 'x1', type: 'float' as const }, { name: 'x2', type: 'float' as const },
  { name: 'store', type: 'categorical' as const }, { name: 'y', type: 'float' as const }];
const dayOf = (f: Frame, r: number) => Date.parse(String(f.columns.date[r])) / DAY;

describe('forward-chaining folds (time)', () => {
  test('no training row is later than any validation row, and the gap is kept', () => {
    const times = shuffled(Array.from({ length: 103 }, (_, i) => i), seededRandom(4));
    const oldestFirst = Array.from({ length: 103 }, (_, i) => i).sort((a, b) => times[a] - times[b]);
    const folds = timeFolds(oldestFirst, 4, 3);
    expect(folds).toHaveLength(4);
    for (const { train, valid } of folds) {
      expect(train.length).toBeGreaterThan(0);
      const latestTrain = Math.max(...Array.from(train, (r) => times[r]));
      const earliestValid = Math.min(...valid.map((r) => times[r]));
      expect(latestTrain).toBeLessThan(earliestValid);
      expect(earliestValid - latestTrain).toBe(4); // 3 rows skipped between them
    }
    // Expanding window: each fold trains on more history, validation blocks tile the later rows.
    expect(folds.map((f) => f.train.length)).toEqual([...folds.map((f) => f.train.length)].sort((a, b) => a - b));
    expect(folds.flatMap((f) => f.valid).map((r) => times[r]).sort((a, b) => a - b)).toEqual(Array.from({ length: 103 - 21 }, (_, i) => 21 + i));
  });

  test('the engine sorts by the time column (rows shuffled in the file) and holds out the latest rows as the test split', () => {
    const frame = dated(1200, 1);
    const t = prepareTraining({ frame, target: 'y', task: 'regression', columns: datedColumns, cvFolds: 5, seed: 1, validation: { scheme: 'time', time_column: 'date', gap: 2 } });
    expect(t.validation).toMatchObject({ scheme: 'time', folds: 5, time_column: 'date', gap: 2, test_fraction: 0.2, test_rows: 240, served_model_rows: 1200 });
    for (const { train, valid } of [...t.folds, t.test!]) {
      expect(Math.max(...Array.from(train, (r) => dayOf(frame, r)))).toBeLessThan(Math.min(...valid.map((r) => dayOf(frame, r))));
    }
    const testDays = t.test!.valid.map((r) => dayOf(frame, r)).sort((a, b) => a - b);
    expect(testDays[0] - Date.UTC(2020, 0, 1) / DAY).toBe(960); // the last 240 days
    expect(new Set(t.folds.flatMap((f) => [...f.train, ...f.valid])).size).toBeLessThanOrEqual(960);
    expect(t.folds.flatMap((f) => [...f.train, ...f.valid]).some((r) => t.test!.valid.includes(r))).toBe(false);
  });

  test('auto picks time when the profile says the rows are ordered by a date, and says why', () => {
    const t = prepareTraining({ frame: dated(300, 2), target: 'y', task: 'regression', columns: datedColumns, cvFolds: 3, seed: 1,
      timeHint: { column: 'date', why: "the profile calls the table a time series ordered by 'date'" } });
    expect(t.validation.scheme).toBe('time');
    expect(t.validation.reason).toMatch(/^Chosen automatically: the profile calls the table a time series/);
    expect(t.validation.test_rows).toBe(0); // under 1,000 rows: no test split by default
  });
});

describe('grouped folds', () => {
  test('no group is on both sides of a fold or of the test split', () => {
    const rows = Array.from({ length: 500 }, (_, i) => i);
    const group = (r: number) => `g${(r * 7919) % 23}`;
    const folds = groupFolds(rows, group, 5, 3);
    for (const { train, valid } of folds) {
      const inValid = new Set(valid.map(group));
      expect(Array.from(train).some((r) => inValid.has(group(r)))).toBe(false);
      expect(train.length + valid.length).toBe(500);
    }
    const frame = dated(1500, 3);
    const t = prepareTraining({ frame, target: 'y', task: 'regression', columns: datedColumns, cvFolds: 4, seed: 2, validation: { scheme: 'group', group_column: 'store' } });
    const g = (r: number) => String(frame.columns.store[r]);
    expect(t.validation).toMatchObject({ scheme: 'group', group_column: 'store', folds: 4 });
    for (const { train, valid } of [...t.folds, t.test!]) {
      const inValid = new Set(valid.map(g));
      expect(Array.from(train).some((r) => inValid.has(g(r)))).toBe(false);
    }
    expect(t.validation.test_rows / 1500).toBeGreaterThan(0.18);
  });

  test('auto picks group when group_column is set; group without a column is refused', () => {
    expect(chooseScheme({ scheme: 'auto', classification: true, time: null, group_column: 'patient' }).scheme).toBe('group');
    expect(chooseScheme({ scheme: 'auto', classification: true, time: null }).scheme).toBe('stratified');
    expect(chooseScheme({ scheme: 'auto', classification: false, time: null }).scheme).toBe('kfold');
    expect(() => prepareTraining({ frame: dated(100, 1), target: 'y', task: 'regression', columns: datedColumns, cvFolds: 3, seed: 1, validation: { scheme: 'group' } }))
      .toThrow(DataError);
  });
});

describe('the held-out test split', () => {
  test('stratified: every class keeps its share in the test split', () => {
    const strata = Int32Array.from({ length: 2000 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const p = planValidation({ rows: 2000, k: 5, seed: 1, scheme: 'stratified', reason: 'r', strata });
    expect(p.test!.valid).toHaveLength(400);
    expect(p.test!.valid.filter((r) => strata[r] === 1)).toHaveLength(40);
    expect(p.folds.flatMap((f) => f.valid).sort((a, b) => a - b)).toEqual(Array.from(p.test!.train));
  });

  test('selection never sees the test rows: poisoning their targets changes test_score, not one CV score', async () => {
    const clean = dated(1000, 5);
    const poisoned: Frame = { rows: clean.rows, columns: { ...clean.columns, y: [...clean.columns.y] } };
    const rand = seededRandom(9);
    const lastDays = new Set(Array.from({ length: 200 }, (_, i) => 800 + i));
    clean.columns.date.forEach((d, r) => { if (lastDays.has(Date.parse(String(d)) / DAY - Date.UTC(2020, 0, 1) / DAY)) poisoned.columns.y[r] = rand() * 1000 - 500; });
    const opts = { target: 'y', task: 'regression' as const, columns: datedColumns, cvFolds: 3, seed: 1, models: ['baseline' as const, 'linear' as const, 'gbdt' as const],
      validation: { scheme: 'time' as const, time_column: 'date' } };
    const a = await trainModels({ ...opts, frame: clean });
    const b = await trainModels({ ...opts, frame: poisoned });
    expect(a.validation).toMatchObject({ scheme: 'time', time_column: 'date', test_rows: 200 });
    expect(b.leaderboard).toEqual(a.leaderboard);
    expect(b.best_model).toBe(a.best_model);
    expect(a.test_score!).toBeGreaterThan(0.5);
    expect(b.test_score!).toBeLessThan(0.1); // the poison shows only in the test score
  });
});

describe('metric, ignore_columns and positive_class', () => {
  const base = { frame: dated(400, 7), target: 'y', task: 'regression' as const, columns: datedColumns, cvFolds: 3, seed: 1, models: ['baseline' as const, 'linear' as const] };

  test('ignore_columns removes a feature and says why', async () => {
    const r = await trainModels({ ...base, ignoreColumns: ['x2'] });
    expect(r.features).not.toContain('x2');
    expect(r.excluded).toContainEqual({ column: 'x2', reason: 'ignored on request (options.ignore_columns)' });
    expect((await trainModels(base)).features).toContain('x2');
  });

  test('the metric is what the leaderboard ranks by, in its direction', async () => {
    const r2 = await trainModels(base);
    expect(r2.metric).toBe('r2');
    expect(r2.leaderboard.map((e) => e.model)).toEqual(['linear', 'baseline']);
    for (const metric of ['rmse', 'mae', 'mape'] as const) {
      const r = await trainModels({ ...base, metric });
      expect(r.metric).toBe(metric);
      expect(r.leaderboard[0].cv_mean).toBeLessThan(r.leaderboard[1].cv_mean); // lower is better
      expect(r.leaderboard[0].model).toBe('linear');
    }
    const cls: Frame = { rows: 400, columns: { ...base.frame.columns, up: base.frame.columns.y.map((v) => ((v as number) > 12 ? 'up' : 'down')) } };
    const columns = [...datedColumns.filter((c) => c.name !== 'y'), { name: 'up', type: 'categorical' as const }];
    const ll = await trainModels({ ...base, frame: cls, columns, target: 'up', task: 'classification', metric: 'log_loss' });
    expect(ll.metric).toBe('log_loss');
    expect(ll.leaderboard[0].cv_mean).toBeLessThan(ll.leaderboard[1].cv_mean);
    const f1 = await trainModels({ ...base, frame: cls, columns, target: 'up', task: 'classification', metric: 'f1_macro', positiveClass: 'down' });
    expect(f1.metric).toBe('macro_f1');
    expect(f1.artifact.classes).toEqual(['up', 'down']);
    const wrong = await trainModels({ ...base, metric: 'roc_auc' });
    expect(wrong.metric).toBe('r2');
    expect(wrong.warnings.join(' ')).toMatch(/roc_auc does not apply to regression/);
  });
});

describe('large tables', () => {
  // Spreading a few hundred thousand row indices into push() overflows the call stack; the refit of a large table
  // passes through every one of these.
  test('a stratified test split, a group of 300k rows and a GBDT early-stopping split of 400k rows do not overflow the stack', () => {
    const rows = 600_000;
    const strata = Int32Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const p = planValidation({ rows, k: 3, seed: 1, scheme: 'stratified', reason: 'r', strata });
    expect(p.test!.valid.length).toBe(120_000);
    const all = Array.from({ length: rows }, (_, i) => i);
    const folds = groupFolds(all, (r) => (r < 300_000 ? 'big' : `g${r % 7}`), 3, 1);
    expect(folds.some((f) => f.valid.length >= 300_000)).toBe(true);
    const n = 400_000;
    const x = Array.from({ length: n }, (_, i) => (i % 97) / 10);
    const data = applyBinner(fitBinner({ x }, [{ name: 'x', type: 'float' }], 1), { x }, n);
    const m = fitGbdt(data, { yNum: Float64Array.from(x, (v) => 2 * v), yCls: new Int32Array(n), classes: 0 }, Int32Array.from({ length: n }, (_, i) => i), 'squared_error', { maxIter: 2 }, 1);
    expect(m.iterations).toBe(2);
  });
});
