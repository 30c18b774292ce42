// Large tables: the search cross-validates on a seeded subset (searchRows) while the refit and the explanation fit
// take as many rows as the time left affords, sized from the chosen model's measured speed.
import { describe, expect, test } from 'vitest';
import { loadRowsFor, MAX_LOAD_CELLS, sampleRowsFor } from '../../../analysis/ml/budget.js';
import { FINISH_OVERHEAD, FINISH_SAFETY, finishRows, finishSubset, MIN_FINISH_ROWS, fitCost, type FinishShape } from '../../../analysis/ml/finish-rows.js';
import type { Frame } from '../../../analysis/ml/load-frame.js';
import { prepareTraining } from '../../../analysis/ml/prepare-training.js';
import { seededRandom, shuffled } from '../../../analysis/ml/random.js';
import { trialKey } from '../../../analysis/ml/search-space.js';
import { trainInPool } from '../../../analysis/ml/train-pool.js';
import { runTraining, trainModels, type FoldScore, type TaskRunner, type TrainingShape, type TrainOptions, type TrainResult } from '../../../analysis/ml/train-models.js';

const DAY = 86_400_000;
/** A daily table, rows shuffled in the file, y drifting with time; 37 stores, 3 classes in `cls` (one rare). */
function dated(rows: number, seed: number): Frame {
  const rand = seededRandom(seed);
  const order = shuffled(Array.from({ length: rows }, (_, i) => i), rand);
  const date: string[] = [], x1: number[] = [], store: string[] = [], y: number[] = [], cls: string[] = [];
  for (const day of order) {
    const a = rand() * 10;
    date.push(new Date(Date.UTC(2000, 0, 1) + day * DAY).toISOString().slice(0, 10));
    x1.push(a); store.push(`s${day % 37}`);
    y.push(2 * a + day / 50 + (rand() - 0.5));
    cls.push(day % 200 === 0 ? 'rare' : a > 5 ? 'hi' : 'lo');
  }
  return { rows, columns: { date, x1, store, y, cls } };
}
const columns = [{ name: 'date', type: 'datetime' as const }, { name: 'x1', type: 'float' as const }, { name: 'store', type: 'categorical' as const },
  { name: 'y', type: 'float' as const }, { name: 'cls', type: 'categorical' as const }];
const dayOf = (f: Frame, r: number) => Date.parse(String(f.columns.date[r])) / DAY;
const union = (folds: { train: Int32Array; valid: number[] }[]) => new Set(folds.flatMap((f) => [...f.train, ...f.valid]));

describe('the search on a subset', () => {
  test('time: the folds use only searchRows of the non-test rows, never train on a later row, and rebuild identically', () => {
    const frame = dated(3000, 1);
    const o: TrainOptions = { frame, target: 'y', task: 'regression', columns: columns.filter((c) => c.name !== 'cls'), cvFolds: 4, seed: 3, searchRows: 600, validation: { scheme: 'time', time_column: 'date' } };
    const t = prepareTraining(o);
    const used = union(t.folds);
    expect(used.size).toBe(600);
    expect(t.test!.train.length).toBe(2400);
    for (const r of used) expect(t.test!.valid.includes(r)).toBe(false);
    for (const { train, valid } of t.folds) {
      expect(train.length).toBeGreaterThan(0);
      expect(Math.max(...Array.from(train, (r) => dayOf(frame, r)))).toBeLessThan(Math.min(...valid.map((r) => dayOf(frame, r))));
    }
    // The subset spans the whole history (a seeded draw, not the latest rows), so early folds still have training rows.
    expect(Math.min(...[...used].map((r) => dayOf(frame, r))) - Date.UTC(2000, 0, 1) / DAY).toBeLessThan(50);
    // A resumed stage prepares again: the same folds, row for row (a pure function of seed and rows).
    const again = prepareTraining(o);
    expect(again.folds.map((f) => [Array.from(f.train), f.valid])).toEqual(t.folds.map((f) => [Array.from(f.train), f.valid]));
    // Without searchRows (or with more than the non-test rows), every non-test row is searched.
    expect(union(prepareTraining({ ...o, searchRows: undefined }).folds).size).toBe(2400);
    expect(union(prepareTraining({ ...o, searchRows: 5000 }).folds).size).toBe(2400);
  });

  test('group: no group on both sides of any fold of the subset', () => {
    const frame = dated(2000, 2);
    const t = prepareTraining({ frame, target: 'y', task: 'regression', columns: columns.filter((c) => c.name !== 'cls'), cvFolds: 4, seed: 2, searchRows: 400,
      validation: { scheme: 'group', group_column: 'store' } });
    expect(union(t.folds).size).toBeLessThanOrEqual(400);
    expect(union(t.folds).size).toBeGreaterThan(350);
    const store = (r: number) => String(frame.columns.store[r]);
    const testStores = new Set(t.test!.valid.map(store));
    for (const { train, valid } of t.folds) {
      const inValid = new Set(valid.map(store));
      expect(Array.from(train).some((r) => inValid.has(store(r)))).toBe(false);
      expect(valid.some((r) => testStores.has(store(r)))).toBe(false);
    }
  });

  test('stratified: each class keeps its share of the subset, a rare class included', () => {
    const frame = dated(4000, 3);
    const t = prepareTraining({ frame, target: 'cls', task: 'classification', columns: columns.filter((c) => c.name !== 'y' && c.name !== 'date'), cvFolds: 3, seed: 4, searchRows: 300 });
    const rare = t.d.classes.indexOf('rare');
    const used = [...union(t.folds)];
    expect(used.length).toBeGreaterThanOrEqual(300);
    expect(used.length).toBeLessThanOrEqual(303); // one extra row at most per class from rounding
    expect(used.filter((r) => t.d.yCls[r] === rare).length).toBeGreaterThanOrEqual(1);
    for (const f of t.folds) expect(f.valid.length).toBeGreaterThan(0);
  });
});

