// Batch predict job: kill -9 of the worker while chunks are being scored. A new worker takes the scoring activity
// over after its heartbeat timeout and goes on from the chunk its last heartbeat named; the predictions file holds
// every row exactly once and is byte-identical to an undisturbed job's.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FaultStack, Fatal, recordOutcome, syntheticCsv, until } from './helpers.js';

// 40,000 rows in chunks of 200: 200 chunks, so a kill lands well inside the scoring.
const ROWS = 40_000, CHUNK_ROWS = 200;

let stack: FaultStack;
beforeAll(async () => {
  stack = await FaultStack.start('predict-kill', { PREDICT_CHUNK_ROWS: String(CHUNK_ROWS) });
  await Promise.all([stack.startApi(), stack.startWorker('worker-a')]);
});
afterAll(async () => { await stack?.close(); });

interface JobBody { job_id: string; status: string; rows_done: number; rows_total: number | null; resumed_from_row: number | null; attempts: number; artifact_id: string | null; error: string | null; created_at: string; finished_at: string | null }

const job = async (id: string): Promise<JobBody> => {
  const r = await stack.client.get(`/predict-jobs/${id}`);
  if (r.status !== 200) throw new Error(`GET /predict-jobs/${id}: ${r.status} ${r.text}`);
  return r.body as JobBody;
};

/** Waits for the job to end; a crashed process or a failed job ends the wait at once. */
const ended = (id: string) => until(`predict job ${id} to end`, async () => {
  const crashed = stack.crashed();
  if (crashed.length) throw new Fatal(`a process crashed:\n${crashed.join('\n')}`);
  const j = await job(id);
  return ['completed', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
}, 240_000, 300);

/** The predictions file of a completed job, straight from the object store. */
async function artifactText(j: JobBody): Promise<string> {
  const [a] = await stack.query<{ storage_key: string }>('select storage_key from artifacts where id = $1', [j.artifact_id]);
  return (await stack.storage.get(a.storage_key)).toString('utf8');
}

const start = async (datasetId: string, modelId: string): Promise<string> => {
  const r = await stack.client.post(`/models/${modelId}/predict-jobs`, { dataset_id: datasetId });
  if (r.status !== 202) throw new Error(`start failed: ${r.status} ${r.text}`);
  return r.body.job_id as string;
};

test('a worker killed with SIGKILL mid-job: a new worker resumes from the heartbeated chunk; every row exactly once, same file as undisturbed', async () => {
  // A model trained on a small table, then a large table of the same columns to score.
  const small = await stack.dataset(syntheticCsv(path.join(stack.dir, 'train.csv'), 1500, 7));
  const run = await stack.startRun(small, { target: 'label', cv_folds: 2, seed: 42, models: ['gbdt'] });
  expect((await stack.waitEnded(run)).status).toBe('completed');
  const modelId = (await stack.client.get(`/runs/${run}/result`)).body.modeling.best_model_id as string;
  const big = await stack.dataset(syntheticCsv(path.join(stack.dir, 'score.csv'), ROWS, 99));

  const undisturbed = await ended(await start(big, modelId));
  expect(undisturbed).toMatchObject({ status: 'completed', rows_done: ROWS, resumed_from_row: null, attempts: 1 });

  const t0 = Date.now();
  const id = await start(big, modelId);
  // Into the chunks: the server holds a heartbeat naming a chunk past the first few, and most are still to come.
  const heartbeated = await until('a heartbeat past the first chunks', async () => {
    const j = await job(id);
    if (j.status !== 'queued' && j.status !== 'running') throw new Fatal(`the job ended before the kill: ${JSON.stringify(j)}`);
    const desc = await (await stack.temporalClientOf()).workflow.getHandle(`predict-${id}`).describe();
    const payload = desc.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
    const details = payload ? defaultPayloadConverter.fromPayload<{ next_chunk?: number }>(payload as never) : undefined;
    return (details?.next_chunk ?? 0) >= 5 ? details!.next_chunk! : undefined;
  }, 120_000, 50);
  await stack.procs.find((p) => p.name === 'worker-a')!.kill9();
  const stoppedAt = (await job(id)).rows_done; // what worker-a had recorded when it died
  expect(stoppedAt).toBeLessThan(ROWS); // the kill landed inside the scoring
  const workerB = await stack.startWorker('worker-b');
  const end = await ended(id);
  const wall = (Date.now() - t0) / 1000;

  expect(end).toMatchObject({ status: 'completed', rows_done: ROWS, rows_total: ROWS, error: null });
  expect(end.attempts).toBeGreaterThanOrEqual(2);
  // Resumed, not restarted: attempt 2 began at the chunk boundary worker-a last heartbeated, past the first chunks.
  // (Heartbeats are sent at most once a second: the server's may name a chunk a little before `stoppedAt`.)
  expect(end.resumed_from_row).toBeGreaterThanOrEqual(heartbeated * CHUNK_ROWS);
  expect(end.resumed_from_row).toBeLessThanOrEqual(stoppedAt);
  expect(end.resumed_from_row! % CHUNK_ROWS).toBe(0);
  expect(fs.readFileSync(workerB.logFile, 'utf8')).toContain('resuming from the last heartbeat');

  // Every row exactly once, in order, and the very bytes of the undisturbed job's file.
  const text = await artifactText(end);
  const rowNumbers = text.trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
  expect(rowNumbers).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  expect(sha(text)).toBe(sha(await artifactText(undisturbed)));
  expect(await stack.storage.list(`predict-jobs/${id}/`)).toEqual([]); // chunks deleted once assembled
  expect(stack.crashed()).toEqual([]);
  console.log(`predict job kill: worker-a had stored ${stoppedAt} rows; worker-b resumed at row ${end.resumed_from_row} (${stoppedAt - end.resumed_from_row!} rows scored again into the same chunk keys); ${wall.toFixed(1)} s in all, undisturbed job ${((Date.parse(undisturbed.finished_at!) - Date.parse(undisturbed.created_at)) / 1000).toFixed(1)} s`);
  recordOutcome({ scenario: 'predict job: worker kill -9 mid-scoring', outcome: `completed on worker-b, resumed at row ${end.resumed_from_row} of ${ROWS}; same file, rows once`, wall_s: wall });
});
