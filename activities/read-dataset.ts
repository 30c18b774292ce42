import { DataError } from '../analysis/errors.js';
import { jsonb } from '../db/text.js';
import type { ActivityDeps } from './deps.js';
import { datasetTable } from './dataset-table.js';
import { dataErrorsAreFinal } from './failures.js';

export interface ReadDatasetInput { dataset_id: string }
export interface ReadDatasetSummary { rows: number; cols: number; reused: boolean }

/**
 * The one full read of an upload: makes the dataset's normalised copy (reused by its runs and compares) and
 * records the final rows, columns, types and preview on the dataset row. Bad data marks the dataset `failed`
 * with the reason and fails for good.
 */
export function readDatasetActivity(deps: ActivityDeps) {
  return async function readDataset(input: ReadDatasetInput): Promise<ReadDatasetSummary> {
    return dataErrorsAreFinal(async () => {
      const ds = await deps.db.selectFrom('datasets').selectAll().where('id', '=', input.dataset_id).executeTakeFirst();
      if (!ds) throw new DataError('UNPROCESSABLE_DATASET', 'The dataset was deleted before it could be read.');
      try {
        const { manifest, reused } = await datasetTable(deps, ds);
        await deps.db.updateTable('datasets').set({
          status: 'ready', error: null, rows: manifest.rows, cols: manifest.cols, sheet: manifest.source.sheet,
          columns: jsonb(manifest.columns), preview: jsonb(manifest.preview), notes: jsonb(manifest.source.notes),
        }).where('id', '=', ds.id).execute();
        return { rows: manifest.rows, cols: manifest.cols, reused };
      } catch (err) {
        if (err instanceof DataError) await markDatasetFailed(deps, ds.id, err.message);
        throw err;
      }
    });
  };
}

/** Records why a dataset cannot be used (bad data, or a read that gave up after its retries). */
export async function markDatasetFailed(deps: ActivityDeps, datasetId: string, message: string): Promise<void> {
  await deps.db.updateTable('datasets').set({ status: 'failed', error: message }).where('id', '=', datasetId).execute();
}

/** The workflow's last word when the read ran out of retries for an infrastructure reason. */
export function recordDatasetFailureActivity(deps: ActivityDeps) {
  return async function recordDatasetFailure(input: { dataset_id: string; message: string }): Promise<void> {
    await markDatasetFailed(deps, input.dataset_id, input.message);
  };
}
