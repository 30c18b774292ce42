import fs from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { DataError } from '../analysis/errors.js';
import { readTable } from '../analysis/ingest/read-table.js';
import type { ColumnType } from '../analysis/ingest/column-types.js';
import type { Format } from '../analysis/ingest/formats.js';
import type { ActivityDeps } from './deps.js';
import { dataErrorsAreFinal } from './failures.js';
import { whileHeartbeating } from './heartbeat.js';
import { putArtifact, runLog } from './run-records.js';

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

/** Reads the upload once, writes the normalised Parquet copy and the manifest; later stages read those. */
export function ingestActivity(deps: ActivityDeps) {
  return async function ingest(input: IngestInput): Promise<IngestSummary> {
    return dataErrorsAreFinal(async () => {
      const ds = await deps.db.selectFrom('datasets').selectAll().where('id', '=', input.dataset_id).executeTakeFirst();
      if (!ds) throw new DataError('UNPROCESSABLE_DATASET', 'The dataset of this run was deleted before it could be read.');
      const dir = await fs.mkdtemp(path.join(deps.tmpDir, 'ingest-'));
      try {
        const raw = path.join(dir, `upload.${ds.format}`);
        await deps.storage.getToFile(ds.storage_key, raw);
        const parquet = path.join(dir, 'data.parquet');
        const manifest = await whileHeartbeating(
          readTable({ inputPath: raw, format: ds.format as Format, parquetOut: parquet, columnTypes: input.column_types, sheet: ds.sheet ?? undefined }), () => ({ phase: 'read' }));
        const data = await putArtifact(deps, input.run_id, { type: 'data', filename: 'data.parquet', filePath: parquet, contentType: 'application/vnd.apache.parquet' });
        const man = await putArtifact(deps, input.run_id, {
          type: 'manifest', filename: 'manifest.json', contentType: 'application/json',
          body: JSON.stringify({ ...manifest, dataset: { id: ds.id, name: ds.name, filename: ds.filename, sha256: ds.sha256, format: ds.format } }),
        });
        await runLog(deps, input.run_id, 'info', `ingest: read ${manifest.rows} rows × ${manifest.cols} columns from ${ds.filename}`);
        const warnings = (manifest.source.warnings ?? []).map((w) => w.message);
        return { manifest_key: man.key, parquet_key: data.key, rows: manifest.rows, cols: manifest.cols, attempt: Context.current().info.attempt, ...(warnings.length ? { warnings } : {}) };
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });
  };
}
