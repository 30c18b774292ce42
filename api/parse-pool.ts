// The API's parse pool: upload sniffs, previews and predict files are read in threads, never on the event loop.
import { ApiError } from './errors.js';
import type { ReadTableArgs, TableManifest } from '../analysis/ingest/read-table.js';
import { ThreadPool } from '../analysis/threads/thread-pool.js';
import type { Env } from '../config/env.js';
import { CODE_EXT } from '../config/app-root.js';
import type { ParseJobs } from './parse-thread.js';

/** The API's answers when a parse cannot run or finish: HTTP statuses, and the env limit to raise. */
export const API_POOL_ERRORS = {
  busy: () => new ApiError('SERVICE_UNAVAILABLE', 'Every file reader is busy with other uploads; try again in a minute.'),
  timeout: (s: number) => new ApiError('UNPROCESSABLE_DATASET', `Reading the file took longer than ${s} s, the limit for one file (UPLOAD_PARSE_TIMEOUT_S); upload a smaller file, or save it as CSV.`, { limit: 'UPLOAD_PARSE_TIMEOUT_S', max_s: s }),
  heap: (mb: number) => new ApiError('PAYLOAD_TOO_LARGE', `Reading the file needed more than ${mb} MB of memory, the limit for one file (UPLOAD_PARSE_HEAP_MB); upload a smaller file, or save it as CSV.`, { limit: 'UPLOAD_PARSE_HEAP_MB', max_mb: mb }),
};

const pools = new Map<string, ThreadPool<ParseJobs>>();
type ParseEnv = Pick<Env, 'UPLOAD_PARSE_THREADS' | 'UPLOAD_PARSE_TIMEOUT_S' | 'UPLOAD_PARSE_HEAP_MB' | 'XLSX_MAX_INFLATED_MB' | 'XLSX_MAX_CELLS'>;

/** The process's parse pool for these limits, made on first use: upload, preview and predict share its threads. */
export function parsePool(env: ParseEnv): ThreadPool<ParseJobs> {
  const key = `${env.UPLOAD_PARSE_THREADS}/${env.UPLOAD_PARSE_TIMEOUT_S}/${env.UPLOAD_PARSE_HEAP_MB}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new ThreadPool<ParseJobs>({
      entry: new URL(`./parse-thread${CODE_EXT}`, import.meta.url), size: env.UPLOAD_PARSE_THREADS,
      timeoutMs: env.UPLOAD_PARSE_TIMEOUT_S * 1000, heapMb: env.UPLOAD_PARSE_HEAP_MB, errors: API_POOL_ERRORS,
    });
    pools.set(key, pool);
  }
  return pool;
}

/**
 * Reads a table in the parse pool, under the API's XLSX caps: the upload route's and the preview's reader.
 * @example const manifest = await parseTable(deps.env, { inputPath: file.filepath, format: 'csv', tmpDir });
 */
export function parseTable(env: ParseEnv, args: Omit<ReadTableArgs, 'signal' | 'xlsxLimits'>): Promise<TableManifest> {
  return parsePool(env).run('table', { ...args, xlsxLimits: { maxInflatedBytes: env.XLSX_MAX_INFLATED_MB * 1024 * 1024, maxCells: env.XLSX_MAX_CELLS } });
}

/**
 * Reads the CSV rows of a predict request in the parse pool.
 * @example const rows = await parseCsvRows(deps.env, file.filepath);
 */
export function parseCsvRows(env: ParseEnv, file: string): Promise<Record<string, unknown>[]> {
  return parsePool(env).run('csvRows', { file });
}
