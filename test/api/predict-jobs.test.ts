import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiClient } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

// Small chunks, so the 700-row table is scored in several (the last one short), and few explained rows.
const CHUNK_ROWS = 160, EXPLAIN_ROWS = 40, ROWS = 700;

/** A seeded classification table: two numbers, a category, a yes/no label that depends on all three. */
function tableCsv(rows: number, opts: { dropColumn?: string } = {}): string {
  let s = 11;
  const rnd = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const cols = ['a', 'b', 'segment', 'label'].filter((c) => c !== opts.dropColumn);
  const lines = [cols.join(',')];
  for (let i = 0; i < rows; i++) {
    const v: Record<string, string> = { a: (rnd() * 10).toFixed(3), b: (rnd() * 5).toFixed(3), segment: ['north', 'south', 'east'][Math.floor(rnd() * 3)] };
    v.label = Number(v.a) + Number(v.b) + (v.segment === 'north' ? 2 : 0) + rnd() * 2 > 9 ? 'yes' : 'no';
    lines.push(cols.map((c) => v[c]).join(','));
  }
  return lines.join('\n');
}

/** Rows of a CSV without quoted fields (what DuckDB writes for these values), as objects of strings. */
function parseCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split('\n');
  const names = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
}

let stack: Stack;
let c: ApiClient;
let modelId: string, runId: string, datasetId: string;
const csv = tableCsv(ROWS);

beforeAll(async () => {
  // UPLOAD_WAIT_S=0: uploads answer before their full read, so jobs meet datasets still `reading`.
  stack = await startStack({ env: { PREDICT_CHUNK_ROWS: String(CHUNK_ROWS), PREDICT_EXPLAIN_MAX_ROWS: String(EXPLAIN_ROWS), UPLOAD_WAIT_S: '0' } });
  c = new ApiClient(stack.base);
  await c.register();
  datasetId = (await c.upload('scored.csv', csv)).body.dataset_id;
  runId = (await c.post('/runs/start', { dataset_id: datasetId, options: { target: 'label', cv_folds: 2, seed: 3, models: ['gbdt'] } })).body.run_id;
  await c.waitFor(runId, (s) => s.status === 'completed', 120_000);
  modelId = (await c.get(`/runs/${runId}/result`)).body.modeling.best_model_id;
}, 180_000);
afterAll(async () => { await stack?.close(); });

/** Polls the job until it has ended. */
async function ended(jobId: string, client = c): Promise<any> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const r = await client.get(`/predict-jobs/${jobId}`);
    expect(r.status).toBe(200);
    if (['completed', 'failed', 'cancelled'].includes(r.body.status)) return r.body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not end: ${r.text}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** Follows the job's download redirect and returns the file's text. */
async function download(jobId: string): Promise<{ text: string; type: string | null }> {
  const r = await c.get(`/predict-jobs/${jobId}/download`);
  expect(r.status).toBe(302);
  const file = await fetch(r.headers.get('location')!);
  expect(file.status).toBe(200);
  return { text: await file.text(), type: file.headers.get('content-type') };
}

