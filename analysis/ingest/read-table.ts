import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson, sqlIdent, sqlString, withDuck } from '../duck.js';
import { DataError } from '../errors.js';
import { ID_NAME, inferColumnType, type ColumnType } from './column-types.js';
import { detectEncoding, transcodeToUtf8, type Encoding } from './encoding.js';
import { sniffDelimiter, type Format } from './formats.js';
import { readFirstLine, splitCsvLine, uniqueNames } from './header.js';
import { INVALID_UTF8, readError } from './read-errors.js';
import { refineTypes, type Refinement } from './refine-types.js';
import { interruptible } from './interrupt.js';
import { checkJsonDepth } from './json-depth.js';
import { DEFAULT_XLSX_LIMITS, WORKBOOK_FORMATS, workbookToCsv, type XlsxLimits } from './workbook.js';

export interface ColumnInfo {
  name: string; type: ColumnType; storage_type: string;
  /** What ingest changed reading this column (a conversion, the user's type). */
  note?: string;
  /** Dates that were written as text. */
  text_dates?: boolean;
  /** Share of numbers in a text column that is mostly, not wholly, numeric. */
  numeric_share?: number;
  /** Approximate distinct count (text and whole-number columns), so the profile can pick its method. */
  approx_distinct?: number;
}
export interface TablePreview { columns: string[]; first_rows: Record<string, unknown>[] }
/** How the file was read: its encoding, delimiter, header, sheet, and every change made on the way. */
export interface SourceInfo {
  format: Format; encoding: Encoding | null; delimiter: string | null; header: boolean; sheet: string | null; notes: string[];
  /** Date and timestamp forms DuckDB's sniffer read text dates with (delimited text only). */
  date_format?: string | null; timestamp_format?: string | null;
}

/** What ingest learns about a table: small enough to pass between activities. */
export interface TableManifest {
  rows: number;
  cols: number;
  columns: ColumnInfo[];
  preview: TablePreview;
  source: SourceInfo;
  /** Only the first `limitRows` rows were read: `rows` and the types describe them, not the whole file. */
  rows_partial?: boolean;
}

export const MAX_COLUMNS = 5000;
const TEXT_FORMATS: readonly Format[] = ['csv', 'tsv', 'json', 'ndjson'];

export interface ReadTableArgs {
  inputPath: string;
  format: Format;
  /** Where to write the normalised Parquet copy; without it only the manifest is made (upload). */
  parquetOut?: string;
  previewRows?: number;
  /** Types the user chose for some columns (`options.column_types`); these override inference. */
  columnTypes?: Record<string, ColumnType>;
  /** The XLSX sheet to read (the first when absent). */
  sheet?: string;
  /** Caps on inflated bytes and cells for XLSX (defaults in `DEFAULT_XLSX_LIMITS`). */
  xlsxLimits?: XlsxLimits;
  /** Interrupts DuckDB's work when aborted (a parse past its deadline). */
  signal?: AbortSignal;
  /**
   * Reads only the first rows (a sniff for the upload's answer and previews): what comes back describes them,
   * and `rows_partial` says when the file may hold more.
   */
  limitRows?: number;
  /** Where to make the scratch folder (default the OS's): a caller that may stop the reader removes it. */
  tmpDir?: string;
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
  const first_rows = reader.getRowObjectsJS().map((row) => Object.fromEntries(columns.map((c) => [c, toJsonValue(row[c])])));
  return { columns, first_rows };
}

