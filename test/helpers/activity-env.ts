// Activities run for real (DuckDB, the model engine, Chromium) outside Temporal, on PGlite and a filesystem store.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { createActivities, type ActivityDeps } from '../../activities/index.js';
import { loadEnv, reportSettings } from '../../config/env.js';
import { connectDb, migrateToLatest } from '../../db/connect.js';
import { FsStorage } from '../../storage/fs-storage.js';

export interface ActivityEnv {
  deps: ActivityDeps;
  /** The user who owns every run made here. */
  userId: string;
  acts: ReturnType<typeof createActivities>;
  /** Activities built with other settings (a theme, no Chromium) on the same database and store. */
  withEnv: (vars: Record<string, string>) => ReturnType<typeof createActivities>;
  /** A dataset row and a run row, with the upload in storage. */
  newRun: (file: string, format: string) => Promise<{ runId: string; datasetId: string }>;
  close: () => Promise<void>;
}

/** Runs an activity in a mock environment, keeping its result type. */
export const runActivity = <A, R>(env: MockActivityEnvironment, fn: (a: A) => Promise<R>, a: A): Promise<R> => env.run(fn, a) as Promise<R>;

export async function activityEnv(vars: Record<string, string> = {}): Promise<ActivityEnv> {
  const db = await connectDb({ memory: true });
  await migrateToLatest(db);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'acts-'));
  const deps: ActivityDeps = { db, storage: new FsStorage(root, 's', () => 'http://x'), logger: pino({ level: 'silent' }), tmpDir: root, defaultSampleRows: 100_000 };
  const withEnv = (more: Record<string, string>) => createActivities(deps, reportSettings(loadEnv({ TEMPORAL_UI_URL: 'http://ui', ...vars, ...more })));
  const userId = randomUUID(), projectId = randomUUID();
  await db.insertInto('users').values({ id: userId, name: 'u', email: 'u@x.io', password_hash: 'h', role: 'user' }).execute();
  await db.insertInto('projects').values({ id: projectId, user_id: userId, name: 'p', description: null, is_default: true }).execute();
  return {
    deps, userId, acts: withEnv({}), withEnv,
    newRun: async (file, format) => {
      const datasetId = randomUUID(), runId = randomUUID();
      const key = `datasets/${userId}/${datasetId}/upload.${format}`;
      await deps.storage.putFile(key, file);
      await db.insertInto('datasets').values({ id: datasetId, user_id: userId, project_id: projectId, name: path.basename(file, path.extname(file)), filename: path.basename(file), format,
        storage_key: key, size_bytes: 1, sha256: createHash('sha256').update(fs.readFileSync(file)).digest('hex'), rows: 0, cols: 0, columns: '[]', preview: '{"columns":[],"first_rows":[]}' }).execute();
      await db.insertInto('runs').values({ id: runId, user_id: userId, project_id: projectId, dataset_id: datasetId, workflow_id: `run-${runId}`,
        status: 'running', stage: 'ingest', options: '{}', idempotency_key: null }).execute();
      return { runId, datasetId };
    },
    close: async () => { await db.destroy(); fs.rmSync(root, { recursive: true, force: true }); },
  };
}

/** Ingest → profile → (train) → report → qa for one file, as the workflow runs them. */
export async function runStages(env: ActivityEnv, file: string, format: string, o: { target?: string; acts?: ActivityEnv['acts'] } = {}) {
  const acts = o.acts ?? env.acts;
  const { runId, datasetId } = await env.newRun(file, format);
  const ing = await runActivity(new MockActivityEnvironment(), acts.ingest, { run_id: runId, dataset_id: datasetId });
  const prof = await runActivity(new MockActivityEnvironment(), acts.profile, { run_id: runId, manifest_key: ing.manifest_key, parquet_key: ing.parquet_key });
  const tr = o.target ? await runActivity(new MockActivityEnvironment(), acts.train, {
    run_id: runId, manifest_key: ing.manifest_key, parquet_key: ing.parquet_key, eda_key: prof.eda_key, target: o.target, task: 'auto' as const, options: { cv_folds: 3, seed: 7 },
  }) : null;
  const rep = await runActivity(new MockActivityEnvironment(), acts.report, {
    run_id: runId, workflow_id: `run-${runId}`, manifest_key: ing.manifest_key, eda_key: prof.eda_key, modeling_key: tr?.modeling_key ?? null,
    warnings: [], options: o.target ? { target: o.target, cv_folds: 3, seed: 7 } : {},
  });
  const keys = { rows: ing.rows, cols: ing.cols, eda_key: prof.eda_key, modeling_key: tr?.modeling_key ?? null, model_id: tr?.model_id ?? null, report_key: rep.report_key, report_id: rep.report_id };
  const qa = await runActivity(new MockActivityEnvironment(), acts.qa, {
    run_id: runId, rows: ing.rows, eda_key: prof.eda_key, modeling_key: keys.modeling_key, report_key: rep.report_key,
    ending: { ...keys, warnings: rep.warnings ?? [], timings: {} }, pdf_key: rep.pdf_key ?? null,
  });
  const html = (await env.deps.storage.get(rep.report_key)).toString('utf8');
  const pdf = rep.pdf_key ? await env.deps.storage.get(rep.pdf_key) : null;
  const critique = JSON.parse((await env.deps.storage.get(qa.critique_key)).toString('utf8')) as { ok: boolean; findings: { severity: string; check: string; message: string }[] };
  return { runId, rep, qa, html, pdf, critique, keys };
}
