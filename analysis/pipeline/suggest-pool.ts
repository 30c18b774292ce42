import { CODE_EXT } from '../../config/app-root.js';
import type { ColumnInfo } from '../ingest/read-table.js';
import { ThreadPool, type PoolErrors } from '../threads/thread-pool.js';
import type { TableSuggestions } from './suggest-table.js';

/** The suggestions thread's one job. */
export type SuggestJobs = { suggest: { input: { parquetPath: string; columns: ColumnInfo[]; target?: string }; output: TableSuggestions } };

let pool: ThreadPool<SuggestJobs> | undefined;

/**
 * Profiles a table and proposes steps in a worker thread (one at a time per process: a profile already uses two
 * DuckDB threads), so a large table never stalls the API's event loop.
 * @example const s = await suggestInThread({ parquetPath, columns: manifest.columns }, { timeoutMs: 120_000, heapMb: 1024 });
 */
export function suggestInThread(input: SuggestJobs['suggest']['input'], limits: { timeoutMs: number; heapMb: number; errors?: Partial<PoolErrors> }): Promise<TableSuggestions> {
  pool ??= new ThreadPool<SuggestJobs>({
    entry: new URL(`./suggest-thread${CODE_EXT}`, import.meta.url), size: 1, timeoutMs: limits.timeoutMs, heapMb: limits.heapMb, errors: limits.errors,
  });
  return pool.run('suggest', input);
}
