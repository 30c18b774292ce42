import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Runtime, Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import type { ReportSettings } from '../analysis/report/settings.js';
import { CODE_EXT } from '../config/app-root.js';

/** Path of the workflow entry the bundler starts from. */
export const WORKFLOWS_PATH = fileURLToPath(new URL(`../workflows/index${CODE_EXT}`, import.meta.url));
/** The workflow bundle `npm run build` writes beside the compiled code (dist/workflow-bundle.js). */
export const PREBUILT_BUNDLE = fileURLToPath(new URL('../workflow-bundle.js', import.meta.url));

// Compiled images start from the prebuilt bundle (no webpack at start-up); the sources bundle themselves.
const workflowSource = (given?: WorkflowBundleWithSourceMap) =>
  (given ? { workflowBundle: given } : fs.existsSync(PREBUILT_BUNDLE) ? { workflowBundle: { codePath: PREBUILT_BUNDLE } } : { workflowsPath: WORKFLOWS_PATH });

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueues: { analysis: string; modeling: string };
  deps: ActivityDeps;
  /** How the report stage renders (theme, Chromium, Temporal UI link). */
  report: ReportSettings;
  /** Pre-built bundle (tests build it once); otherwise the worker bundles `WORKFLOWS_PATH`. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** Which queues this process serves (scale-out runs them on separate machines). */
  roles?: ('analysis' | 'modeling')[];
}

/**
 * A cancellation reaches an activity only in the answer to a heartbeat the worker sends; by default those are
 * throttled to 80% of the heartbeat timeout (24 s here), so a cancel took ~10 s to stop the work. One a second
 * costs one small RPC per running activity and lets cancel free the CPU within ~2 s.
 */
const HEARTBEAT_THROTTLE = { maxHeartbeatThrottleInterval: '1s', defaultHeartbeatThrottleInterval: '1s' } as const;

/**
 * Creates the workers: `assay-analysis` runs workflows and the light stages, `assay-modeling` runs training
 * with one activity at a time per core so heavy fits do not starve heartbeats.
 */
export async function createWorkers(o: WorkerOptions & { logger: Logger }): Promise<Worker[]> {
  const activities = createActivities(o.deps, o.report);
  const roles = o.roles ?? ['analysis', 'modeling'];
  const workers: Worker[] = [];
  if (roles.includes('analysis')) {
    workers.push(await Worker.create({
      connection: o.connection, namespace: o.namespace, taskQueue: o.taskQueues.analysis, activities,
      ...workflowSource(o.workflowBundle),
      maxConcurrentActivityTaskExecutions: 4, ...HEARTBEAT_THROTTLE,
    }));
  }
  if (roles.includes('modeling')) {
    workers.push(await Worker.create({
      connection: o.connection, namespace: o.namespace, taskQueue: o.taskQueues.modeling, activities,
      maxConcurrentActivityTaskExecutions: 2, ...HEARTBEAT_THROTTLE,
    }));
  }
  return workers;
}

/**
 * Installs the Temporal runtime once per process, before any worker or connection: SIGINT/SIGTERM are left
 * to our own shutdown (API first, workers next, dev server last), and with `metricsAddress` the SDK's worker
 * metrics (task latencies, slots, sticky cache) are served for Prometheus.
 */
export function installRuntime(opts: { metricsAddress?: string } = {}): void {
  Runtime.install({
    shutdownSignals: [],
    ...(opts.metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: opts.metricsAddress } } } } : {}),
  });
}

/** Runs workers until `signal` aborts (Ctrl-C), then shuts them down gracefully. */
export async function runWorkers(workers: Worker[], signal?: AbortSignal): Promise<void> {
  signal?.addEventListener('abort', () => workers.forEach((w) => { if (w.getState() === 'RUNNING') w.shutdown(); }), { once: true });
  await Promise.all(workers.map((w) => w.run()));
}
