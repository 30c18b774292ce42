import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Activities } from '../../activities/index.js';
import { PIPELINE_WORKFLOW_TYPE, pipelineWorkflowIdFor, type PipelineInput } from '../../workflows/definitions.js';
import { bundle, createEnv, mockActivities, runScenario, type Calls } from './harness.js';

let env: TestWorkflowEnvironment;
let wb: WorkflowBundleWithSourceMap;
beforeAll(async () => { [env, wb] = await Promise.all([createEnv(), bundle()]); });
afterAll(async () => { await env?.teardown(); });

/** Runs pipelineRun on a fresh task queue with these activities; `record` saves its history for the replay test. */
function run<T>(activities: Activities, drive: (h: WorkflowHandle, input: PipelineInput) => Promise<T>, record?: string): Promise<T> {
  return runScenario(env, wb, activities, { type: PIPELINE_WORKFLOW_TYPE, idOf: (i: PipelineInput) => pipelineWorkflowIdFor(i.pipeline_id) }, (taskQueue: string): PipelineInput => ({
      pipeline_id: randomUUID(), user_id: randomUUID(), dataset_id: randomUUID(), output_dataset_id: randomUUID(), task_queue: taskQueue,
      steps: [{ step: 'deduplicate', params: {} }, { step: 'impute', column: 'age', params: { strategy: 'median' } }],
      timeouts: { pipeline_s: 30, heartbeat_s: 2, max_attempts: 2 },
    }), drive, record);
}
const failureOf = (calls: Calls) => calls.find((c) => c.name === 'recordPipelineFailure')?.input;

test('a pipeline passes its steps and output id to the activity and returns the new version', async () => {
  const calls: Calls = [];
  let input!: PipelineInput;
  const out = await run(mockActivities(calls), (h, i) => { input = i; return h.result(); }, 'pipeline-happy');
  expect(out).toEqual({ output_dataset_id: input.output_dataset_id, version: 2, rows: 10, cols: 3 });
  expect(calls.map((c) => c.name)).toEqual(['runPipeline']);
  expect(calls[0].input).toEqual({ pipeline_id: input.pipeline_id, user_id: input.user_id, dataset_id: input.dataset_id, output_dataset_id: input.output_dataset_id, steps: input.steps });
});

test('steps the data defeats fail at once (not retried) and are recorded with their code', async () => {
  const calls: Calls = [];
  const runPipeline = async () => { throw ApplicationFailure.create({ type: 'INVALID_OPTIONS', message: "'city' does not hold dates", nonRetryable: true }); };
  const err = await run(mockActivities(calls, { runPipeline }), (h) => h.result().catch((e: unknown) => e), 'pipeline-bad-data');
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect(calls.filter((c) => c.name === 'runPipeline')).toHaveLength(1);
  expect(failureOf(calls)).toMatchObject({ status: 'failed', error_code: 'INVALID_OPTIONS', error: "'city' does not hold dates" });
});

test('an infrastructure failure is retried up to max_attempts, then recorded', async () => {
  const calls: Calls = [];
  const runPipeline = async () => { throw new Error('object store unreachable'); };
  await run(mockActivities(calls, { runPipeline }), (h) => h.result().catch(() => undefined));
  expect(calls.filter((c) => c.name === 'runPipeline')).toHaveLength(2);
  expect(failureOf(calls)).toMatchObject({ status: 'failed', error: 'object store unreachable' });
});

test('cancelling the workflow cancels the heartbeating activity and records "cancelled"', async () => {
  const calls: Calls = [];
  const seen = { cancelled: false };
  const runPipeline = async () => {
    const ctx = Context.current();
    try {
      for (;;) { ctx.heartbeat({ phase: 'steps' }); await ctx.sleep(100); }
    } catch (err) {
      if (err instanceof CancelledFailure) seen.cancelled = true;
      throw err;
    }
  };
  await run(mockActivities(calls, { runPipeline: runPipeline as never }), async (h) => {
    await new Promise((r) => setTimeout(r, 500));
    await h.cancel();
    await h.result().catch(() => undefined);
  });
  expect(seen.cancelled).toBe(true);
  expect(failureOf(calls)).toMatchObject({ status: 'cancelled', error: 'The pipeline was cancelled.' });
});
