import fs from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson, sqlIdent, sqlString, withDuck } from '../duck.js';
import { DataError } from '../errors.js';
import { inferColumnType, type ColumnType } from './column-types.js';
import { sniffDelimiter, type Format } from './formats.js';

export interface ColumnInfo { name: string; type: ColumnType; storage_type: string }
export interface TablePreview { columns: string[]; first_rows: Record<string, unknown>[] }

/** What ingest learns about a table: small enough to pass between activities. */
export interface TableManifest {
  rows: number;
  cols: number;
  columns: ColumnInfo[];
  preview: TablePreview;
}

export const MAX_COLUMNS = 5000;

function sourceSql(path: string, format: Format): string {
  const p = sqlString(path);
  switch (format) {
    case 'csv': {
      const fd = fs.openSync(path, 'r');
      const head = Buffer.alloc(65536);
      const n = fs.readSync(fd, head, 0, head.length, 0);
      fs.closeSync(fd);
      const delim = sniffDelimiter(head.subarray(0, n).toString('utf8'));
      return `read_csv(${p}, header = true, auto_detect = true, sample_size = 20480${delim ? `, delim = ${sqlString(delim)}` : ''})`;
    }
    case 'tsv': return `read_csv(${p}, header = true, delim = '\t', auto_detect = true, sample_size = 20480)`;
    case 'json': return `read_json_auto(${p}, format = 'array')`;
    case 'ndjson': return `read_json_auto(${p}, format = 'newline_delimited')`;
    case 'parquet': return `read_parquet(${p})`;
  }
}

/** Turns DuckDB's multi-line parser messages into one sentence a user can act on. */
function readError(err: unknown, format: Format): DataError {
  const raw = err instanceof Error ? err.message : String(err);
  const first = raw.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 2).join(' ');
  return new DataError('UNPROCESSABLE_DATASET', `The ${format.toUpperCase()} file could not be read: ${first}`);
}

/** Converts DuckDB values to JSON-friendly ones (bigint → number, dates → ISO strings). */
export function toJsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (v === null || v === undefined) return null;
  if (typeof v === 'object') return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x)));
  return v;
}

async function preview(conn: DuckDBConnection, view: string, n: number): Promise<TablePreview> {
  const reader = await conn.runAndReadAll(`SELECT * FROM ${view} LIMIT ${Math.max(0, Math.floor(n))}`);
  const columns = reader.columnNames();
  const first_rows = reader.getRowObjectsJS().map((row) =>
    Object.fromEntries(columns.map((c) => [c, toJsonValue(row[c])])));
  return { columns, first_rows };
}

async function describe(conn: DuckDBConnection, view: string): Promise<{ rows: number; columns: ColumnInfo[] }> {
  const schema = await queryJson(conn, `DESCRIBE ${view}`);
  if (schema.length === 0) throw new DataError('UNPROCESSABLE_DATASET', 'The file has no columns.');
  if (schema.length > MAX_COLUMNS) {
    throw new DataError('UNPROCESSABLE_DATASET', `The file has ${schema.length} columns; at most ${MAX_COLUMNS} are supported.`);
  }
  const names = schema.map((r) => String(r.column_name));
  const types = schema.map((r) => String(r.column_type));
  const parts = names.map((n, i) => {
    const c = sqlIdent(n);
    const len = types[i] === 'VARCHAR' ? `avg(length(${c}))` : 'NULL';
    return `count(${c}) AS "nn${i}", approx_count_distinct(${c}) AS "d${i}", ${len} AS "l${i}"`;
  });
  const [facts] = await queryJson(conn, `SELECT count(*) AS n, ${parts.join(', ')} FROM ${view}`);
  const rows = Number(facts.n);
  const columns = names.map((name, i) => ({
    name,
    storage_type: types[i],
    type: inferColumnType({
      name, storageType: types[i], rows,
      nonNull: Number(facts[`nn${i}`]), distinct: Number(facts[`d${i}`]),
      avgLength: facts[`l${i}`] == null ? null : Number(facts[`l${i}`]),
    }),
  }));
  return { rows, columns };
}

/**
 * Reads a table file with DuckDB, infers column types and, when `parquetOut` is given, writes the
 * normalised Parquet copy that later stages read instead of the upload.
 * @example const m = await readTable({ inputPath: '/tmp/cars.csv', format: 'csv', parquetOut: '/tmp/cars.parquet' });
 */
export async function readTable(args: { inputPath: string; format: Format; parquetOut?: string; previewRows?: number }): Promise<TableManifest> {
  return withDuck(async (conn) => {
    let view = 'src';
    try {
      await conn.run(`CREATE VIEW src AS SELECT * FROM ${sourceSql(args.inputPath, args.format)}`);
      if (args.parquetOut) {
        await conn.run(`COPY (SELECT * FROM src) TO ${sqlString(args.parquetOut)} (FORMAT parquet, COMPRESSION zstd)`);
        await conn.run(`CREATE VIEW norm AS SELECT * FROM read_parquet(${sqlString(args.parquetOut)})`);
        view = 'norm';
      }
    } catch (err) {
      throw readError(err, args.format);
    }
    let described;
    try {
      described = await describe(conn, view);
    } catch (err) {
      throw err instanceof DataError ? err : readError(err, args.format);
    }
    if (described.rows === 0) throw new DataError('UNPROCESSABLE_DATASET', 'The file has a header but no data rows.');
    return {
      rows: described.rows,
      cols: described.columns.length,
      columns: described.columns,
      preview: await preview(conn, view, args.previewRows ?? 20),
    };
  });
}