async function describe(conn: DuckDBConnection, view: string, refined: Map<string, Refinement>): Promise<{ rows: number; columns: ColumnInfo[] }> {
  const schema = await queryJson(conn, `DESCRIBE ${view}`);
  const names = schema.map((r) => String(r.column_name));
  const types = schema.map((r) => String(r.column_type));
  // Inference needs counts for text and whole numbers (categorical or identifier?); the profile uses numbers' distinct counts too.
  const needs = (i: number) => types[i] === 'VARCHAR' || /INT|DOUBLE|FLOAT|DECIMAL/.test(types[i]);
  const parts = names.flatMap((n, i) => {
    if (!needs(i)) return [];
    const c = sqlIdent(n);
    const len = types[i] === 'VARCHAR' ? `avg(length(${c}))` : 'NULL';
    // Exact for id-like names: their rule (over 95% distinct) is too close a call for an estimate.
    const distinct = ID_NAME.test(n) ? `count(DISTINCT ${c})` : `approx_count_distinct(${c})`;
    return [`count(${c}) AS "nn${i}", ${distinct} AS "d${i}", ${len} AS "l${i}"`];
  });
  const [facts] = await queryJson(conn, `SELECT count(*) AS n${parts.length ? `, ${parts.join(', ')}` : ''} FROM ${view}`);
  const rows = Number(facts.n);
  const columns = names.map((name, i): ColumnInfo => {
    const r = refined.get(name);
    const type = r?.type ?? inferColumnType({
      name, storageType: types[i], rows, nonNull: Number(facts[`nn${i}`]), distinct: Number(facts[`d${i}`]),
      avgLength: facts[`l${i}`] == null ? null : Number(facts[`l${i}`]),
    });
    return {
      name, type, storage_type: types[i], ...(r?.note ? { note: r.note } : {}), ...(r?.textDates ? { text_dates: true } : {}),
      ...(r?.numericShare !== undefined ? { numeric_share: r.numericShare } : {}),
      ...(needs(i) ? { approx_distinct: Number(facts[`d${i}`]) } : {}),
    };
  });
  return { rows, columns };
}

/** A UTF-8 CSV/JSON path for DuckDB: XLSX sheets become CSV, other encodings are transcoded. */
async function prepare(args: ReadTableArgs, work: string, forceEncoding?: Encoding): Promise<{ file: string; format: Format; source: SourceInfo }> {
  const notes: string[] = [];
  if ((WORKBOOK_FORMATS as readonly Format[]).includes(args.format)) {
    const csv = path.join(work, 'sheet.csv');
    // A sniff converts only the rows it reads (the sheet's XML is still inflated, under the caps).
    const limits = { ...(args.xlsxLimits ?? DEFAULT_XLSX_LIMITS), ...(args.limitRows !== undefined ? { maxRows: args.limitRows } : {}) };
    const x = workbookToCsv(args.inputPath, csv, args.sheet, limits);
    if (x.sheets.length > 1) notes.push(`Read sheet '${x.sheet}' of ${x.sheets.map((s) => `'${s}'`).join(', ')}.`);
    notes.push(...x.notes);
    return { file: csv, format: 'csv', source: { format: args.format, encoding: null, delimiter: ',', header: true, sheet: x.sheet, notes } };
  }
  if (!TEXT_FORMATS.includes(args.format)) {
    return { file: args.inputPath, format: args.format, source: { format: args.format, encoding: null, delimiter: null, header: true, sheet: null, notes } };
  }
  const head = Buffer.alloc(1 << 16);
  const fd = fs.openSync(args.inputPath, 'r');
  const got = fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  const encoding = forceEncoding ?? detectEncoding(head.subarray(0, got));
  let file = args.inputPath;
  if (encoding !== 'utf-8') {
    file = path.join(work, `utf8.${args.format}`);
    await transcodeToUtf8(args.inputPath, encoding, file);
    notes.push(`The file is encoded as ${encoding === 'windows-1252' ? 'Windows-1252 (Latin-1)' : encoding.toUpperCase()}; it was read as such.`);
  }
  if (args.format === 'json' || args.format === 'ndjson') await checkJsonDepth(file);
  return { file, format: args.format, source: { format: args.format, encoding, delimiter: null, header: true, sheet: null, notes } };
}

