import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Activities } from '../../activities/index.js';
import { PREDICT_WORKFLOW_TYPE, predictWorkflowIdFor, type PredictJobInput } from '../../workflows/predict-definitions.js';
import { bundle, createEnv, mockActivities, runScenario, type Calls } from './harness.js';

let env: TestWorkflowEnvironment;
let wb: WorkflowBundleWithSourceMap;
beforeAll(async () => { [env, wb] = await Promise.all([createEnv(), bundle()]); });
afterAll(async () => { await env?.teardown(); });

/** Runs predictJob on a fresh task queue with these activities; `record` saves its history for the replay test. */
function run<T>(activities: Activities, drive: (h: WorkflowHandle) => Promise<T>, record?: string): Promise<T> {
  return runScenario(env, wb, activities, { type: PREDICT_WORKFLOW_TYPE, idOf: (i: PredictJobInput) => predictWorkflowIdFor(i.job_id) }, (taskQueue: string): PredictJobInput => ({
      job_id: randomUUID(), user_id: randomUUID(), model_id: randomUUID(), dataset_id: randomUUID(), explain: false, format: 'csv',
      chunk_rows: 5, explain_max_rows: 100, task_queue: taskQueue, timeouts: { predict_s: 30, heartbeat_s: 2, max_attempts: 3 },
    }), drive, record);
}
const endOf = (calls: Calls) => calls.find((c) => c.name === 'recordPredictJobEnd')?.input;

test('a job scores, then assembles the chunks it was told about, and records no failure', async () => {
  const calls: Calls = [];
  const out = await run(mockActivities(calls), (h) => h.result(), 'predict-happy');
  expect(calls.map((c) => c.name)).toEqual(['scorePredictions', 'assemblePredictions']);
  expect(calls[1].input).toMatchObject({ chunks: 2, rows: 10, format: 'csv', resumed_from_row: null });
  expect(out).toMatchObject({ rows: 10, resumed_from_row: null });
});

test('scoring retried after a lost worker gets the last heartbeat (the next chunk) and goes on from there', async () => {
  const calls: Calls = [];
  const seen: unknown[] = [];
  const scorePredictions = async () => {
    const ctx = Context.current();
    seen.push(ctx.info.heartbeatDetails ?? null);
    if (ctx.info.attempt === 1) {
      ctx.heartbeat({ next_chunk: 1, rows_done: 5, rows_total: 10 });
      await ctx.sleep(1500); // let the heartbeat reach the server before the loss
      throw new Error('worker lost');
    }
    return { chunks: 2, rows: 10, explained_rows: 0, resumed_from_row: 5 };
  };
  const out = await run(mockActivities(calls, { scorePredictions }), (h) => h.result(), 'predict-heartbeat-resume');
  expect(seen).toEqual([null, { next_chunk: 1, rows_done: 5, rows_total: 10 }]);
  expect(out.resumed_from_row).toBe(5);
});

test('bad data fails at once (not retried) and is recorded with its code and sentence', async () => {
  const calls: Calls = [];
  const scorePredictions = async () => { throw ApplicationFailure.create({ type: 'UNPROCESSABLE_DATASET', message: 'The dataset lacks columns the model needs: b.', nonRetryable: true }); };
  const err = await run(mockActivities(calls, { scorePredictions }), (h) => h.result().catch((e: unknown) => e), 'predict-bad-data');
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect(calls.filter((c) => c.name === 'scorePredictions')).toHaveLength(1);
  expect(calls.some((c) => c.name === 'assemblePredictions')).toBe(false);
  expect(endOf(calls)).toMatchObject({ status: 'failed', error_code: 'UNPROCESSABLE_DATASET', error: 'The dataset lacks columns the model needs: b.' });
});

test('cancelling the workflow cancels the heartbeating scoring and records "cancelled"', async () => {
  const calls: Calls = [];
  const seen = { cancelled: false };
  const scorePredictions = async () => {
    const ctx = Context.current();
    try {
      for (;;) { ctx.heartbeat({ next_chunk: 0, rows_done: 0, rows_total: 10 }); await ctx.sleep(100); }
    } catch (err) {
      if (err instanceof CancelledFailure) seen.cancelled = true;
      throw err;
    }
  };
  await run(mockActivities(calls, { scorePredictions: scorePredictions as never }), async (h) => {
    await new Promise((r) => setTimeout(r, 500));
    await h.cancel();
    await h.result().catch(() => undefined);
  });
  expect(seen.cancelled).toBe(true);
  expect(endOf(calls)).toMatchObject({ status: 'cancelled', error: 'The job was cancelled.' });
});
