import { ActivityCancellationType, ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { DATA_FAILURE_TYPES, type CompareInput, type CompareOutcome } from './definitions.js';

/** The innermost failure's sentence and type (UNPROCESSABLE_DATASET for bad data). */
function failureOf(err: unknown): { message: string; type: string | null } {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  return { message: e instanceof Error ? e.message : String(e), type: e instanceof ApplicationFailure ? e.type ?? null : null };
}

/** Compares two datasets (one heartbeating activity); a failure or cancellation is recorded before the workflow ends. */
export async function compareDatasets(input: CompareInput): Promise<CompareOutcome> {
  const t = input.timeouts;
  const { compare } = proxyActivities<Activities>({
    taskQueue: input.task_queue, startToCloseTimeout: `${t.compare_s}s`, heartbeatTimeout: `${t.heartbeat_s}s`,
    retry: { maximumAttempts: t.max_attempts, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes: [...DATA_FAILURE_TYPES] },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  // Read-model bookkeeping is idempotent: it retries until the database is back.
  const { recordCompareFailure } = proxyActivities<Activities>({
    taskQueue: input.task_queue, startToCloseTimeout: '60s', retry: { initialInterval: '1s', maximumInterval: '60s' },
  });
  try {
    return await compare({ compare_id: input.compare_id, user_id: input.user_id, dataset_a: input.dataset_a, dataset_b: input.dataset_b });
  } catch (err) {
    const cancelled = isCancellation(err);
    const { message, type } = failureOf(err);
    await CancellationScope.nonCancellable(() => recordCompareFailure({
      compare_id: input.compare_id, status: cancelled ? 'cancelled' : 'failed', error: cancelled ? 'The comparison was cancelled.' : message, error_code: type,
    }));
    throw err;
  }
}
