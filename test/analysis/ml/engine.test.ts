import { describe, expect, test } from 'vitest';
import { kFolds, trainIndices } from '../../../analysis/ml/folds.js';
import { accuracy, macroF1, r2, rmse, rocAuc } from '../../../analysis/ml/metrics.js';
import { checkRows, predictRows } from '../../../analysis/ml/predict.js';
import { prepareTraining } from '../../../analysis/ml/prepare-training.js';
import { seededRandom } from '../../../analysis/ml/random.js';
import { finishTraining, runTraining, scoreFold, shapeOf, trainModels, type TaskRunner } from '../../../analysis/ml/train-models.js';
import { trialKey, type TrialSpec } from '../../../analysis/ml/search-space.js';
import { spareThreads, trainInPool } from '../../../analysis/ml/train-pool.js';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataError } from '../../../analysis/errors.js';
import type { Frame } from '../../../analysis/ml/load-frame.js';

function synthetic(rows: number, seed: number): Frame {
  const rand = seededRandom(seed);
  const x1: number[] = [], x2: number[] = [], colour: string[] = [], y: number[] = [], cls: string[] = [];
  for (let i = 0; i < rows; i++) {
    const a = rand() * 10, b = rand() * 5, c = ['red', 'green', 'blue'][i % 3];
    x1.push(a); x2.push(b); colour.push(c);
    y.push(3 * a - 2 * b + (c === 'red' ? 4 : 0) + (rand() - 0.5) * 0.1);
    cls.push(a + (c === 'blue' ? 3 : 0) > 6 ? 'yes' : 'no');
  }
  return { rows, columns: { x1, x2, colour, y, cls } };
}
/** A result as JSON without what is measured (seconds), which differs between runs; everything else must match. */
const timeless = (r: Awaited<ReturnType<typeof trainModels>>) => JSON.stringify({ ...r, trials: r.trials.map(({ seconds: _s, ...x }) => x), search: { ...r.search, seconds: 0 },
  charts: r.charts.filter((c) => c.id !== 'search_trials') });

/** A runner of two "threads" that logs each fold's start and end; a fold of `spec` takes `ms(spec, fold)`. */
function loggingRunner(t: ReturnType<typeof prepareTraining>, ms: (spec: TrialSpec, fold: number) => number) {
  const log: string[] = [];
  const runner: TaskRunner = {
    concurrency: 2,
    score: async (spec, fold, deadline) => {
      log.push(`start ${spec.model} ${fold}`);
      await new Promise((r) => setTimeout(r, ms(spec, fold)));
      log.push(`end ${spec.model} ${fold}`);
      return scoreFold(t, spec, fold, deadline);
    },
    finish: async (lb, w, deadline, oofs, search, size) => finishTraining(t, lb, w, deadline, oofs, search, size),
  };
  return { log, runner };
}

const columns = [{ name: 'x1', type: 'float' as const }, { name: 'x2', type: 'float' as const }, { name: 'colour', type: 'categorical' as const },
  { name: 'y', type: 'float' as const }, { name: 'cls', type: 'categorical' as const }];

