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
export async function withDuckPool<T>(n: number, fn: (conns: DuckDBConnection[]) => Promise<T>, opts: { memoryLimit?: string; threads?: number } = {}): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(opts.threads ?? 2), memory_limit: opts.memoryLimit ?? '1GB', enable_external_access: 'true' });
  const conns = await Promise.all(Array.from({ length: n }, () => instance.connect()));
  try {
    return await fn(conns);
  } finally {
    for (const c of conns) c.closeSync();
    instance.closeSync();
  }
}

/**
 * Runs `fn` with a fresh in-memory DuckDB connection, bounded in memory and threads, then closes it.
 * @example const n = await withDuck(async (c) => (await c.runAndReadAll('select 1')).getRowsJS()[0][0]);
 */
export function withDuck<T>(fn: (conn: DuckDBConnection) => Promise<T>, opts: { memoryLimit?: string } = {}): Promise<T> {
  return withDuckPool(1, ([conn]) => fn(conn), opts);
}

/** Runs a query and returns its rows as JSON-safe objects (bigints and dates as strings). */
export async function queryJson(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}
