import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson, sqlIdent, sqlString, withDuck } from '../duck.js';
import { DataError } from '../errors.js';
import { ID_NAME, inferColumnType, type ColumnType } from './column-types.js';
import { detectEncoding, transcodeToUtf8, type Encoding } from './encoding.js';
import type { Format } from './formats.js';
import { MAX_HEADER_BYTES, readFirstLine, splitCsvLine, uniqueNames } from './header.js';
import { INVALID_UTF8, readError } from './read-errors.js';
import { refineTypes, type Refinement } from './refine-types.js';
import { interruptible } from './interrupt.js';
import { readHead, readLayout, repairRows, type Repair } from './layout.js';
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
  /** Yes/no words read as booleans: how the file spelt true and false (labels go back in these words). */
  bool_labels?: { true: string; false: string };
  /** Approximate distinct count (text and whole-number columns), so the profile can pick its method. */
  approx_distinct?: number;
}
export interface TablePreview { columns: string[]; first_rows: Record<string, unknown>[] }
/** A change the user asked for that ingest could not make (a `column_types` entry some values defeat). */
export interface SourceWarning {
  column: string;
  message: string;
  /** How many non-empty values failed to convert. */
  failed: number;
  /** Up to three distinct values that failed, as written. */
  examples: string[];
}

