import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson } from '../duck.js';

/** The hidden column that keeps the upload's row order through every step (dropped when the result is written). */
export const ROW = '__assay_row';

/** What a step sees: the table as the steps before it left it. */
export interface StepContext {
  conn: DuckDBConnection;
  /** The current table's name (a bare identifier Assay made). */
  table: string;
  /** Step index in the pipeline (for temporary names). */
  index: number;
  /** DuckDB storage type of a column (`BIGINT`, `VARCHAR`…). */
  storageType: (column: string) => string;
}

/**
 * How a step makes the next table, with its account: one column rewritten by an expression over the current table
 * (most steps), or a whole SELECT over it (dropping a column, removing rows).
 */
export type StepPlan =
  | { kind: 'replace'; column: string; expr: string; note: string }
  | { kind: 'select'; select: string; rowsChange: boolean; note: string };

/** One number from a one-row query (null when SQL says NULL). */
export async function scalar(conn: DuckDBConnection, sql: string): Promise<number | null> {
  const [row] = await queryJson(conn, sql);
  const v = row ? Object.values(row)[0] : null;
  return v === null || v === undefined ? null : Number(v);
}

/** The step's column rewritten by `expr` (over the current table), every other column as it was. */
export const replaceColumn = (column: string, expr: string) => ({ kind: 'replace' as const, column, expr });

/** A finite number as a SQL literal; anything else is a bug in the caller, not user input. */
export function num(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  return `CAST(${x} AS DOUBLE)`;
}

export const isIntegerType = (storage: string) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(storage);

/** Formats a figure for a note: integers as they are, others with up to 4 significant digits. */
export const fmt = (x: number) => (Number.isInteger(x) ? String(x) : Math.abs(x) < 1e-9 ? '0' : Number(x.toPrecision(4)).toString());