/** The DuckDB table function for a prepared file; for delimited text it settles delimiter, header and names first. */
async function sourceSql(conn: DuckDBConnection, file: string, format: Format, source: SourceInfo): Promise<string> {
  const p = sqlString(file);
  if (format === 'json') return `read_json_auto(${p}, format = 'array')`;
  if (format === 'ndjson') return `read_json_auto(${p}, format = 'newline_delimited')`;
  if (format === 'parquet') return `read_parquet(${p})`;
  const first = readFirstLine(file);
  const delim = format === 'tsv' ? '\t' : sniffDelimiter(first);
  const fields = splitCsvLine(first, delim ?? ',');
  if (fields.length > MAX_COLUMNS) throw new DataError('UNPROCESSABLE_DATASET', `The file has ${fields.length.toLocaleString('en-US')} columns; at most ${MAX_COLUMNS} are supported.`);
  const delimSql = delim ? `, delim = ${sqlString(delim)}` : '';
  let header = true;
  try {
    const [s] = await queryJson(conn, `SELECT HasHeader, DateFormat, TimestampFormat FROM sniff_csv(${p}${delimSql}, sample_size = 20480)`);
    header = s.HasHeader !== false;
    source.date_format = s.DateFormat == null ? null : String(s.DateFormat);
    source.timestamp_format = s.TimestampFormat == null ? null : String(s.TimestampFormat);
  } catch (err) {
    throw await readError(err, { label: source.format.toUpperCase(), file, delim: delim ?? ',' });
  }
  const { names, notes } = header ? uniqueNames(fields) : { names: fields.map((_, i) => `column_${i + 1}`), notes: ['The first row holds data, not column names; columns are called column_1, column_2, …'] };
  source.notes.push(...notes);
  source.delimiter = delim ?? null;
  source.header = header;
  return `read_csv(${p}, header = ${header}${delimSql}, names = [${names.map(sqlString).join(', ')}], auto_detect = true, sample_size = 20480)`;
}

/**
 * Reads a table file (CSV/TSV/delimited text, JSON, NDJSON, Parquet, XLSX) with DuckDB: detects encoding,
 * delimiter and header, makes names unique, refines types (formatted numbers, yes/no, text dates, epochs;
 * `columnTypes` overrides), and, when `parquetOut` is given, writes the normalised Parquet copy later stages read.
 * @example const m = await readTable({ inputPath: '/tmp/cars.csv', format: 'csv', parquetOut: '/tmp/cars.parquet' });
 */
