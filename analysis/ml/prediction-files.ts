import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { sqlIdent, sqlString, withDuck } from '../duck.js';
import { toJsonValue } from '../ingest/read-table.js';
import type { OutputColumn } from './batch-predict.js';

/**
 * Reads rows `offset … offset + n - 1` (0-based, in file order) of a Parquet table, only `columns`, as plain values
 * the way training read them (`toJsonValue`: dates as ISO strings, bigints as numbers).
 */
export async function readParquetRows(conn: DuckDBConnection, parquetPath: string, columns: string[], offset: number, n: number): Promise<Record<string, unknown>[]> {
  // file_row_number, not LIMIT/OFFSET: the same rows on every attempt, whatever the scan's parallelism.
  const reader = await conn.runAndReadAll(`SELECT ${columns.map(sqlIdent).join(', ')} FROM read_parquet(${sqlString(parquetPath)}, file_row_number = true)
    WHERE file_row_number >= ${Math.floor(offset)} AND file_row_number < ${Math.floor(offset + n)} ORDER BY file_row_number`);
  return reader.getRowObjectsJS().map((row) => Object.fromEntries(columns.map((c) => [c, toJsonValue(row[c])])));
}

function append(a: DuckDBAppender, type: OutputColumn['type'], v: unknown): void {
  if (v === null || v === undefined) a.appendNull();
  else if (type === 'BIGINT') a.appendBigInt(BigInt(v as number));
  else if (type === 'DOUBLE') a.appendDouble(typeof v === 'number' ? v : Number(v));
  else a.appendVarchar(String(v));
}

/** Writes column-major values (`columns` gives names and types) as one Parquet file. */
export async function writeParquetColumns(conn: DuckDBConnection, outPath: string, columns: OutputColumn[], values: unknown[][]): Promise<void> {
  await conn.run(`CREATE OR REPLACE TABLE chunk__ (${columns.map((c) => `${sqlIdent(c.name)} ${c.type}`).join(', ')})`);
  const a = await conn.createAppender('chunk__');
  const rows = values[0]?.length ?? 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns.length; c++) append(a, columns[c].type, values[c][r]);
    a.endRow();
  }
  a.closeSync();
  await conn.run(`COPY chunk__ TO ${sqlString(outPath)} (FORMAT parquet)`);
  await conn.run('DROP TABLE chunk__');
}

/**
 * Concatenates chunk files (each a Parquet file of the same columns) into one CSV or Parquet file ordered by
 * `row_number`, and counts its rows and distinct row numbers (equal when no row is there twice).
 */
export async function concatPredictionFiles(chunkPaths: string[], outPath: string, format: 'csv' | 'parquet', o: { signal?: AbortSignal } = {}):
  Promise<{ rows: number; distinct_rows: number }> {
  return withDuck(async (conn) => {
    const src = `read_parquet([${chunkPaths.map(sqlString).join(', ')}])`;
    const counted = (await conn.runAndReadAll(`SELECT count(*), count(DISTINCT row_number) FROM ${src}`)).getRowsJS()[0];
    const options = format === 'csv' ? 'FORMAT csv, HEADER true' : 'FORMAT parquet';
    await conn.run(`COPY (SELECT * FROM ${src} ORDER BY row_number) TO ${sqlString(outPath)} (${options})`);
    return { rows: Number(counted[0]), distinct_rows: Number(counted[1]) };
  }, { signal: o.signal });
}
