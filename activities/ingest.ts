import { Context } from '@temporalio/activity';
import { DataError } from '../analysis/errors.js';
import type { ColumnType } from '../analysis/ingest/column-types.js';
import type { ActivityDeps } from './deps.js';
import { datasetTable } from './dataset-table.js';
import { dataErrorsAreFinal } from './failures.js';
import { putArtifact, runKey, runLog } from './run-records.js';

export interface IngestInput {
  run_id: string; dataset_id: string;
  /** The run's `options.column_types`: these columns get the type the user chose. */
  column_types?: Record<string, ColumnType>;
}
export interface IngestSummary {
  manifest_key: string; parquet_key: string; rows: number; cols: number; attempt: number;
  /** What the run asked that ingest could not do (a column type some values defeat); the run's result lists them. */
  warnings?: string[];
}

/**
 * Gives the run its normalised Parquet copy and manifest. The file is read once per dataset (and options): a run of
 * a dataset read before copies that read inside the store instead of parsing the upload again. The run keeps its
 * own copy, so deleting the dataset mid-run takes nothing from under it.
 */
export function ingestActivity(deps: ActivityDeps) {
  return async function ingest(input: IngestInput): Promise<IngestSummary> {
    return dataErrorsAreFinal(async () => {
      const ds = await deps.db.selectFrom('datasets').selectAll().where('id', '=', input.dataset_id).executeTakeFirst();
      if (!ds) throw new DataError('UNPROCESSABLE_DATASET', 'The dataset of this run was deleted before it could be read.');
      const table = await datasetTable(deps, ds, { column_types: input.column_types });
      const { manifest } = table;
      const key = runKey(input.run_id, 'data.parquet');
      const { size } = await deps.storage.copy(table.parquet_key, key);
      const data = await putArtifact(deps, input.run_id, { type: 'data', filename: 'data.parquet', storedKey: key, size, contentType: 'application/vnd.apache.parquet' });
      const man = await putArtifact(deps, input.run_id, {
        type: 'manifest', filename: 'manifest.json', contentType: 'application/json',
        body: JSON.stringify({ ...manifest, dataset: { id: ds.id, name: ds.name, filename: ds.filename, sha256: ds.sha256, format: ds.format } }),
      });
      const how = table.reused ? 'reused the earlier read of' : 'read';
      await runLog(deps, input.run_id, 'info', `ingest: ${how} ${manifest.rows} rows × ${manifest.cols} columns from ${ds.filename}`);
      const warnings = (manifest.source.warnings ?? []).map((w) => w.message);
      return { manifest_key: man.key, parquet_key: data.key, rows: manifest.rows, cols: manifest.cols, attempt: Context.current().info.attempt, ...(warnings.length ? { warnings } : {}) };
    });
  };
}
