import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ActivityDeps } from '../../activities/index.js';
import type { ColumnProfile, EdaResult } from '../../analysis/profile/types.js';
import { activityEnv, runActivity as run, type ActivityEnv } from '../helpers/activity-env.js';
import { VEGA } from '../helpers/client.js';

let ae: ActivityEnv;
let deps: ActivityDeps;
let acts: ActivityEnv['acts'];
const newRun = (file: string, format: string) => ae.newRun(file, format);

beforeAll(async () => {
  ae = await activityEnv();
  ({ deps, acts } = ae);
});
afterAll(async () => { await ae.close(); });

test('ingest writes the Parquet copy and manifest and records them as artifacts', async () => {
  const { runId, datasetId } = await newRun(VEGA('penguins.json'), 'json');
  const out = await run(new MockActivityEnvironment(), acts.ingest, { run_id: runId, dataset_id: datasetId });
  expect(out).toMatchObject({ rows: 344, cols: 7, parquet_key: `runs/${runId}/data.parquet`, attempt: 1 });
  const arts = await deps.db.selectFrom('artifacts').select('filename').where('run_id', '=', runId).execute();
  expect(arts.map((a) => a.filename).sort()).toEqual(['data.parquet', 'manifest.json']);
});

test('ingest returns the column_types it could not apply as warnings, and keeps those columns as read', async () => {
  const { runId, datasetId } = await newRun(path.resolve('test/fixtures/csv/override.csv'), 'csv');
  const ing = await run(new MockActivityEnvironment(), acts.ingest, { run_id: runId, dataset_id: datasetId, column_types: { day: 'datetime', ok: 'boolean' } });
  expect(ing.warnings).toEqual(["'ok' was kept as it was: column_types asked for boolean, but 2 of 5 values do not read as boolean (e.g. 'maybe', 'perhaps')."]);
  const manifest = JSON.parse((await deps.storage.get(ing.manifest_key)).toString()) as { columns: { name: string; type: string }[]; source: { warnings: unknown[] } };
  expect(manifest.columns.filter((c) => ['day', 'ok'].includes(c.name)).map((c) => c.type)).toEqual(['datetime', 'categorical']);
  expect(manifest.source.warnings).toHaveLength(1);
});

test('ingest honours the run\'s column_types, and profile its thresholds and target', async () => {
  const { runId, datasetId } = await newRun(VEGA('penguins.json'), 'json');
  const ing = await run(new MockActivityEnvironment(), acts.ingest, { run_id: runId, dataset_id: datasetId, column_types: { 'Flipper Length (mm)': 'float', Island: 'text' } });
  const manifest = JSON.parse((await deps.storage.get(ing.manifest_key)).toString()) as { columns: { name: string; type: string }[] };
  expect(manifest.columns.filter((c) => ['Flipper Length (mm)', 'Island'].includes(c.name))).toEqual([
    expect.objectContaining({ name: 'Island', type: 'text' }), expect.objectContaining({ name: 'Flipper Length (mm)', type: 'float' })]);
  const prof = await run(new MockActivityEnvironment(), acts.profile, { run_id: runId, manifest_key: ing.manifest_key, parquet_key: ing.parquet_key, thresholds: { missing_pct: 0.01 } });
  const eda = JSON.parse((await deps.storage.get(prof.eda_key)).toString()) as EdaResult;
  expect(eda.alerts.filter((a) => a.kind === 'MISSING').map((a) => a.column)).toEqual(['Sex']); // 2.9% missing, above 1%
});

test('bad data fails ingest non-retryably with its code', async () => {
  const bad = path.join(deps.tmpDir, 'bad.csv');
  fs.writeFileSync(bad, 'a,b\n');
  const { runId, datasetId } = await newRun(bad, 'csv');
  const err = await run(new MockActivityEnvironment(), acts.ingest, { run_id: runId, dataset_id: datasetId }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ type: 'UNPROCESSABLE_DATASET', nonRetryable: true, message: 'The file has a header but no data rows.' });
});

