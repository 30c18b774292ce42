import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { ColumnType } from '../analysis/ingest/column-types.js';
import type { Format } from '../analysis/ingest/formats.js';
import { readTableInThread } from '../analysis/ingest/read-pool.js';
import type { TableManifest } from '../analysis/ingest/read-table.js';
import type { Dataset } from '../db/schema.js';
import type { ActivityDeps } from './deps.js';
import { whileHeartbeating } from './heartbeat.js';

/**
 * Bumped whenever the reader's output changes (types, date forms, names): copies made by an older reader are
 * then read again instead of reused.
 */
export const READER_VERSION = 3;

/** What a read depends on besides the file's bytes. */
export interface TableOptions {
  /** The run's `options.column_types`. */
  column_types?: Record<string, ColumnType>;
}

/** A dataset's normalised copy: the Parquet file and manifest every later stage reads. */
export interface DatasetTable {
  parquet_key: string;
  manifest_key: string;
  manifest: TableManifest;
  /** True when an earlier read of the same bytes with the same options was reused. */
  reused: boolean;
}

/** The folder of all normalised copies of one user's file, whichever dataset rows share its bytes. */
export const tablesPrefix = (userId: string, sha256: string) => `datasets/${userId}/tables/${sha256}/`;

/**
 * Where the normalised copy of a dataset read with these options lives. Keyed by the file's content hash (per
 * user: another user's upload of the same bytes is never a cache hit, so timing reveals nothing), the sheet, the
 * options and the reader's version.
 */
export function tableKeys(ds: Pick<Dataset, 'user_id' | 'sha256' | 'sheet'>, opts: TableOptions): { parquet: string; manifest: string } {
  const types = Object.entries(opts.column_types ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const variant = createHash('sha256').update(JSON.stringify({ sheet: ds.sheet ?? null, types })).digest('hex').slice(0, 16);
  const base = `${tablesPrefix(ds.user_id, ds.sha256)}v${READER_VERSION}-${variant}`;
  return { parquet: `${base}/data.parquet`, manifest: `${base}/manifest.json` };
}

/**
 * Reads a dataset's upload into its normalised Parquet copy and manifest, once: a later call with the same bytes
 * and options (another run, a compare, the same file uploaded again) reuses what the first one stored. Runs in an
 * activity (it heartbeats while the file is read).
 * @throws DataError when the file cannot be read (the caller makes it a non-retryable failure)
 */
export async function datasetTable(deps: ActivityDeps, ds: Dataset, opts: TableOptions = {}): Promise<DatasetTable> {
  const keys = tableKeys(ds, opts);
  if (await deps.storage.exists(keys.manifest)) {
    const manifest = JSON.parse((await deps.storage.get(keys.manifest)).toString('utf8')) as TableManifest;
    return { parquet_key: keys.parquet, manifest_key: keys.manifest, manifest, reused: true };
  }
  const dir = await fs.mkdtemp(path.join(deps.tmpDir, 'table-'));
  try {
    const raw = path.join(dir, `upload.${ds.format}`);
    await deps.storage.getToFile(ds.storage_key, raw);
    const parquet = path.join(dir, 'data.parquet');
    const manifest = await whileHeartbeating(readTableInThread({
      inputPath: raw, format: ds.format as Format, parquetOut: parquet, columnTypes: opts.column_types, sheet: ds.sheet ?? undefined, tmpDir: dir,
    }, Context.current().cancellationSignal), () => ({ phase: 'read' }));
    // The manifest goes last: its presence says the Parquet beside it is whole (two readers racing write the same bytes).
    await deps.storage.putFile(keys.parquet, parquet, 'application/vnd.apache.parquet');
    await deps.storage.put(keys.manifest, JSON.stringify(manifest), 'application/json');
    return { parquet_key: keys.parquet, manifest_key: keys.manifest, manifest, reused: false };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