describe('metrics', () => {
  test('known values', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
    expect(accuracy([0, 1, 1], [0, 1, 0])).toBeCloseTo(2 / 3, 12);
    expect(macroF1([0, 0, 1, 1], [0, 1, 1, 1], 2)).toBeCloseTo((2 / 3 + 0.8) / 2, 12);
    expect(r2([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(rmse([0, 0], [3, 4])).toBeCloseTo(Math.sqrt(12.5), 12);
  });
});

describe('folds', () => {
  test('partition the rows, are stratified and reproducible', () => {
    const strata = Int32Array.from({ length: 100 }, (_, i) => (i < 20 ? 1 : 0));
    const folds = kFolds(100, 5, 3, strata);
    expect(folds.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (const f of folds) expect(f.filter((i) => strata[i] === 1)).toHaveLength(4);
    expect(kFolds(100, 5, 3, strata)).toEqual(folds);
    expect(trainIndices(100, folds[0]).length).toBe(80);
  });
});

describe('trainModels', () => {
  test('regression recovers a linear function (R² near 1) and ranks the baseline last', async () => {
    const r = await trainModels({ frame: synthetic(400, 1), target: 'y', task: 'regression', columns: columns.filter((c) => c.name !== 'cls'), cvFolds: 5, seed: 1 });
    expect(r.metric).toBe('r2');
    expect(r.leaderboard[0].model).toBe('linear');
    expect(r.leaderboard.at(-1)!.model).toBe('baseline');
    expect(r.leaderboard.map((e) => e.model).sort()).toEqual(['baseline', 'gbdt', 'linear', 'random_forest']);
    expect(r.leaderboard[0].cv_mean).toBeGreaterThan(0.999);
    expect(r.importances[0].feature).toBe('x1');
  });

  test('binary classification scores by ROC AUC and predicts through a save/load round trip', async () => {
    const frame = synthetic(400, 2);
    const r = await trainModels({ frame, target: 'cls', task: 'classification', columns: columns.filter((c) => c.name !== 'y'), cvFolds: 4, seed: 2 });
    expect(r.metric).toBe('roc_auc');
    expect(r.leaderboard[0].cv_mean).toBeGreaterThan(0.95);
    const restored = JSON.parse(JSON.stringify(r.artifact));
    const rows = Array.from({ length: 20 }, (_, i) => ({ x1: frame.columns.x1[i], x2: frame.columns.x2[i], colour: frame.columns.colour[i] }));
    expect(predictRows(restored, rows, { explain: true })).toEqual(predictRows(r.artifact, rows, { explain: true }));
    expect(predictRows(r.artifact, [{ x1: 9, x2: 1, colour: 'purple' }]).predictions).toEqual(['yes']); // unseen category handled
  });

  test('same data, options and seed give the same leaderboard and the same model bytes', async () => {
    const o = { frame: synthetic(300, 3), target: 'cls', task: 'classification' as const, columns, cvFolds: 3, seed: 9 };
    const [a, b] = [await trainModels(o), await trainModels(o)];
    expect(a.leaderboard).toEqual(b.leaderboard);
    expect(JSON.stringify(a.artifact)).toBe(JSON.stringify(b.artifact));
  });

  test('resumes from fold scores an earlier attempt finished', async () => {
    const o = { frame: synthetic(200, 4), target: 'y', task: 'regression' as const, columns: columns.filter((c) => c.name !== 'cls'), cvFolds: 3, seed: 4 };
    const full = await trainModels(o);
    const fitted: number[] = [];
    const done = [{ model: 'baseline' as const, fold: 0, score: -42 }];
    const resumed = await trainModels({ ...o, done, onFold: async (d) => { fitted.push(d.length); } });
    expect(fitted).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]); // eleven folds fitted, the finished one reused
    expect(resumed.leaderboard.find((e) => e.model === 'baseline')!.folds[0]).toBe(-42);
    expect(resumed.leaderboard.find((e) => e.model === 'linear')).toEqual(full.leaderboard.find((e) => e.model === 'linear'));
  });

  test('a constant target, and no usable features, fail with sentences a user can act on', async () => {
    const frame: Frame = { rows: 10, columns: { a: Array.from({ length: 10 }, (_, i) => i), id: Array.from({ length: 10 }, (_, i) => `u${i}`), t: Array(10).fill('x') } };
    await expect(trainModels({ frame, target: 't', task: 'classification', columns: [{ name: 'a', type: 'integer' }, { name: 't', type: 'categorical' }], cvFolds: 2, seed: 1 }))
      .rejects.toThrow("The target 't' has a single value; there is nothing to predict.");
    await expect(trainModels({ frame, target: 'a', task: 'regression', columns: [{ name: 'a', type: 'integer' }, { name: 'id', type: 'identifier' }], cvFolds: 2, seed: 1 }))
      .rejects.toThrow(/No column besides the target 'a' can be used as a feature/);
  });

  test('the time budget stops training with the candidates that finished', async () => {
    let t = 0;
    const r = await trainModels({ frame: synthetic(200, 5), target: 'y', task: 'regression', columns: columns.filter((c) => c.name !== 'cls'), cvFolds: 3, seed: 5,
      timeBudgetS: 2.5, now: () => (t += 1000) });
    expect(r.leaderboard.map((e) => e.model)).toEqual(['baseline']);
    expect(r.warnings.join(' ')).toMatch(/time budget of 2.5 s ran out/);
  });
});

test('checkRows names missing and mistyped columns', () => {
  const model = { preprocessing: { inputs: [{ name: 'a', type: 'float' }, { name: 'b', type: 'categorical' }, { name: 'd', type: 'datetime' }, { name: 'f', type: 'boolean' }] } } as never;
  expect(checkRows(model, [{ a: 'x', d: 'not a date', f: 'maybe' }])).toEqual({ missing: ['b'], mistyped: [
    { column: 'a', row: 0, value: 'x', expected: 'float' }, { column: 'd', row: 0, value: 'not a date', expected: 'datetime' }, { column: 'f', row: 0, value: 'maybe', expected: 'boolean' }] });
  expect(checkRows(model, [{ a: '3.5', b: 'q', d: '2024-01-02', f: 'yes', extra: 1 }])).toBeNull();
});

describe('trainInPool', () => {
  test('two threads give the same result as training in-process, streaming folds', async () => {
    const o = { frame: synthetic(300, 6), target: 'cls', task: 'classification' as const, columns, cvFolds: 3, seed: 6 };
    const folds: number[] = [];
    const pooled = await trainInPool(o, { threads: 2, onFold: (d) => folds.push(d.length) }).result;
    expect(folds).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(timeless(pooled)).toBe(timeless(await trainModels(o)));
  });

  test('with ASSAY_SHARE_PREPARED=1 the second thread trains on the first thread\'s prepared copy, with the same result', async () => {
    const o = { frame: synthetic(300, 8), target: 'y', task: 'regression' as const, columns, cvFolds: 3, seed: 8 };
    process.env.ASSAY_SHARE_PREPARED = '1';
    try {
      const pooled = await trainInPool(o, { threads: 2 }).result;
      expect(timeless(pooled)).toBe(timeless(await trainModels(o)));
    } finally { delete process.env.ASSAY_SHARE_PREPARED; }
  });

  test('a stage leaves booted threads behind for the next one, which trains on them with the same result', async () => {
    const o = { frame: synthetic(300, 9), target: 'y', task: 'regression' as const, columns, cvFolds: 3, seed: 9 };
    const first = await trainInPool(o, { threads: 2 }).result;
    expect(spareThreads()).toBe(2);
    const job = trainInPool(o, { threads: 2 });
    expect(spareThreads()).toBe(0); // taken, not booted anew
    const second = await job.result;
    expect(JSON.stringify({ ...second, trials: [], search: null, charts: [] })).toBe(JSON.stringify({ ...first, trials: [], search: null, charts: [] }));
    expect(spareThreads()).toBe(2);
  });

  test('waiting threads do not keep a process alive after its last stage', () => {
    // A script (or CLI) that trains once must still exit by itself.
    const pool = new URL('../../../analysis/ml/train-pool.ts', import.meta.url).href;
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spares-')), 'once.mts');
    fs.writeFileSync(script, `import { trainInPool, spareThreads } from '${pool}';
      const x = Array.from({ length: 60 }, (_, i) => i), y = x.map((v) => (v * 7) % 5);
      await trainInPool({ frame: { rows: 60, columns: { x, y } }, target: 'y', task: 'regression', columns: [{ name: 'x', type: 'float' }, { name: 'y', type: 'float' }], cvFolds: 2, seed: 1, models: ['linear'] }, { threads: 2 }).result;
      console.log('spares', spareThreads());`);
    const out = execFileSync(process.execPath, ['--import', 'tsx', script], { timeout: 60_000, encoding: 'utf8' });
    expect(out.trim()).toBe('spares 2');
  });

  test('a thread out of folds in a defaults-only stage\'s last trial fits the likely served model ahead, and the result is unchanged', async () => {
    // Scheduling, with a runner whose third fold is slow: the other thread runs out of work while it runs.
    const o = { frame: synthetic(600, 4), target: 'cls', task: 'classification' as const, columns, cvFolds: 3, seed: 4, models: ['gbdt' as const] };
    const t = prepareTraining(o);
    const offered: { spec: TrialSpec; at: number }[] = [];
    let folds = 0;
    const runner = (budget?: number): TaskRunner => ({
      concurrency: 2,
      score: async (spec, fold, deadline) => {
        await new Promise((r) => setTimeout(r, spec.model !== 'baseline' && fold === 2 ? 150 : 10));
        folds++;
        return scoreFold(t, spec, fold, deadline);
      },
      speculate: (spec) => { offered.push({ spec, at: folds }); },
      finish: async (lb, w, deadline, oofs, search, size) => finishTraining({ ...t, o: { ...t.o, timeBudgetS: budget } }, lb, w, deadline, oofs, search, size),
    });
    await runTraining(shapeOf(t), runner());
    // Offered once, for the GBDT (the baseline is not the last trial), while its slow fold still ran.
    expect(offered.map((x) => trialKey(x.spec))).toEqual(['gbdt:']);
    expect(offered[0].at).toBeLessThan(6);
    // A searching stage (time budget) is never offered one: its next trial depends on this one's score.
    offered.length = 0; folds = 0;
    await runTraining({ ...shapeOf(t), o: { ...t.o, timeBudgetS: 5, maxTrials: 1 } }, runner(5));
    expect(offered).toEqual([]);

    // Through the pool: the model fitted ahead is the one the explanation uses, and nothing differs from in-process.
    // Fitting ahead is opportunistic (only a thread already idle takes it): under the full suite on 2 cores one CI run
    // had no idle moment, so the pool gets three tries to show it; every try must equal in-process training.
    const big = { ...o, frame: synthetic(4000, 5) };
    const inProcess = timeless(await trainModels(big));
    const aheads: { fitted: string[]; used: boolean }[] = [];
    for (let i = 0; i < 3 && !aheads.some((a) => a.fitted.length); i++) {
      const job = trainInPool(big, { threads: 2 });
      expect(timeless(await job.result)).toBe(inProcess);
      aheads.push(job.ahead);
    }
    expect(aheads.at(-1)).toEqual({ fitted: ['gbdt:'], used: true });
    for (const a of aheads) expect(a.used).toBe(a.fitted.length > 0); // nothing fitted ahead, nothing claimed used
  });

  test('a thread out of a trial\'s folds starts the next queued trial\'s folds, with the same trials, order and result', async () => {
    const o = { frame: synthetic(600, 11), target: 'cls', task: 'classification' as const, columns, cvFolds: 3, seed: 11, models: ['gbdt' as const, 'linear' as const] };
    const t = prepareTraining(o);
    const { log, runner } = loggingRunner(t, (spec, fold) => (spec.model === 'gbdt' && fold === 2 ? 200 : 10));
    const r = await runTraining(shapeOf(t), runner);
    // The linear model's folds ran while the GBDT's slow last fold did (before, that thread waited).
    expect(log.indexOf('start linear 0')).toBeLessThan(log.indexOf('end gbdt 2'));
    expect(r.trials.map((x) => x.model)).toEqual(['baseline', 'gbdt', 'linear']);
    expect(timeless(r)).toBe(timeless(await trainModels(o)));
  });

  test('a fold started ahead for the next trial runs beside that trial\'s other folds, not before them', async () => {
    // The baseline's five folds on two threads: the thread done first starts the GBDT's fold 0 ahead. The GBDT's
    // trial then begins when the baseline's own folds end; before, it waited for that fold 0 too, and a core sat idle
    // for a whole GBDT fold (1.4 s of the 100k bench stage).
    const o = { frame: synthetic(600, 12), target: 'cls', task: 'classification' as const, columns, cvFolds: 5, seed: 12, models: ['gbdt' as const] };
    const t = prepareTraining(o);
    const { log, runner } = loggingRunner(t, (spec) => (spec.model === 'baseline' ? 10 : 120));
    const r = await runTraining(shapeOf(t), runner);
    expect(log.indexOf('start gbdt 0')).toBeLessThan(log.indexOf('end baseline 4'));
    expect(log.indexOf('start gbdt 1')).toBeLessThan(log.indexOf('end gbdt 0'));
    // Never more than two folds at once, and every fold scored once.
    let running = 0, most = 0;
    for (const e of log) { running += e.startsWith('start') ? 1 : -1; most = Math.max(most, running); }
    expect(most).toBe(2);
    expect(log.filter((e) => e.startsWith('start gbdt')).sort()).toEqual([0, 1, 2, 3, 4].map((f) => `start gbdt ${f}`));
    expect(timeless(r)).toBe(timeless(await trainModels(o)));
  });

  test('carries data errors across the thread boundary', async () => {
    const frame: Frame = { rows: 4, columns: { a: [1, 2, 3, 4], t: ['x', 'x', 'x', 'x'] } };
    const err = await trainInPool({ frame, target: 't', task: 'classification', columns: [{ name: 'a', type: 'integer' }, { name: 't', type: 'categorical' }], cvFolds: 2, seed: 1 }, { threads: 2 })
      .result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err).toMatchObject({ code: 'INVALID_TARGET' });
  });
});

