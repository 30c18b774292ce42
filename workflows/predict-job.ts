import { ActivityCancellationType, ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { DATA_FAILURE_TYPES } from './definitions.js';
import type { PredictJobInput, PredictJobOutcome } from './predict-definitions.js';

/** The innermost failure's sentence and type (UNPROCESSABLE_DATASET for bad data). */
function failureOf(err: unknown): { message: string; type: string | null } {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  return { message: e instanceof Error ? e.message : String(e), type: e instanceof ApplicationFailure ? e.type ?? null : null };
}

/**
 * Batch scoring of a dataset: score it chunk by chunk (one heartbeating, resumable activity), then concatenate the
 * chunks into the predictions artifact. A failure or cancellation is recorded before the workflow ends.
 */
export async function predictJob(input: PredictJobInput): Promise<PredictJobOutcome> {
  const t = input.timeouts;
  const heavy = proxyActivities<Activities>({
    taskQueue: input.task_queue, startToCloseTimeout: `${t.predict_s}s`, heartbeatTimeout: `${t.heartbeat_s}s`,
    retry: { maximumAttempts: t.max_attempts, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes: [...DATA_FAILURE_TYPES] },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  // Read-model bookkeeping is idempotent: it retries until the database is back.
  const { recordPredictJobEnd } = proxyActivities<Activities>({
    taskQueue: input.task_queue, startToCloseTimeout: '60s', retry: { initialInterval: '1s', maximumInterval: '60s' },
  });
  try {
    const scored = await heavy.scorePredictions({
      job_id: input.job_id, user_id: input.user_id, model_id: input.model_id, dataset_id: input.dataset_id,
      explain: input.explain, chunk_rows: input.chunk_rows, explain_max_rows: input.explain_max_rows,
    });
    return await heavy.assemblePredictions({ job_id: input.job_id, chunks: scored.chunks, rows: scored.rows, format: input.format, resumed_from_row: scored.resumed_from_row, quota_mb: input.quota_mb });
  } catch (err) {
    const cancelled = isCancellation(err);
    const { message, type } = failureOf(err);
    await CancellationScope.nonCancellable(() => recordPredictJobEnd({
      job_id: input.job_id, status: cancelled ? 'cancelled' : 'failed', error: cancelled ? 'The job was cancelled.' : message, error_code: type,
    }));
    throw err;
  }
}
