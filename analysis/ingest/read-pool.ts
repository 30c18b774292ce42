import { CODE_EXT } from '../../config/app-root.js';
import { ThreadPool } from '../threads/thread-pool.js';
import type { ReadTableArgs, TableManifest } from './read-table.js';

/** The read thread's one job: a table, read in full. */
export type ReadJobs = { table: { input: Omit<ReadTableArgs, 'signal'>; output: TableManifest } };

/** Heap one read may use: a workbook of the largest allowed size (20 M cells) is parsed in JavaScript. */
const READ_HEAP_MB = 4096;

let pool: ThreadPool<ReadJobs> | undefined;

/**
 * Reads a table in a worker thread. Workbooks are converted by synchronous JavaScript (seconds for a large one):
 * on the worker's event loop that would stall heartbeats, and under `npm start` the API sharing the process.
 * The activity's own timeout bounds the read; cancelling `signal` interrupts DuckDB and ends the thread's job.
 * @example const manifest = await readTableInThread({ inputPath, format: 'xlsx', parquetOut }, ctx.cancellationSignal);
 */
export function readTableInThread(args: Omit<ReadTableArgs, 'signal'>, signal?: AbortSignal): Promise<TableManifest> {
  pool ??= new ThreadPool<ReadJobs>({
    entry: new URL(`./read-thread${CODE_EXT}`, import.meta.url), size: 2, timeoutMs: 24 * 3600_000, heapMb: READ_HEAP_MB,
  });
  return pool.run('table', args, signal);
}
