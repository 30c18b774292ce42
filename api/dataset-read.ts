import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure } from '@temporalio/common';
import { datasetWorkflowId, type DatasetIngestInput } from '../workflows/dataset-ingest.js';
import { isDataFailure } from '../workflows/definitions.js';
import type { AppDeps } from './deps.js';
import { withTemporalDeadline } from './deps.js';

/** How a wait for a dataset's full read ended. */
export type ReadOutcome = { kind: 'done' } | { kind: 'bad_data'; message: string } | { kind: 'failed'; message: string } | { kind: 'pending' };

/**
 * Starts the full read of an uploaded dataset (workflow `datasetIngest`, one per dataset) on the analysis queue.
 * @throws when Temporal cannot be reached within a few seconds (the caller answers 503)
 */
export async function startDatasetRead(deps: AppDeps, datasetId: string, userId: string): Promise<void> {
  const env = deps.env;
  const input: DatasetIngestInput = {
    dataset_id: datasetId, task_queue: deps.taskQueues.analysis,
    timeouts: { ingest_s: env.INGEST_TIMEOUT_S, heartbeat_s: env.HEARTBEAT_TIMEOUT_S, max_attempts: env.ACTIVITY_MAX_ATTEMPTS },
  };
  try {
    await withTemporalDeadline(deps, () => deps.temporal.workflow.start('datasetIngest', {
      workflowId: datasetWorkflowId(datasetId), taskQueue: deps.taskQueues.analysis, args: [input], memo: { user_id: userId },
    }));
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** The innermost failure's sentence and whether it is bad data (a failure no retry can fix). */
function classify(err: unknown): ReadOutcome {
  let e: unknown = err instanceof WorkflowFailedError ? err.cause : err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  if (isDataFailure(e)) return { kind: 'bad_data', message: e.message };
  return { kind: 'failed', message: 'The file could not be read now (a storage or worker failure); try the upload again shortly.' };
}

/**
 * Waits up to `ms` for a dataset's full read. A small file is read within the wait, so its upload answers with
 * exact rows and types; a large one answers from its first rows and the read goes on.
 */
export async function awaitDatasetRead(deps: AppDeps, datasetId: string, ms: number): Promise<ReadOutcome> {
  if (ms <= 0) return { kind: 'pending' };
  const handle = deps.temporal.workflow.getHandle(datasetWorkflowId(datasetId));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReadOutcome>((resolve) => { timer = setTimeout(() => resolve({ kind: 'pending' }), ms); });
  // The long poll ends with the wait: no call is left open per upload while a large file is read.
  const stop = new AbortController();
  const result = deps.temporal.withAbortSignal(stop.signal, () => handle.result())
    .then((): ReadOutcome => ({ kind: 'done' }), (err: unknown) => (stop.signal.aborted ? { kind: 'pending' } as const : classify(err)));
  try {
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
    stop.abort();
  }
}