export async function readTable(args: ReadTableArgs): Promise<TableManifest> {
  const work = fs.mkdtempSync(path.join(args.tmpDir ?? os.tmpdir(), 'assay-read-'));
  try {
    try {
      return await readPrepared(args, work);
    } catch (err) {
      // A file that starts as UTF-8 and has Latin-1 bytes later: read it again as Windows-1252.
      if (err instanceof DataError && err.details.cause === INVALID_UTF8 && TEXT_FORMATS.includes(args.format)) return await readPrepared(args, work, 'windows-1252');
      throw err;
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Renames, or copies where the two paths are on different file systems. */
function moveFile(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    fs.copyFileSync(from, to);
  }
}

/** DuckDB already read dates written in a non-ISO form (its sniffer says which); they count as dates written as text. */
function markSniffedDates(schema: { name: string; type: string }[], refined: Map<string, Refinement>, source: SourceInfo): void {
  const forms: [RegExp, string | null | undefined, RegExp][] = [[/^DATE$/, source.date_format, /^%Y-%m-%d$/], [/^TIMESTAMP/, source.timestamp_format, /^%Y-%m-%d[T ]%H:%M:%S/]];
  for (const s of schema) {
    const r = refined.get(s.name)!;
    if (r.type) continue;
    const hit = forms.find(([type, fmt, iso]) => type.test(s.type) && fmt && !iso.test(fmt));
    if (hit) refined.set(s.name, { ...r, textDates: true, note: `'${s.name}' holds dates written as text (${hit[1]}); read as dates.` });
  }
}

/** Cells of one Parquet row group that the writer may hold at once (DuckDB keeps about 16 bytes a cell). */
const ROW_GROUP_CELLS = 4_000_000;
/** Above this many columns the Parquet copy is written without dictionaries. */
const DICTIONARY_MAX_COLUMNS = 500;
/**
 * Parquet options for wide tables: DuckDB's writer holds a row group and a dictionary per column before writing,
 * and 3,000 columns ran out of memory_limit with its defaults. Empty for ordinary widths.
 */
function wideParquetOptions(columns: number): string {
  const rows = Math.max(2048, Math.floor(ROW_GROUP_CELLS / Math.max(1, columns) / 2048) * 2048);
  return (rows < 122_880 ? `, ROW_GROUP_SIZE ${rows}` : '') + (columns > DICTIONARY_MAX_COLUMNS ? ', DICTIONARY_SIZE_LIMIT 1' : '');
}

async function readPrepared(args: ReadTableArgs, work: string, forceEncoding?: Encoding): Promise<TableManifest> {
  const { file, format, source } = await prepare(args, work, forceEncoding);
  args.signal?.throwIfAborted();
  return withDuck((conn) => interruptible(conn, args.signal, async () => {
    const label = source.format.toUpperCase();
    const fail = async (err: unknown) => (err instanceof DataError ? err : await readError(err, { label, file, delim: source.delimiter ?? undefined }));
    // The file is parsed once, into a staging Parquet copy; every later question is asked of that columnar copy.
    const final = args.parquetOut ?? path.join(work, 'final.parquet');
    const stage = path.join(work, 'stage.parquet');
    let refined: Map<string, Refinement>;
    try {
      const limit = args.limitRows === undefined ? '' : ` LIMIT ${Math.max(1, Math.floor(args.limitRows))}`;
      const from = await sourceSql(conn, file, format, source);
      const wide = wideParquetOptions(format === 'csv' || format === 'tsv' ? splitCsvLine(readFirstLine(file), source.delimiter ?? (format === 'tsv' ? '\t' : ',')).length : 0);
      await conn.run(`COPY (SELECT * FROM ${from}${limit}) TO ${sqlString(stage)} (FORMAT parquet, COMPRESSION snappy${wide})`);
      await conn.run(`CREATE VIEW raw AS SELECT * FROM read_parquet(${sqlString(stage)})`);
      const schema = (await queryJson(conn, 'DESCRIBE raw')).map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
      if (schema.length === 0) throw new DataError('UNPROCESSABLE_DATASET', 'The file has no columns.');
      if (schema.length > MAX_COLUMNS) throw new DataError('UNPROCESSABLE_DATASET', `The file has ${schema.length.toLocaleString('en-US')} columns; at most ${MAX_COLUMNS} are supported.`);
      const unknown = Object.keys(args.columnTypes ?? {}).filter((c) => !schema.some((s) => s.name === c));
      if (unknown.length) throw new DataError('UNPROCESSABLE_DATASET', `column_types names ${unknown.map((c) => `'${c}'`).join(', ')}, which the table does not have.`);
      refined = await refineTypes(conn, 'raw', schema, args.columnTypes);
      markSniffedDates(schema, refined, source);
      if (schema.some((c) => refined.get(c.name)!.expr !== sqlIdent(c.name))) {
        await conn.run(`COPY (SELECT ${schema.map((c) => `${refined.get(c.name)!.expr} AS ${sqlIdent(c.name)}`).join(', ')} FROM raw) TO ${sqlString(final)} (FORMAT parquet, COMPRESSION zstd${wide})`);
      } else {
        moveFile(stage, final);
      }
      await conn.run(`CREATE VIEW norm AS SELECT * FROM read_parquet(${sqlString(final)})`);
    } catch (err) {
      throw await fail(err);
    }
    let described;
    try {
      described = await describe(conn, 'norm', refined);
    } catch (err) {
      throw await fail(err);
    }
    if (described.rows === 0) throw new DataError('UNPROCESSABLE_DATASET', 'The file has a header but no data rows.');
    source.notes.push(...described.columns.flatMap((c) => (c.note ? [c.note] : [])));
    const partial = args.limitRows !== undefined && described.rows >= Math.floor(args.limitRows);
    return {
      rows: described.rows, cols: described.columns.length, columns: described.columns, preview: await preview(conn, 'norm', args.previewRows ?? 20), source,
      ...(partial ? { rows_partial: true } : {}),
    };
  }));
}
