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

/** Polls the dataset row until its read has ended (ready or failed), heartbeating; cancellation ends the wait. */
export async function untilRead(deps: ActivityDeps, datasetId: string): Promise<void> {
  const ctx = Context.current();
  // A read that never ends (its workflow terminated by hand) must not take the run with it: past half the
  // stage's time the run reads the file itself.
  const deadline = Date.now() + (ctx.info.startToCloseTimeoutMs ?? 600_000) / 2;
  while (Date.now() < deadline) {
    const row = await deps.db.selectFrom('datasets').select('status').where('id', '=', datasetId).executeTakeFirst();
    if (!row || row.status !== 'reading') return;
    ctx.heartbeat({ phase: 'waiting for the upload\'s read' });
    await ctx.sleep(1000); // rejects when the activity is cancelled
  }
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
      // The upload's own read is under way: wait for it rather than read the same file twice at once. With its own
      // column types the run needs another read anyway.
      if (ds.status === 'reading' && !Object.keys(input.column_types ?? {}).length) await untilRead(deps, ds.id);
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