test('a predict job scores every row in chunks; its CSV matches POST /models/:id/predict row for row', async () => {
  const start = await c.post(`/models/${modelId}/predict-jobs`, { dataset_id: datasetId });
  expect(start.status).toBe(202);
  expect(start.body).toEqual({ job_id: expect.any(String), workflow_id: `predict-${start.body.job_id}`, status: 'queued' });
  const job = await ended(start.body.job_id);
  expect(job).toMatchObject({ status: 'completed', progress: 100, rows_done: ROWS, rows_total: ROWS, explain: false, format: 'csv', error: null, resumed_from_row: null, attempts: 1 });
  expect(job.download_path).toBe(`/predict-jobs/${job.job_id}/download`);

  const { text } = await download(job.job_id);
  const rows = parseCsv(text);
  expect(rows).toHaveLength(ROWS);
  expect(rows.map((r) => Number(r.row_number))).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
  expect(Object.keys(rows[0])).toEqual(['row_number', 'prediction', 'probability_no', 'probability_yes']);

  // The same rows through the synchronous route: one from each chunk, the first and the last.
  const source = parseCsv(csv);
  const picks = [0, CHUNK_ROWS - 1, CHUNK_ROWS, 2 * CHUNK_ROWS + 7, ROWS - 1];
  const sync = await c.post(`/models/${modelId}/predict`, { rows: picks.map((i) => ({ a: Number(source[i].a), b: Number(source[i].b), segment: source[i].segment })) });
  expect(sync.status).toBe(200);
  picks.forEach((i, k) => {
    expect(rows[i].prediction).toBe(sync.body.predictions[k]);
    for (const cls of ['no', 'yes']) expect(Number(rows[i][`probability_${cls}`])).toBeCloseTo(sync.body.probabilities[k][cls], 12);
  });

  // Recorded like the run's other artifacts, with its own download link there too.
  const listed = (await c.get(`/runs/${runId}/artifacts`)).body.items.find((a: { id: string }) => a.id === job.artifact_id);
  expect(listed).toMatchObject({ type: 'predictions', filename: `predictions-${job.job_id}.csv`, content_type: 'text/csv; charset=utf-8' });
  // The chunk objects are gone once the file is made.
  expect(await stack.storage.list(`predict-jobs/${job.job_id}/`)).toEqual([]);
});

test('explain: true adds SHAP columns for the first PREDICT_EXPLAIN_MAX_ROWS rows, equal to ?explain=true; Parquet on request', async () => {
  const start = await c.post(`/models/${modelId}/predict-jobs`, { dataset_id: datasetId, explain: true });
  const job = await ended(start.body.job_id);
  expect(job).toMatchObject({ status: 'completed', explain: true, explained_rows: EXPLAIN_ROWS });
  const rows = parseCsv((await download(job.job_id)).text);
  expect(Object.keys(rows[0])).toEqual(['row_number', 'prediction', 'probability_no', 'probability_yes', 'base_value', 'explained_class', 'shap_a', 'shap_b', 'shap_segment']);
  expect(rows.filter((r) => r.shap_a !== '')).toHaveLength(EXPLAIN_ROWS);
  expect(rows[EXPLAIN_ROWS].shap_a).toBe('');
  const source = parseCsv(csv);
  const picks = [0, EXPLAIN_ROWS - 1];
  const sync = await c.post(`/models/${modelId}/predict?explain=true`, { rows: picks.map((i) => ({ a: Number(source[i].a), b: Number(source[i].b), segment: source[i].segment })) });
  picks.forEach((i, k) => {
    const e = sync.body.explanations.rows[k];
    expect(rows[i].explained_class).toBe(e.class);
    expect(Number(rows[i].base_value)).toBeCloseTo(e.base_value, 12);
    for (const f of ['a', 'b', 'segment']) expect(Number(rows[i][`shap_${f}`])).toBeCloseTo(e.contributions[f], 12);
  });

  const pq = await ended((await c.post(`/models/${modelId}/predict-jobs`, { dataset_id: datasetId, format: 'parquet' })).body.job_id);
  expect(pq).toMatchObject({ status: 'completed', format: 'parquet' });
  const file = await download(pq.job_id);
  expect(file.text.slice(0, 4)).toBe('PAR1');
});

test('jobs are listed per model and per user, and a finished job cannot be cancelled', async () => {
  const mine = await c.get(`/models/${modelId}/predict-jobs`);
  expect(mine.status).toBe(200);
  expect(mine.body.items.length).toBeGreaterThanOrEqual(3);
  expect(mine.body.items.every((j: { model_id: string }) => j.model_id === modelId)).toBe(true);
  const done = (await c.get('/predict-jobs?status=completed&limit=1')).body;
  expect(done.items).toHaveLength(1);
  expect(done.next_cursor).toEqual(expect.any(String));
  const cancel = await c.post(`/predict-jobs/${done.items[0].job_id}/cancel`);
  expect(cancel.status).toBe(409);
  expect(cancel.body.error.code).toBe('CONFLICT');
});

