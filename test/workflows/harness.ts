// Shared by the workflow tests and the history recorder: a dev server, one workflow bundle, mock activities.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import type { WorkflowHandle } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Activities } from '../../activities/index.js';
import { findExecutable } from '../../scripts/services/process.js';
import { WORKFLOWS_PATH } from '../../worker/create-workers.js';
import { searchAttributeKeys, statusQuery, WORKFLOW_TYPE, type AnalysisJobInput, type RunOptions } from '../../workflows/definitions.js';

export const HISTORIES_DIR = path.resolve('test/histories');

/** A local dev server from the installed CLI (this machine cannot download one). */
export function createEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: findExecutable('temporal', 'TEMPORAL_CLI') },
      searchAttributes: Object.values(searchAttributeKeys),
    },
  });
}

export const bundle = (): Promise<WorkflowBundleWithSourceMap> => bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} } as never });

/** Calls made to the mock activities, for assertions. */
export type Calls = { name: string; input: unknown }[];

const ok = { attempt: 1 };
/** Activities that succeed instantly with plausible summaries; tests override the ones they exercise. */
export function mockActivities(calls: Calls, overrides: Partial<Activities> = {}): Activities {
  const track = <A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>) => async (...a: A) => { calls.push({ name, input: a[0] }); return fn(...a); };
  const base: Activities = {
    ingest: async () => ({ manifest_key: 'm', parquet_key: 'p', rows: 10, cols: 3, ...ok }),
    profile: async () => ({ eda_key: 'e', rows: 10, cols: 3, alerts: 0, resumed_from: 0, decision: { kind: 'chosen', target: 'y', task: 'classification', reason: "'y' chosen" }, ...ok }),
    train: async (i) => ({ modeling_key: 'mo', model_id: randomUUID(), task: 'classification', target: i.target, metric: 'roc_auc', leaderboard: [{ model: 'linear', cv_mean: 0.9, cv_std: 0.01 }], best_model: 'linear', resumed_folds: 0, ...ok }),
    report: async () => ({ report_key: 'r', report_id: randomUUID(), ...ok }),
    qa: async () => ({ critique_key: 'c', ok: true, warnings: [], ...ok }),
    finalize: async () => ({ result_key: 'res', ...ok }),
    recordRunState: async () => undefined,
    readDataset: async () => ({ rows: 10, cols: 3, reused: false }),
    recordDatasetFailure: async () => undefined,
    compare: async () => ({ result_key: 'cr', report_key: 'ch', columns_compared: 3, drifted: 1 }),
    recordCompareFailure: async () => undefined,
    scorePredictions: async () => ({ chunks: 2, rows: 10, explained_rows: 0, resumed_from_row: null }),
    assemblePredictions: async (i) => ({ artifact_id: randomUUID(), storage_key: `runs/r/predictions-${i.job_id}.csv`, rows: i.rows, size: 100, resumed_from_row: i.resumed_from_row }),
    recordPredictJobEnd: async () => undefined,
    runPipeline: async (i) => ({ output_dataset_id: i.output_dataset_id, version: 2, rows: 10, cols: 3 }),
    recordPipelineFailure: async () => undefined,
  };
  const merged = { ...base, ...overrides };
  return Object.fromEntries(Object.entries(merged).map(([k, fn]) => [k, track(k, fn as never)])) as unknown as Activities;
}

export function jobInput(taskQueue: string, options: RunOptions = {}, timeouts: Partial<AnalysisJobInput['timeouts']> = {}): AnalysisJobInput {
  const runId = randomUUID();
  return {
    run_id: runId, user_id: randomUUID(), dataset_id: randomUUID(), options, task_queues: { analysis: taskQueue, modeling: taskQueue },
    timeouts: { ingest_s: 30, eda_s: 30, model_s: 30, report_s: 30, qa_s: 30, clarify_s: 600, needs_attention_s: 600, heartbeat_s: 2, max_attempts: 2, ...timeouts },
  };
}

/**
 * Saves a finished workflow's history as `test/histories/<name>.json` when RECORD_HISTORIES is set, exported the
 * way ops would (CLI JSON, as the Web UI downloads it), which historyFromJSON reads back in the replay test.
 */
export function recordHistory(env: TestWorkflowEnvironment, workflowId: string, name: string): void {
  if (!process.env.RECORD_HISTORIES) return;
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  const json = execFileSync(findExecutable('temporal', 'TEMPORAL_CLI'),
    ['workflow', 'show', '--workflow-id', workflowId, '--address', env.address, '--output', 'json'], { maxBuffer: 64 * 1024 * 1024 });
  fs.writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), json);
}

/**
 * Runs one scenario of any workflow: a fresh task queue and worker, the workflow `type` started with the input built
 * for that queue under the id `idOf` gives, `drive` run against its handle; `record` saves its history for the replay test.
 */
export async function runScenario<I, T>(env: TestWorkflowEnvironment, workflowBundle: WorkflowBundleWithSourceMap, activities: Activities,
  workflow: { type: string; idOf: (input: I) => string; searchAttributes?: (input: I) => SearchAttributePair[] },
  input: (tq: string) => I, drive: (h: WorkflowHandle, input: I) => Promise<T>, record?: string): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities });
  const args = input(taskQueue);
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start(workflow.type, {
      workflowId: workflow.idOf(args), taskQueue, args: [args],
      ...(workflow.searchAttributes ? { typedSearchAttributes: workflow.searchAttributes(args) } : {}),
    });
    const out = await drive(handle, args);
    if (record) recordHistory(env, handle.workflowId, record);
    return out;
  });
}

/** Runs one analysis-job scenario (see {@link runScenario}). */
export function scenario<T>(env: TestWorkflowEnvironment, workflowBundle: WorkflowBundleWithSourceMap, activities: Activities,
  input: (tq: string) => AnalysisJobInput, drive: (h: WorkflowHandle) => Promise<T>, record?: string): Promise<T> {
  return runScenario(env, workflowBundle, activities, {
    type: WORKFLOW_TYPE, idOf: (a) => `run-${a.run_id}`,
    searchAttributes: (a) => [{ key: searchAttributeKeys.user, value: a.user_id }, { key: searchAttributeKeys.dataset, value: a.dataset_id }],
  }, input, (h) => drive(h), record);
}

/** Polls the status query until `pred` holds. */
export async function waitForState(h: WorkflowHandle, pred: (s: Awaited<ReturnType<typeof queryStatus>>) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await queryStatus(h);
    if (pred(s)) return s;
    if (Date.now() > deadline) throw new Error(`state not reached; last: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const queryStatus = (h: WorkflowHandle) => h.query(statusQuery);