describe('prediction drift', () => {
  // Training reads a yes/no column as booleans; callers send it as they wrote it.
  const frame = (rows: number, seed: number): Frame => {
    const rand = seededRandom(seed);
    const x: number[] = [], member: boolean[] = [], y: string[] = [];
    for (let i = 0; i < rows; i++) {
      const a = rand() * 10, m = rand() < 0.4;
      x.push(a); member.push(m); y.push(a + (m ? 3 : 0) > 6 ? 'up' : 'down');
    }
    return { rows, columns: { x, member, y } };
  };
  const cols = [{ name: 'x', type: 'float' as const }, { name: 'member', type: 'boolean' as const }, { name: 'y', type: 'categorical' as const }];
  const asSent = (f: Frame, n: number) => Array.from({ length: n }, (_, i) => ({ x: f.columns.x[i], member: f.columns.member[i] ? 'yes' : 'no' }));

  test('is measured on the rows as training saw them: yes/no from the same distribution is not drift', async () => {
    const r = await trainModels({ frame: frame(600, 1), target: 'y', task: 'classification', columns: cols, cvFolds: 3, seed: 1, models: ['linear'] });
    const p = predictRows(r.artifact, asSent(frame(400, 2), 400));
    expect(p.drift.find((d) => d.feature === 'member')!.psi).toBeLessThan(0.05); // was ≈ 18 when "yes" was compared with true
    expect(p.drift.every((d) => !d.drifted)).toBe(true);
    expect(p.drift_note).toBeUndefined();
  });

  test('is not judged on a small batch: a note instead of flags', async () => {
    const r = await trainModels({ frame: frame(600, 1), target: 'y', task: 'classification', columns: cols, cvFolds: 3, seed: 1, models: ['linear'] });
    const shifted = asSent(frame(60, 3), 60).map((row) => ({ ...row, x: Number(row.x) + 100 }));
    const p = predictRows(r.artifact, shifted);
    expect(p.drift.find((d) => d.feature === 'x')!.psi).toBeGreaterThan(1);
    expect(p.drift.every((d) => !d.drifted)).toBe(true);
    expect(p.warnings).toEqual([]);
    expect(p.drift_note).toMatch(/^Drift is judged on 100 rows or more; with 60/);
  });
});

