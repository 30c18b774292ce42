// Predict jobs against the caller's limits on PostgreSQL, where requests really run at once: the active-job cap
// holds under concurrent starts, and the predictions file counts against the storage quota before and after scoring.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { predictionBytesEstimate } from '../../analysis/ml/batch-predict.js';
import { bytesHeldBy } from '../../db/usage.js';
import { ApiClient, VEGA } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

const QUOTA_MB = 50;
let stack: Stack;
let c: ApiClient;
let userId: string, modelId: string, runId: string, datasetId: string;
beforeAll(async () => {
  stack = await startStack({ db: 'postgres', env: { MAX_ACTIVE_RUNS_PER_USER: '2', STORAGE_QUOTA_MB: String(QUOTA_MB) } });
  c = new ApiClient(stack.base);
  userId = (await c.register()).user.id;
  datasetId = (await c.uploadFile(VEGA('penguins.json'))).body.dataset_id;
  runId = (await c.post('/runs/start', { dataset_id: datasetId, options: { target: 'Species', cv_folds: 2, seed: 3, models: ['linear'] } })).body.run_id;
  await c.waitFor(runId, (s) => s.status === 'completed', 120_000);
  modelId = (await c.get(`/runs/${runId}/result`)).body.modeling.best_model_id;
}, 180_000);
afterAll(async () => { await stack?.close(); });

async function ended(jobId: string): Promise<any> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const r = await c.get(`/predict-jobs/${jobId}`);
    if (['completed', 'failed', 'cancelled'].includes(r.body.status)) return r.body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not end: ${r.text}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** Fills the user's quota with a stand-in artifact row so that `left` bytes remain; returns a function removing it. */
async function fillQuota(left: number): Promise<() => Promise<void>> {
  const held = await bytesHeldBy(stack.db, userId);
  const id = randomUUID();
  await stack.db.insertInto('artifacts').values({
    id, run_id: runId, user_id: userId, type: 'other', filename: `filler-${id}.bin`, storage_key: `runs/${runId}/filler-${id}.bin`,
    size: QUOTA_MB * 1024 * 1024 - held - left, content_type: 'application/octet-stream',
  }).execute();
  return async () => { await stack.db.deleteFrom('artifacts').where('id', '=', id).execute(); };
}

test('six starts at once with a cap of two: exactly two jobs, four 429s, no stray rows', async () => {
  const answers = await Promise.all(Array.from({ length: 6 }, () => c.post(`/models/${modelId}/predict-jobs`, { dataset_id: datasetId })));
  expect(answers.map((a) => a.status).sort()).toEqual([202, 202, 429, 429, 429, 429]);
  for (const a of answers.filter((x) => x.status === 429)) expect(a.body.error.message).toMatch(/at most 2 may run at once/);
  const rows = await stack.db.selectFrom('predict_jobs').select('id').where('user_id', '=', userId).execute();
  expect(rows.map((r) => r.id).sort()).toEqual(answers.filter((a) => a.status === 202).map((a) => a.body.job_id).sort());
  for (const a of answers.filter((x) => x.status === 202)) expect(await ended(a.body.job_id)).toMatchObject({ status: 'completed' });
});

test('a job whose estimated file would pass the quota is refused (413) before it starts, naming what it needs', async () => {
  const model = JSON.parse((await stack.storage.get((await stack.db.selectFrom('models').select('storage_key').where('id', '=', modelId).executeTakeFirstOrThrow()).storage_key)).toString());
  const needed = predictionBytesEstimate(model, 344, 0, 'csv');
  expect(needed).toBeGreaterThan(344 * 20); // row number, label, three probabilities
  const unfill = await fillQuota(needed - 1);
  try {
    const before = await stack.db.selectFrom('predict_jobs').select('id').execute();
    const r = await c.post(`/models/${modelId}/predict-jobs`, { dataset_id: datasetId });
    expect(r.status).toBe(413);
    expect(r.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { needed_bytes: needed } });
    expect(r.body.error.message).toMatch(/storage quota of 50 MB would be exceeded/);
    expect(await stack.db.selectFrom('predict_jobs').select('id').execute()).toHaveLength(before.length);
  } finally { await unfill(); }
  const unfillSome = await fillQuota(needed);
  try {
    expect((await c.post(`/models/${modelId}/predict-jobs`, { dataset_id: datasetId })).status).toBe(202); // exactly enough left
  } finally { await unfillSome(); }
});

test('a quota filled while the job scores: the job fails readably (QUOTA_EXCEEDED), keeps no file and no chunks', async () => {
  const start = await c.post(`/models/${modelId}/predict-jobs`, { dataset_id: datasetId, format: 'parquet' });
  expect(start.status).toBe(202);
  const unfill = await fillQuota(100); // less than any predictions file
  try {
    const job = await ended(start.body.job_id);
    expect(job).toMatchObject({ status: 'failed', error_code: 'QUOTA_EXCEEDED', artifact_id: null });
    expect(job.error).toMatch(/^The predictions file is [\d.]+ MB, more than is left of your storage quota of 50\.0 MB .*it was not kept\./);
    expect(await stack.storage.list(`predict-jobs/${start.body.job_id}/`)).toEqual([]);
    const kept = await stack.db.selectFrom('artifacts').select('id').where('filename', '=', `predictions-${start.body.job_id}.parquet`).execute();
    expect(kept).toEqual([]);
  } finally { await unfill(); }
});