test('a dataset missing a feature column is a 422 naming it; a value the model cannot read is a 422 naming the column', async () => {
  const other = (await c.upload('no-b.csv', tableCsv(50, { dropColumn: 'b' }))).body.dataset_id;
  const r = await c.post(`/models/${modelId}/predict-jobs`, { dataset_id: other });
  expect(r.status).toBe(422);
  expect(r.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: 'dataset_id: the dataset lacks columns the model needs: b', details: { missing: ['b'] } });

  const texty = (await c.upload('texty.csv', tableCsv(50).replace(/\n[0-9.]+,/, '\nlots,'))).body.dataset_id;
  const t = await c.post(`/models/${modelId}/predict-jobs`, { dataset_id: texty });
  expect(t.status).toBe(422);
  expect(t.body.error.message).toMatch(/^dataset_id: 'a' must be a number \(row 1: 'lots'\)/);
});

test("another user's model, dataset or job answers 404", async () => {
  const jobId = (await c.get(`/models/${modelId}/predict-jobs`)).body.items[0].job_id;
  const stranger = new ApiClient(stack.base);
  await stranger.register();
  const theirs = (await stranger.upload('theirs.csv', tableCsv(30))).body.dataset_id;
  for (const r of [
    await stranger.post(`/models/${modelId}/predict-jobs`, { dataset_id: theirs }),
    await stranger.get(`/models/${modelId}/predict-jobs`),
    await stranger.get(`/predict-jobs/${jobId}`),
    await stranger.get(`/predict-jobs/${jobId}/download`),
    await stranger.post(`/predict-jobs/${jobId}/cancel`),
    await c.post(`/models/${modelId}/predict-jobs`, { dataset_id: theirs }), // the model's owner, with the stranger's dataset
  ]) {
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  }
  expect((await stranger.get('/predict-jobs')).body.items).toEqual([]);
});

test('a dataset still being read is accepted: the job waits for the read, then scores every row', async () => {
  const up = await c.upload('fresh.csv', tableCsv(450));
  expect(up.body.status).toBe('reading');
  const start = await c.post(`/models/${modelId}/predict-jobs`, { dataset_id: up.body.dataset_id });
  expect(start.status).toBe(202);
  expect(await ended(start.body.job_id)).toMatchObject({ status: 'completed', rows_total: 450, rows_done: 450 });
});

test('cancelling a running job stops it, records "cancelled", deletes its chunks; the download is then a 409', async () => {
  const big = (await c.upload('big.csv', tableCsv(40_000))).body.dataset_id;
  const jobId = (await c.post(`/models/${modelId}/predict-jobs`, { dataset_id: big })).body.job_id;
  const deadline = Date.now() + 60_000;
  while ((await c.get(`/predict-jobs/${jobId}`)).body.rows_done < CHUNK_ROWS) {
    if (Date.now() > deadline) throw new Error('the job never scored a chunk');
    await new Promise((res) => setTimeout(res, 50));
  }
  const cancel = await c.post(`/predict-jobs/${jobId}/cancel`);
  expect(cancel.status).toBe(202);
  expect(cancel.body).toEqual({ job_id: jobId, workflow_id: `predict-${jobId}`, status: 'cancelled' });
  const job = await ended(jobId);
  expect(job).toMatchObject({ status: 'cancelled', error: 'The job was cancelled.', artifact_id: null, download_path: null });
  expect(job.rows_done).toBeLessThan(40_000);
  expect(await stack.storage.list(`predict-jobs/${jobId}/`)).toEqual([]);
  expect((await c.get(`/predict-jobs/${jobId}/download`)).status).toBe(409);
  expect((await c.post(`/predict-jobs/${jobId}/cancel`)).status).toBe(409);
});