test('profile resumes from the heartbeat details of an earlier attempt', async () => {
  const { runId, datasetId } = await newRun(VEGA('penguins.json'), 'json');
  const ing = await run(new MockActivityEnvironment(), acts.ingest, { run_id: runId, dataset_id: datasetId });
  const first = await run(new MockActivityEnvironment(), acts.profile, { run_id: runId, manifest_key: ing.manifest_key, parquet_key: ing.parquet_key });
  const eda = JSON.parse((await deps.storage.get(first.eda_key)).toString()) as EdaResult;
  // An earlier attempt finished two columns and saved them; mark them to see they are reused, not recomputed.
  const partial: ColumnProfile[] = eda.columns.slice(0, 2).map((c) => ({ ...c, mean: -1 }));
  const partialKey = `runs/${runId}/profile.partial.json`;
  await deps.storage.put(partialKey, JSON.stringify(partial));
  const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { columns_done: 2, partial_key: partialKey } });
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  const second = await run(env, acts.profile, { run_id: runId, manifest_key: ing.manifest_key, parquet_key: ing.parquet_key });
  expect(second).toMatchObject({ resumed_from: 2, attempt: 2 });
  const resumed = JSON.parse((await deps.storage.get(second.eda_key)).toString()) as EdaResult;
  expect(resumed.columns.slice(0, 2).map((c) => c.mean)).toEqual([-1, -1]);
  expect(resumed.columns.slice(2)).toEqual(eda.columns.slice(2));
  expect(beats.at(-1)).toEqual({ columns_done: 7, columns_total: 7, partial_key: partialKey, phase: 'columns' });
  expect(beats[0]).toMatchObject({ columns_done: 2, phase: 'load' }); // the first beat, before any query: where it resumes from
  expect(await deps.storage.exists(partialKey)).toBe(false);
});

test('train resumes from finished fold scores, logs each fold it scores, and writes the model row', async () => {
  const { runId, datasetId } = await newRun(VEGA('penguins.json'), 'json');
  const ing = await run(new MockActivityEnvironment(), acts.ingest, { run_id: runId, dataset_id: datasetId });
  const prof = await run(new MockActivityEnvironment(), acts.profile, { run_id: runId, manifest_key: ing.manifest_key, parquet_key: ing.parquet_key });
  const input = { run_id: runId, manifest_key: ing.manifest_key, parquet_key: ing.parquet_key, eda_key: prof.eda_key, target: 'Species', task: 'auto' as const, options: { cv_folds: 3 } };
  const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { folds: [{ model: 'baseline', fold: 0, score: 0.123 }] } });
  const out = await run(env, acts.train, input);
  expect(out).toMatchObject({ task: 'classification', metric: 'macro_f1', resumed_folds: 1 });
  const modeling = JSON.parse((await deps.storage.get(out.modeling_key)).toString());
  expect(out.best_model).toBe(modeling.leaderboard[0].model);
  expect(modeling.leaderboard.find((e: { model: string }) => e.model === 'baseline').folds[0]).toBe(0.123);
  // No budget given: the stage had one scaled to the table (344 × 7 → 30 s), said so, and searched within it.
  expect(modeling.search).toMatchObject({ time_budget_s: 30, budget_rule: expect.stringMatching(/was not given: 30 s \+ 1 s per 10,000 cells/) });
  expect(modeling.trials.length).toBeGreaterThan(4);
  expect(modeling.search.stage_seconds).toBeLessThan(30 * 1.1);
  expect(modeling.rows_by_stage).toMatchObject({ loaded: 344, refit: 344 });
  const model = await deps.db.selectFrom('models').selectAll().where('id', '=', out.model_id).executeTakeFirstOrThrow();
  expect(model).toMatchObject({ run_id: runId, user_id: ae.userId, target: 'Species', version: 1 });
  const lines = (await deps.db.selectFrom('logs').select('message').where('run_id', '=', runId).orderBy('id').execute()).map((l) => l.message);
  const foldLines = lines.filter((m) => / fold \d+ — /.test(m));
  // Every fold of every trial, less the baseline fold the earlier attempt scored (and logged); when the budget ran out
  // during a trial, that unfinished trial's folds too (at most 2 of its 3, or it would have finished).
  const unfinished = foldLines.length - (modeling.trials.length * 3 - 1);
  expect(unfinished).toBeGreaterThanOrEqual(0);
  expect(unfinished).toBeLessThanOrEqual(modeling.search.stopped === 'budget' ? 2 : 0);
  expect(foldLines.some((m) => m.startsWith('train: baseline fold 1 '))).toBe(false);
  expect(foldLines.at(-1)).toMatch(new RegExp(`^train: \\w+( \\(.*\\))? fold \\d — macro_f1 [01]\\.\\d{4} on its held-out rows \\(${foldLines.length + 1} fits done\\)$`));
  // The leaderboard's fold scores are among the lines of its model.
  for (const e of modeling.leaderboard as { model: string; folds: number[] }[]) {
    e.folds.forEach((f, i) => {
      if (e.model === 'baseline' && i === 0) return;
      expect(foldLines.some((m) => m.startsWith(`train: ${e.model}`) && m.includes(`fold ${i + 1} — macro_f1 ${f.toFixed(4)}`))).toBe(true);
    });
  }
});

