import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Activities } from '../../activities/index.js';
import { COMPARE_WORKFLOW_TYPE, compareWorkflowIdFor, type CompareInput } from '../../workflows/definitions.js';
import { bundle, createEnv, mockActivities, runScenario, type Calls } from './harness.js';

let env: TestWorkflowEnvironment;
let wb: WorkflowBundleWithSourceMap;
beforeAll(async () => { [env, wb] = await Promise.all([createEnv(), bundle()]); });
afterAll(async () => { await env?.teardown(); });

/** Runs compareDatasets on a fresh task queue with these activities; `record` saves its history for the replay test. */
function run<T>(activities: Activities, drive: (h: WorkflowHandle) => Promise<T>, record?: string): Promise<T> {
  return runScenario(env, wb, activities, { type: COMPARE_WORKFLOW_TYPE, idOf: (i: CompareInput) => compareWorkflowIdFor(i.compare_id) }, (taskQueue: string): CompareInput => ({
      compare_id: randomUUID(), user_id: randomUUID(), dataset_a: randomUUID(), dataset_b: randomUUID(), task_queue: taskQueue,
      timeouts: { compare_s: 30, heartbeat_s: 2, max_attempts: 2 },
    }), drive, record);
}
const failureOf = (calls: Calls) => calls.find((c) => c.name === 'recordCompareFailure')?.input;

test('a comparison returns where its result is and records no failure', async () => {
  const calls: Calls = [];
  const out = await run(mockActivities(calls), (h) => h.result(), 'compare-happy');
  expect(out).toEqual({ result_key: 'cr', report_key: 'ch', columns_compared: 3, drifted: 1 });
  expect(calls.map((c) => c.name)).toEqual(['compare']);
});

test('an unreadable dataset fails at once (not retried) and is recorded with its code', async () => {
  const calls: Calls = [];
  const compare = async () => { throw ApplicationFailure.create({ type: 'UNPROCESSABLE_DATASET', message: 'Dataset B (x.csv) cannot be read: empty', nonRetryable: true }); };
  const err = await run(mockActivities(calls, { compare }), (h) => h.result().catch((e: unknown) => e), 'compare-bad-data');
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect(calls.filter((c) => c.name === 'compare')).toHaveLength(1);
  expect(failureOf(calls)).toMatchObject({ status: 'failed', error_code: 'UNPROCESSABLE_DATASET', error: 'Dataset B (x.csv) cannot be read: empty' });
});

test('an infrastructure failure is retried up to max_attempts, then recorded', async () => {
  const calls: Calls = [];
  const compare = async () => { throw new Error('object store unreachable'); };
  await run(mockActivities(calls, { compare }), (h) => h.result().catch(() => undefined));
  expect(calls.filter((c) => c.name === 'compare')).toHaveLength(2);
  expect(failureOf(calls)).toMatchObject({ status: 'failed', error: 'object store unreachable' });
});

test('cancelling the workflow (Web UI, CLI) cancels the heartbeating activity and records "cancelled"', async () => {
  const calls: Calls = [];
  const seen = { cancelled: false };
  const compare = async () => {
    const ctx = Context.current();
    try {
      for (;;) { ctx.heartbeat({ phase: 'compare' }); await ctx.sleep(100); }
    } catch (err) {
      if (err instanceof CancelledFailure) seen.cancelled = true;
      throw err;
    }
  };
  await run(mockActivities(calls, { compare: compare as never }), async (h) => {
    await new Promise((r) => setTimeout(r, 500));
    await h.cancel();
    await h.result().catch(() => undefined);
  });
  expect(seen.cancelled).toBe(true);
  expect(failureOf(calls)).toMatchObject({ status: 'cancelled' });
});
