import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ReadDatasetSummary } from '../activities/read-dataset.js';
import { DATA_FAILURE_TYPES, isDataFailure } from './definitions.js';

/** Workflow id of a dataset's read: one per dataset, so a repeated start finds the running one. */
export const datasetWorkflowId = (datasetId: string) => `dataset-${datasetId}`;

export interface DatasetIngestInput {
  dataset_id: string;
  task_queue: string;
  timeouts: { ingest_s: number; heartbeat_s: number; max_attempts: number };
}

/**
 * Reads one uploaded file in full, once, off the API: the normalised copy later runs and compares reuse, and the
 * dataset row's final rows, types and preview. Bad data fails the read at once; an infrastructure failure that
 * outlasts its retries leaves the dataset `failed` with a sentence saying to upload again.
 */
export async function datasetIngest(input: DatasetIngestInput): Promise<ReadDatasetSummary> {
  const t = input.timeouts;
  const { readDataset } = proxyActivities<Activities>({
    taskQueue: input.task_queue, startToCloseTimeout: `${t.ingest_s}s`, heartbeatTimeout: `${t.heartbeat_s}s`,
    retry: { maximumAttempts: t.max_attempts, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes: [...DATA_FAILURE_TYPES] },
  });
  const { recordDatasetFailure } = proxyActivities<Activities>({
    taskQueue: input.task_queue, startToCloseTimeout: '60s', retry: { initialInterval: '1s', maximumInterval: '60s' },
  });
  try {
    return await readDataset({ dataset_id: input.dataset_id });
  } catch (err) {
    const data = isDataFailure(err instanceof ActivityFailure ? err.cause : err);
    // Bad data was recorded by the activity itself; anything else is recorded here.
    if (!data) await recordDatasetFailure({ dataset_id: input.dataset_id, message: 'The file could not be read (a storage or worker failure outlasted its retries); upload it again.' });
    throw err;
  }
}
