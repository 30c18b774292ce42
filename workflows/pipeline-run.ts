import { ActivityCancellationType, ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { DATA_FAILURE_TYPES, type PipelineInput, type PipelineOutcome } from './definitions.js';

/** The innermost failure's sentence and type (INVALID_OPTIONS for steps the data defeats). */
function failureOf(err: unknown): { message: string; type: string | null } {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  return { message: e instanceof Error ? e.message : String(e), type: e instanceof ApplicationFailure ? e.type ?? null : null };
}

/** Runs a preprocessing pipeline (one heartbeating activity) into a new dataset version; a failure or cancellation is recorded before the workflow ends. */
export async function pipelineRun(input: PipelineInput): Promise<PipelineOutcome> {
  const t = input.timeouts;
  const { runPipeline } = proxyActivities<Activities>({
    taskQueue: input.task_queue, startToCloseTimeout: `${t.pipeline_s}s`, heartbeatTimeout: `${t.heartbeat_s}s`,
    retry: { maximumAttempts: t.max_attempts, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes: [...DATA_FAILURE_TYPES] },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  // Read-model bookkeeping is idempotent: it retries until the database is back.
  const { recordPipelineFailure } = proxyActivities<Activities>({
    taskQueue: input.task_queue, startToCloseTimeout: '60s', retry: { initialInterval: '1s', maximumInterval: '60s' },
  });
  try {
    return await runPipeline({ pipeline_id: input.pipeline_id, user_id: input.user_id, dataset_id: input.dataset_id, output_dataset_id: input.output_dataset_id, steps: input.steps });
  } catch (err) {
    const cancelled = isCancellation(err);
    const { message, type } = failureOf(err);
    await CancellationScope.nonCancellable(() => recordPipelineFailure({
      pipeline_id: input.pipeline_id, status: cancelled ? 'cancelled' : 'failed', error: cancelled ? 'The pipeline was cancelled.' : message, error_code: type,
    }));
    throw err;
  }
}