describe('the finish on more rows', () => {
  test('the refit on fewer rows than loaded takes the latest in time order, a seeded subset otherwise', () => {
    const frame = dated(3000, 5);
    const o: TrainOptions = { frame, target: 'y', task: 'regression', columns: columns.filter((c) => c.name !== 'cls'), cvFolds: 4, seed: 3, searchRows: 600, validation: { scheme: 'time', time_column: 'date' } };
    const t = prepareTraining(o);
    const all = Int32Array.from({ length: t.d.rows }, (_, i) => i);
    const latest = finishSubset(t, all, 1000, 307);
    expect(latest.length).toBe(1000);
    expect(Math.min(...Array.from(latest, (r) => dayOf(frame, r))) - Date.UTC(2000, 0, 1) / DAY).toBe(2000); // days 2000..2999
    const k = prepareTraining({ ...o, validation: { scheme: 'kfold' } });
    const some = finishSubset(k, all, 1000, 307);
    expect(some.length).toBe(1000);
    expect(Array.from(finishSubset(k, all, 1000, 307))).toEqual(Array.from(some));
    expect(Math.min(...Array.from(some, (r) => dayOf(frame, r))) - Date.UTC(2000, 0, 1) / DAY).toBeLessThan(50);
  });

  test('trained without a budget, the search uses searchRows and the served model every row; rows_by_stage says so', async () => {
    const frame = dated(3000, 6);
    const r = await trainModels({ frame, target: 'y', task: 'regression', columns: columns.filter((c) => c.name !== 'cls'), cvFolds: 3, seed: 3, searchRows: 500,
      models: ['linear'], validation: { scheme: 'time', time_column: 'date' } });
    expect(r.rows_by_stage).toMatchObject({ search: 500, refit: 3000, explain: 2400, finish_rule: 'no time budget' });
    expect(r.artifact.trained_rows).toBe(3000);
    expect(r.validation.served_model_rows).toBe(3000);
  });

  test('through the pool: the threads search on the subset, the finish sizes itself within the budget, and the artifact says how many rows it was fitted on', async () => {
    const frame = dated(20_000, 7);
    const started = Date.now();
    const r = await trainInPool({ frame, target: 'y', task: 'regression', columns: columns.filter((c) => c.name !== 'cls'), cvFolds: 3, seed: 3, searchRows: 2_000,
      models: ['gbdt'], timeBudgetS: 10, validation: { scheme: 'time', time_column: 'date' } }, { threads: 2 }).result;
    expect((Date.now() - started) / 1000).toBeLessThan(11); // within 10% of the budget
    expect(r.rows_by_stage.search).toBe(2_000);
    expect(r.rows_by_stage.refit).toBeGreaterThan(2_500); // more than the search's share of the 20,000 rows
    expect(r.rows_by_stage.refit).toBeLessThanOrEqual(20_000);
    expect(r.rows_by_stage.explain).toBeLessThanOrEqual(16_000);
    expect(r.rows_by_stage.finish_rule).toMatch(/s left; a fit measured on the search's folds at .* s per million rows/);
    expect(r.artifact.trained_rows).toBe(r.rows_by_stage.refit);
    expect(r.validation.served_model_rows).toBe(r.rows_by_stage.refit);
  }, 30_000);
});

describe('sizing the finish from measured speed', () => {
  const shape: FinishShape = { rows: 10_000, fitRows: 8_000, searchRows: 2_000, foldTrainRows: [1_600, 1_600, 1_600, 1_600, 1_600], explainTrainRows: 8_000 };
  const gbdt = (seconds: number, iterations: number, params = {}): FoldScore[] => Array.from({ length: 5 }, (_, fold) => (
    { model: 'gbdt', fold, score: 0.5, key: trialKey({ model: 'gbdt', params }), params, seconds, iterations }));

  test('a fit\'s cost comes from the folds, scaled to every planned boosting round', () => {
    const perRow = (c: ReturnType<typeof fitCost>) => c!.perRow;
    expect(fitCost({ model: 'gbdt', params: {} }, gbdt(0.16, 100), shape.foldTrainRows)).toEqual({ fixed: 0, perRow: expect.closeTo(1e-4, 10) });
    // Early stopping ended the folds at 50 of 100 rounds: more rows may run all 100, so twice the time per row.
    expect(perRow(fitCost({ model: 'gbdt', params: {} }, gbdt(0.16, 50), shape.foldTrainRows))).toBeCloseTo(2e-4, 10);
    expect(perRow(fitCost({ model: 'gbdt', params: { maxIter: 400 } }, gbdt(0.16, 100, { maxIter: 400 }), shape.foldTrainRows))).toBeCloseTo(4e-4, 10);
    expect(fitCost({ model: 'random_forest', params: {} }, gbdt(0.16, 100), shape.foldTrainRows)).toBeNull(); // never measured
    // Forward-chaining folds of growing size: 0.5 s per fold whatever its size, plus 1e-4 s per row. The line finds both,
    // so the fixed half-second is not charged per row of a million-row refit.
    const sizes = [1_000, 2_000, 3_000, 4_000, 5_000];
    const timed = sizes.map((n, fold): FoldScore => ({ model: 'linear', fold, score: 0.5, key: trialKey({ model: 'linear', params: {} }), params: {}, seconds: 0.5 + n * 1e-4 }));
    const c = fitCost({ model: 'linear', params: {} }, timed, sizes)!;
    expect(c.fixed).toBeCloseTo(0.5, 6);
    expect(c.perRow).toBeCloseTo(1e-4, 9);
    // An ensemble costs the sum of its members.
    const both = fitCost({ model: 'ensemble', members: [{ model: 'linear', params: {} }, { model: 'linear', params: {} }] }, timed, sizes)!;
    expect(both.perRow).toBeCloseTo(2e-4, 9);
  });

  test('the rows are what the time left affords, between the search share and every row', () => {
    const usable = (ms: number) => (ms / 1000) * (1 - FINISH_OVERHEAD) / FINISH_SAFETY;
    // 1 s left at 1e-4 s per row: 0.5 s of fitting affords 5,000 rows for each fit on two threads.
    expect(usable(1000)).toBeCloseTo(0.5);
    const rate = { fixed: 0, perRow: 1e-4 };
    expect(finishRows(shape, rate, 1000, 2)).toMatchObject({ refit: 5_000, explain: 5_000 });
    // A fixed 0.1 s per fit leaves 0.4 s for rows.
    expect(finishRows(shape, { fixed: 0.1, perRow: 1e-4 }, 1000, 2)).toMatchObject({ refit: 4_000, explain: 4_000 });
    // One thread runs both fits one after the other: they share the time in proportion to their most rows.
    const one = finishRows(shape, rate, 1000, 1);
    expect(one.refit + one.explain).toBeLessThanOrEqual(5_000);
    expect(one.refit / one.explain).toBeCloseTo(10_000 / 8_000, 1);
    // Plenty of time: every row. None left: the search's share (2,000 of 8,000 non-test rows → 2,500 of 10,000: fewer than MIN_FINISH_ROWS anyway).
    expect(finishRows(shape, rate, 60_000, 2)).toMatchObject({ refit: 10_000, explain: 8_000 });
    expect(finishRows(shape, rate, -500, 2)).toMatchObject({ refit: 2_500, explain: 2_000 });
    expect(finishRows(shape, null, 60_000, 2)).toMatchObject({ refit: 2_500, explain: 2_000 });
    // The search had every non-test row: the finish has every row, as before.
    expect(finishRows({ ...shape, searchRows: 8_000 }, rate, 0, 2)).toMatchObject({ refit: 10_000, explain: 8_000 });
    expect(finishRows(shape, rate, 1000, 2).why).toMatch(/1\.0 s left; a fit measured on the search's folds at 0\.00 s \+ 100\.0 s per million rows/);
    // When even the search's share would not fit (250,000 rows at 100 s per million with 10 s left), what the time
    // affords (10 s × 0.75 / 1.5 = 5 s: 50,000 rows), at least MIN_FINISH_ROWS: the stage keeps to its budget.
    const large: FinishShape = { rows: 1_000_000, fitRows: 800_000, searchRows: 200_000, foldTrainRows: [160_000], explainTrainRows: 800_000 };
    expect(finishRows(large, rate, 10_000, 2)).toMatchObject({ refit: 50_000, explain: 50_000 });
    expect(finishRows(large, rate, -500, 2)).toMatchObject({ refit: MIN_FINISH_ROWS, explain: MIN_FINISH_ROWS });
  });

  test('runTraining stops the search for the finish on more rows and sizes it from the trials\' seconds (injected clock)', async () => {
    // A fake runner: every fold of a GBDT takes 1e-4 s per training row on the clock; the baseline is instant.
    let clock = 0;
    const foldTrainRows = [1_600, 1_600, 1_600, 1_600, 1_600];
    const big: FinishShape = { rows: 1_000_000, fitRows: 800_000, searchRows: 2_000, foldTrainRows, explainTrainRows: 800_000 };
    let sized: ReturnType<typeof finishRows> | undefined;
    let finishedAt = 0;
    const keys: string[] = [];
    const runner: TaskRunner = {
      concurrency: 2,
      score: async (spec, fold) => {
        const seconds = spec.model === 'baseline' ? 0 : foldTrainRows[fold] * 2e-4;
        clock += seconds * 1000 / 2; // two folds at once
        // Every new trial scores a little better, so the search never converges on its own.
        if (!keys.includes(trialKey(spec))) keys.push(trialKey(spec));
        const score = spec.model === 'baseline' ? 0 : 0.5 + fold * 0.01 + keys.indexOf(trialKey(spec)) * 0.01;
        return { score: { model: spec.model, fold, score, key: trialKey(spec), params: spec.params, seconds, iterations: Number(spec.params.maxIter ?? 100) }, oof: new Float64Array(0) };
      },
      finish: async (board, _w, _d, _o, _s, size) => { finishedAt = clock; sized = size?.(board[0]); return { leaderboard: board } as unknown as TrainResult; },
    };
    const shape: TrainingShape = { names: ['baseline', 'gbdt'], metric: 'r2', warnings: [], folds: { length: 5 }, rows: 1_000_000, finish: big,
      o: { task: 'regression', seed: 1, timeBudgetS: 100, cvFolds: 5 } as TrainOptions };
    const start = Date.now();
    await runTraining(shape, runner, { now: () => start + clock, startedAt: start });
    expect(sized).toBeDefined();
    // Every trial's rate is 2e-4 s per row (all its rounds run): all 1M rows would take 2e-4 × 1M × 1.5 / 0.75 = 400 s, more than the budget,
    // so the search gave way once it had its 40% share, well before the 75% it may use.
    expect(finishedAt).toBeGreaterThanOrEqual(40_000);
    expect(finishedAt).toBeLessThan(75_000);
    // The finish took what the time left to 90 s affords at the served trial's measured rate, and more than the search.
    const left = 90_000 - finishedAt; // (less the few real milliseconds the test itself took)
    const servedRate = 2e-4;
    const expected = Math.floor((left / 1000) * (1 - FINISH_OVERHEAD) / FINISH_SAFETY / servedRate);
    expect(sized!.refit).toBeLessThanOrEqual(expected);
    expect(sized!.refit).toBeGreaterThan(expected * 0.99);
    expect(sized!.refit).toBeGreaterThan(big.searchRows * 10);
    expect(sized!.explain).toBe(sized!.refit);
  });
});

test('the budget loads more rows than the search uses, within a memory cap', () => {
  expect(sampleRowsFor(120, 5, 100_000)).toBe(240_000);
  expect(loadRowsFor(120, 5, 240_000)).toBe(1_200_000);
  expect(loadRowsFor(600, 20, 300_000)).toBe(MAX_LOAD_CELLS / 20);
  expect(loadRowsFor(10, 50, 100_000)).toBe(100_000); // never fewer than the search's rows
});