describe('class weights', () => {
  test('balance imbalanced classes only up to a 10 : 1 ratio between weights, with a mean weight of 1', () => {
    const rand = seededRandom(5);
    const rows = 2_000, x: number[] = [], y: string[] = [];
    for (let i = 0; i < rows; i++) { x.push(rand()); y.push(i % 400 === 0 ? 'rare' : i % 3 ? 'a' : 'b'); } // 5 rare rows in 2,000
    const t = prepareTraining({ frame: { rows, columns: { x, y } }, target: 'y', task: 'classification',
      columns: [{ name: 'x', type: 'float' }, { name: 'y', type: 'categorical' }], cvFolds: 3, seed: 1, validation: { scheme: 'stratified', test_fraction: 0 } });
    const w = t.weights!;
    const byClass = (name: string) => w[t.d.yCls.findIndex((c) => t.d.classes[c] === name)];
    expect(byClass('rare') / byClass('a')).toBeCloseTo(10, 6); // fully balanced would be ~266
    expect(byClass('b') / byClass('a')).toBeCloseTo(1333 / 662, 1);
    expect(w.reduce((s, v) => s + v, 0) / w.length).toBeCloseTo(1, 9);
    expect(t.warnings.join(' ')).toMatch(/capped at 10 : 1/);
  });
});