test('a cancelled activity stops at its next heartbeat', async () => {
  const { runId, datasetId } = await newRun(VEGA('cars.json'), 'json');
  const ing = await run(new MockActivityEnvironment(), acts.ingest, { run_id: runId, dataset_id: datasetId });
  const env = new MockActivityEnvironment();
  env.once('heartbeat', () => env.cancel());
  const err = await run(env, acts.profile, { run_id: runId, manifest_key: ing.manifest_key, parquet_key: ing.parquet_key }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CancelledFailure);
  expect(await deps.db.selectFrom('artifacts').select('id').where('run_id', '=', runId).where('filename', '=', 'eda.json').executeTakeFirst()).toBeUndefined();
});

test('cancelling train stops the training thread through the heartbeat', async () => {
  const big = path.join(deps.tmpDir, 'big.csv');
  const lines = ['x1,x2,x3,c,label'];
  for (let i = 0; i < 40_000; i++) lines.push(`${Math.sin(i)},${Math.cos(i)},${i % 97},k${i % 30},${i % 3 === 0 ? 'a' : 'b'}`);
  fs.writeFileSync(big, lines.join('\n'));
  const { runId, datasetId } = await newRun(big, 'csv');
  const ing = await run(new MockActivityEnvironment(), acts.ingest, { run_id: runId, dataset_id: datasetId });
  const prof = await run(new MockActivityEnvironment(), acts.profile, { run_id: runId, manifest_key: ing.manifest_key, parquet_key: ing.parquet_key });
  const env = new MockActivityEnvironment();
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => { beats.push(d); if ((d as { folds: unknown[] }).folds.length >= 5) env.cancel(); });
  const started = Date.now();
  const err = await run(env, acts.train, { run_id: runId, manifest_key: ing.manifest_key, parquet_key: ing.parquet_key, eda_key: prof.eda_key,
    target: 'label', task: 'classification', options: { cv_folds: 5 } }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CancelledFailure);
  expect(beats.some((b) => (b as { folds: unknown[] }).folds.length >= 5)).toBe(true); // baseline folds were heartbeated
  expect(await deps.db.selectFrom('models').select('id').where('run_id', '=', runId).executeTakeFirst()).toBeUndefined();
  expect(Date.now() - started).toBeLessThan(60_000);
});

test('a dataset is read once: a second run of the same bytes reuses the normalised copy, and keeps a copy of its own', async () => {
  const a = await newRun(VEGA('penguins.json'), 'json');
  const first = await run(new MockActivityEnvironment(), acts.ingest, { run_id: a.runId, dataset_id: a.datasetId });
  const b = await newRun(VEGA('penguins.json'), 'json');
  const second = await run(new MockActivityEnvironment(), acts.ingest, { run_id: b.runId, dataset_id: b.datasetId });
  const logs = await deps.db.selectFrom('logs').select(['run_id', 'message']).where('run_id', 'in', [a.runId, b.runId]).execute();
  expect(logs.find((l) => l.run_id === b.runId)?.message).toMatch(/^ingest: reused the earlier read of 344 rows/);
  expect(second.parquet_key).toBe(`runs/${b.runId}/data.parquet`);
  expect((await deps.storage.get(second.parquet_key)).equals(await deps.storage.get(first.parquet_key))).toBe(true);
  // Other options are another read: the user's type for a column changes the copy.
  const c = await newRun(VEGA('penguins.json'), 'json');
  await run(new MockActivityEnvironment(), acts.ingest, { run_id: c.runId, dataset_id: c.datasetId, column_types: { Species: 'text' } });
  const third = await deps.db.selectFrom('logs').select('message').where('run_id', '=', c.runId).executeTakeFirstOrThrow();
  expect(third.message).toMatch(/^ingest: read 344 rows/);
});
