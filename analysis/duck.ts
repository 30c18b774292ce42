import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** Quotes a string as a SQL literal (file paths, values). */
export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
/** Quotes an identifier (column names come from users). */
export const sqlIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;
/** A column as DOUBLE with ±Infinity as NULL: one infinite value would make every sum over it infinite. */
export const sqlFiniteDouble = (name: string) => `CASE WHEN isfinite(${sqlIdent(name)}::DOUBLE) THEN ${sqlIdent(name)}::DOUBLE END`;

/**
 * Runs `fn` with `n` connections to one fresh in-memory DuckDB instance. Independent aggregates (one column's
 * statistics each) run faster on two single-threaded connections than one after another on two threads.
 */
export async function withDuckPool<T>(n: number, fn: (conns: DuckDBConnection[]) => Promise<T>, opts: DuckOptions = {}): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(opts.threads ?? 2), memory_limit: opts.memoryLimit ?? '1GB', enable_external_access: 'true' });
  const conns = await Promise.all(Array.from({ length: n }, () => instance.connect()));
  // A cancelled caller must free the CPU now: the running statement is interrupted, not left to finish.
  const interrupt = () => { for (const c of conns) c.interrupt(); };
  opts.signal?.addEventListener('abort', interrupt, { once: true });
  try {
    if (opts.signal?.aborted) throw new Error('Cancelled before the query started.');
    return await fn(conns);
  } finally {
    opts.signal?.removeEventListener('abort', interrupt);
    for (const c of conns) c.closeSync();
    instance.closeSync();
  }
}

/** Limits of an in-memory DuckDB, and a signal that interrupts its queries when aborted (a cancelled activity). */
export interface DuckOptions { memoryLimit?: string; threads?: number; signal?: AbortSignal }

/**
 * Runs `fn` with a fresh in-memory DuckDB connection, bounded in memory and threads, then closes it.
 * @example const n = await withDuck(async (c) => (await c.runAndReadAll('select 1')).getRowsJS()[0][0]);
 */
export function withDuck<T>(fn: (conn: DuckDBConnection) => Promise<T>, opts: DuckOptions = {}): Promise<T> {
  return withDuckPool(1, ([conn]) => fn(conn), opts);
}

/** Runs a query and returns its rows as JSON-safe objects (bigints and dates as strings). */
export async function queryJson(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}