/** How the file was read: its encoding, delimiter, header, sheet, and every change made on the way. */
export interface SourceInfo {
  format: Format; encoding: Encoding | null; delimiter: string | null; header: boolean; sheet: string | null; notes: string[];
  /** What could not be done as asked; each message is in `notes` too. Absent from manifests made before it existed. */
  warnings?: SourceWarning[];
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
/**
 * DuckDB reads plain ISO dates and timestamps itself (fast, and unambiguous); every other date form stays text
 * for refineTypes, which decides each column's form from its own values. Left to guess, DuckDB picks one form for
 * the whole file, may pick day/month order wrongly, and reads `+02:00` zones as a TIMESTAMPTZ of its own.
 */
const CSV_TYPES = "auto_type_candidates = ['BIGINT', 'DOUBLE', 'TIME', 'DATE', 'TIMESTAMP', 'VARCHAR'], dateformat = '%Y-%m-%d', timestampformat = '%Y-%m-%d %H:%M:%S'";

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
      ...(r?.labels ? { bool_labels: r.labels } : {}),
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

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/**
 * The DuckDB table function for a prepared file; for delimited text it settles the layout first: delimiter,
 * lines above the header, header, names, and (with `repair`, or when the head shows comment lines or ragged rows)
 * a rectangular copy of the rows.
 * @returns the SQL, and what a repair changed (null when none was made)
 */
async function sourceSql(conn: DuckDBConnection, file: string, format: Format, source: SourceInfo,
  o: { work: string; repair: boolean; signal?: AbortSignal }): Promise<{ sql: string; repaired: Repair | null }> {
  const p = sqlString(file);
  if (format === 'json') return { sql: `read_json_auto(${p}, format = 'array')`, repaired: null };
  if (format === 'ndjson') return { sql: `read_json_auto(${p}, format = 'newline_delimited')`, repaired: null };
  if (format === 'parquet') return { sql: `read_parquet(${p})`, repaired: null };
  const firstLine = readFirstLine(file); // refuses a first line too long to be a header
  const layout = readLayout(readHead(file, MAX_HEADER_BYTES), format === 'tsv' ? '\t' : undefined);
  const delim = layout.delimiter;
  let read = file, skip = layout.skip, repaired: Repair | null = null;
  if (layout.preamble.length) {
    const first = layout.preamble[0].trim();
    source.notes.push(`Skipped ${plural(layout.preamble.length, 'line')} above the header (a title or notes, such as '${first.length > 60 ? `${first.slice(0, 60)}…` : first}').`);
  }
  if (delim && (o.repair || layout.messy)) {
    read = path.join(o.work, 'rows.csv');
    repaired = await repairRows(file, read, delim, layout.skip, layout.headerFields, o.signal);
    skip = 0;
  }
  const comments = layout.leadingComments + (repaired?.comments ?? 0);
  if (comments) source.notes.push(`Skipped ${plural(comments, 'comment line')} (starting with '#').`);
  const first = repaired ? readFirstLine(read) : skip ? layout.headerLine : firstLine;
  const fields = splitCsvLine(first, delim ?? ',');
  if (fields.length > MAX_COLUMNS) throw new DataError('UNPROCESSABLE_DATASET', `The file has ${fields.length.toLocaleString('en-US')} columns; at most ${MAX_COLUMNS} are supported.`);
  source.delimiter = delim ?? null;
  const r = sqlString(read);
  // skip is always given: left to itself, DuckDB's sniffer may skip rows it finds irregular (a short first row).
  const opts = `${delim ? `, delim = ${sqlString(delim)}` : ''}, skip = ${skip}`;
  const [s] = await queryJson(conn, `SELECT HasHeader FROM sniff_csv(${r}${opts}, sample_size = 20480)`);
  const header = s.HasHeader !== false;
  const { names, notes } = header ? uniqueNames(fields) : { names: fields.map((_, i) => `column_${i + 1}`), notes: ['The first row holds data, not column names; columns are called column_1, column_2, …'] };
  // Columns added for rows wider than the header are named by the note below, not as nameless header cells.
  source.notes.push(...(header && repaired?.widened ? uniqueNames(fields.slice(0, layout.headerFields)).notes : notes));
  if (repaired?.padded) source.notes.push(`${plural(repaired.padded, 'row')} had fewer fields than the header; the missing values are empty.`);
  if (repaired?.widened) {
    const extra = names.slice(layout.headerFields);
    source.notes.push(`${plural(repaired.widened, 'row')} had more fields than the header (up to ${repaired.width}); the extra values are kept in ${extra.length === 1 ? 'column' : 'columns'} ${extra.map((x) => `'${x}'`).join(', ')}.`);
  }
  source.header = header;
  return { sql: `read_csv(${r}, header = ${header}${opts}, names = [${names.map(sqlString).join(', ')}], auto_detect = true, sample_size = 20480, ${CSV_TYPES})`, repaired };
}

/** DuckDB's words for rows whose field counts disagree (or a sniffer defeated by them). */
const RAGGED_ERROR = /Expected Number of Columns|not possible to automatically detect the CSV parsing dialect/;

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
      let wide = '';
      const copy = (sql: string) => {
        // The header's width, once sourceSql has settled the delimiter (a title line above it only makes this smaller).
        wide = wideParquetOptions(format === 'csv' || format === 'tsv' ? splitCsvLine(readFirstLine(file), source.delimiter ?? (format === 'tsv' ? '\t' : ',')).length : 0);
        return conn.run(`COPY (SELECT * FROM ${sql}${limit}) TO ${sqlString(stage)} (FORMAT parquet, COMPRESSION snappy${wide})`);
      };
      const mark = source.notes.length;
      try {
        await copy((await sourceSql(conn, file, format, source, { work, repair: false, signal: args.signal })).sql);
      } catch (err) {
        // Rows that disagree past the head: one repair pass and the read again; the first error if nothing needed repair.
        if (!(format === 'csv' || format === 'tsv') || !RAGGED_ERROR.test(err instanceof Error ? err.message : String(err))) throw err;
        source.notes.length = mark;
        const again = await sourceSql(conn, file, format, source, { work, repair: true, signal: args.signal });
        const r = again.repaired;
        if (!r || r.padded + r.widened + r.comments === 0) throw err;
        await copy(again.sql);
      }
      await conn.run(`CREATE VIEW raw AS SELECT * FROM read_parquet(${sqlString(stage)})`);
      const schema = (await queryJson(conn, 'DESCRIBE raw')).map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
      if (schema.length === 0) throw new DataError('UNPROCESSABLE_DATASET', 'The file has no columns.');
      if (schema.length > MAX_COLUMNS) throw new DataError('UNPROCESSABLE_DATASET', `The file has ${schema.length.toLocaleString('en-US')} columns; at most ${MAX_COLUMNS} are supported.`);
      const unknown = Object.keys(args.columnTypes ?? {}).filter((c) => !schema.some((s) => s.name === c));
      if (unknown.length) throw new DataError('UNPROCESSABLE_DATASET', `column_types names ${unknown.map((c) => `'${c}'`).join(', ')}, which the table does not have.`);
      refined = await refineTypes(conn, 'raw', schema, args.columnTypes);
      source.warnings = schema.flatMap((c) => {
        const r = refined.get(c.name)!;
        return r.warning ? [{ column: c.name, message: r.note ?? '', ...r.warning }] : [];
      });
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
