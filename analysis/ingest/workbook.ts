import fs from 'node:fs';
import * as XLSX from '@e965/xlsx';
import { DataError } from '../errors.js';
import { InflateBudget, listZip, readZipEntry, type ZipEntry } from './zip.js';

/** No single part of a workbook may inflate past this (a V8 string holds at most ~512 MB). */
export const MAX_XLSX_PART_BYTES = 256 * 1024 * 1024;
/** Limits on what one workbook may cost to read, whatever its size on disk. */
export interface XlsxLimits {
  /** Inflated bytes all the parts read may add up to (XLSX and ODS; XLS is not compressed). */
  maxInflatedBytes: number;
  /** Cells (rows × columns of the sheet read) the CSV may hold. */
  maxCells: number;
  /** Data rows to convert (after the header), for a preview; all when absent. */
  maxRows?: number;
}
export const DEFAULT_XLSX_LIMITS: XlsxLimits = { maxInflatedBytes: 200 * 1024 * 1024, maxCells: 20_000_000 };

/** The workbook formats read here; each is a `Format` of its own so the dataset remembers which it was. */
export const WORKBOOK_FORMATS = ['xlsx', 'xls', 'ods'] as const;
export type WorkbookFormat = (typeof WORKBOOK_FORMATS)[number];

export interface WorkbookSheet {
  sheet: string; sheets: string[];
  /** Lines written to the CSV, the header included. */
  rows: number;
  /** What the conversion changed (merged header cells named), in sentences for the dataset's notes. */
  notes: string[];
}

/** The slice of SheetJS used here: its exported `parse_zip` and `CFB` are untyped. */
interface SheetJsInternals {
  parse_zip(zip: unknown, opts: XLSX.ParsingOptions): XLSX.WorkBook;
  CFB: { utils: { cfb_new(): unknown; cfb_add(cfb: unknown, name: string, content: Buffer, opts: { unsafe: boolean }): Record<string, unknown> } };
}
const sheetjs = XLSX as unknown as SheetJsInternals;
const READ_OPTIONS: XLSX.ParsingOptions = { dense: true, cellNF: true, cellFormula: false, cellHTML: false, cellText: false, cellDates: false, bookVBA: false };

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const ODS_MIME = 'application/vnd.oasis.opendocument.spreadsheet';
const startsWith = (buf: Uint8Array, magic: number[]) => buf.length >= magic.length && magic.every((b, i) => buf[i] === b);
/** Parts SheetJS never needs for cell values: pictures and thumbnails can be large and are left compressed. */
const SKIPPED_PART = /^(?:xl\/media\/|xl\/embeddings\/|Pictures\/|Thumbnails\/|docProps\/thumbnail)/i;

const label = (f: WorkbookFormat) => f.toUpperCase();

/**
 * Converts one sheet of an XLSX, XLS or ODS workbook (the first unless `sheetName` is given) to a CSV file
 * DuckDB reads: cached values of formulas, booleans as true/false, date-formatted numbers as ISO text (1900
 * and 1904 date systems), empty leading and trailing rows and columns dropped, and header cells merged across
 * columns named `name`, `name_2`, `name_3`…
 *
 * The workbook is parsed by SheetJS Community Edition (npm `@e965/xlsx`, a republish of the official
 * 0.20.x builds; npm `xlsx` stopped at 0.18.5 with CVE-2023-30533 and CVE-2024-22363 unfixed). It reads what
 * Excel, LibreOffice, openpyxl and the .NET Open XML SDK write (namespace prefixes, phonetic runs), and XLS
 * and ODS too, which exceljs does not. SheetJS has no inflation cap of its own, so zip parts are inflated
 * here, lazily and each under `MAX_XLSX_PART_BYTES` and all under `limits.maxInflatedBytes`, whatever the
 * archive's directory claims; cells are counted before the sheet is parsed and the grid after, against
 * `limits.maxCells`. A zip bomb fails with a sentence naming the limit instead of exhausting memory.
 * Synchronous: the API calls it from a worker thread.
 * @example const { sheet } = workbookToCsv('/tmp/book.xlsx', '/tmp/book.csv');
 * @throws DataError naming the limit passed, the missing sheet (and the sheets there are), or the damage
 */
export function workbookToCsv(file: string, csvOut: string, sheetName?: string, limits: XlsxLimits = DEFAULT_XLSX_LIMITS): WorkbookSheet {
  const buf = fs.readFileSync(file);
  const format = sniffWorkbook(buf);
  const zip = format === 'xls' ? undefined : new LazyZip(buf, format, limits);
  // SheetJS swallows errors met reading a sheet part (it leaves the sheet out), so the caps' errors are kept aside.
  const parse = (opts: XLSX.ParsingOptions): XLSX.WorkBook => {
    let wb: XLSX.WorkBook | undefined, failure: unknown;
    // SheetJS writes its doubts (an ODS number format it simplifies) to the console; the API's log is no place for them.
    const { error, warn } = console;
    console.error = console.warn = () => {};
    try {
      wb = zip ? sheetjs.parse_zip(zip.container, { ...READ_OPTIONS, ...opts }) : XLSX.read(buf, { ...READ_OPTIONS, ...opts, type: 'buffer' });
    } catch (err) {
      failure = err;
    } finally {
      Object.assign(console, { error, warn });
    }
    if (zip?.error) throw zip.error;
    if (failure === undefined && wb) return wb;
    if (failure instanceof DataError) throw failure;
    const why = failure instanceof Error ? failure.message.replace(/\s+/g, ' ').slice(0, 200) : String(failure);
    throw new DataError('UNPROCESSABLE_DATASET', `The ${label(format)} workbook could not be read (${why}); open it in a spreadsheet program and save it again.`);
  };
  // XLSX names first (the workbook part alone), so a missing sheet is named before any sheet is inflated;
  // ODS keeps every table in content.xml and XLS in one stream, so for them a first pass would cost a second parse.
  const sheets = format === 'xlsx' ? parse({ bookSheets: true }).SheetNames : undefined;
  const chosen = sheetName ?? sheets?.[0];
  if (sheets && (chosen === undefined || !sheets.includes(chosen))) throw noSheet(format, sheetName, sheets);
  if (zip) zip.sheet = chosen;
  const wb = parse({ sheets: chosen ?? 0,
    // Rows of the sheet, not of data: leading blank rows and the header count too, hence the margin.
    ...(limits.maxRows !== undefined ? { sheetRows: limits.maxRows + 1001 } : {}) });
  const name = chosen ?? wb.SheetNames[0];
  const ws = name === undefined ? undefined : wb.Sheets[name];
  if (name === undefined || !ws) {
    if (name === undefined || !wb.SheetNames.includes(name)) throw noSheet(format, sheetName, wb.SheetNames);
    // SheetJS leaves out a sheet it failed to parse rather than failing.
    throw new DataError('UNPROCESSABLE_DATASET', `The sheet '${name}' could not be read; open the workbook in a spreadsheet program and save it again.`);
  }
  const date1904 = Boolean(wb.Workbook?.WBProps?.date1904);
  const { rows, notes } = writeSheetCsv(csvOut, ws, name, date1904, limits);
  if (rows === 0) throw new DataError('UNPROCESSABLE_DATASET', `The sheet '${name}' is empty.`);
  return { sheet: name, sheets: wb.SheetNames, rows, notes };
}

function noSheet(format: WorkbookFormat, sheetName: string | undefined, sheets: string[]): DataError {
  if (sheets.length === 0) return new DataError('UNPROCESSABLE_DATASET', `The ${label(format)} workbook has no sheets.`);
  return new DataError('UNPROCESSABLE_DATASET', `The workbook has no sheet '${sheetName}'; its sheets are ${sheets.map((s) => `'${s}'`).join(', ')}.`);
}

/** Which workbook the bytes are: XLS by its compound-file magic, ODS by its `mimetype` part, else XLSX. */
function sniffWorkbook(buf: Buffer): WorkbookFormat {
  if (startsWith(buf, CFB_MAGIC)) return 'xls';
  // ODS stores `mimetype` first and uncompressed (OpenDocument 1.2 part 3 §3.3), so its text is near the start.
  if (startsWith(buf, ZIP_MAGIC) && buf.subarray(30, 120).includes(ODS_MIME)) return 'ods';
  return 'xlsx'; // a file that is not a zip archive is refused by listZip in words about XLSX
}

/**
 * The archive as SheetJS's zip container, each part inflated only when SheetJS reads it, so other sheets
 * and pictures cost nothing; each under the per-part cap, all under the total, whatever the directory claims.
 * The sheet part's cells are counted before SheetJS parses it.
 */
class LazyZip {
  readonly container: unknown;
  /** The first cap passed, thrown again after SheetJS returns. */
  error: DataError | undefined;
  /** The sheet being read, for the cell cap's sentence. */
  sheet: string | undefined;
  private readonly names: Set<string>;

  constructor(private readonly buf: Buffer, private readonly format: WorkbookFormat, private readonly limits: XlsxLimits) {
    const entries = listZip(buf, label(format));
    this.names = new Set(entries.map((e) => e.name.replace(/^\//, '')));
    const budget = new InflateBudget(limits.maxInflatedBytes, label(format));
    this.container = sheetjs.CFB.utils.cfb_new();
    for (const e of entries) {
      if (e.name.endsWith('/') || SKIPPED_PART.test(e.name)) continue;
      const file = sheetjs.CFB.utils.cfb_add(this.container, e.name.replace(/^\//, ''), Buffer.alloc(0), { unsafe: true });
      let content: Buffer | undefined;
      Object.defineProperty(file, 'content', {
        enumerable: true, configurable: true,
        get: () => (content ??= this.inflate(e, budget)),
        set: (v: Buffer) => { content = v; },
      });
    }
  }

  private inflate(e: ZipEntry, budget: InflateBudget): Buffer {
    try {
      const data = readZipEntry(this.buf, e, MAX_XLSX_PART_BYTES, budget, label(this.format));
      const ods = this.format === 'ods';
      // Counted for previews too: SheetJS's `sheetRows` does not stop an ODS row repeated a million times.
      if ((ods ? e.name === 'content.xml' : /^\/?xl\/worksheets\/[^/]+\.xml$/i.test(e.name))) {
        const cells = ods ? countOdsCells(data.toString('latin1')) : countCellTags(data);
        if (cells > this.limits.maxCells) throw tooManyCells(ods ? undefined : this.sheet, this.limits.maxCells);
      }
      return e.name === '[Content_Types].xml' ? declareParts(data, this.names) : data;
    } catch (err) {
      if (err instanceof DataError) this.error ??= err;
      throw err;
    }
  }
}

const PART_TYPES: [string, string][] = [
  ['xl/sharedStrings.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml'],
  ['xl/styles.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml'],
];

/**
 * SheetJS finds shared strings and styles only through their content types; writers that declare just
 * `Default Extension="xml"` (Excel opens those files) would lose every string. Such parts are declared here.
 */
function declareParts(types: Buffer, names: Set<string>): Buffer {
  const xml = types.toString('utf8');
  const missing = PART_TYPES.filter(([part, type]) => names.has(part) && !xml.includes(type));
  if (missing.length === 0) return types;
  return Buffer.from(xml.replace(/<\/((?:[\w.-]+:)?)Types>\s*$/, (end, prefix: string) =>
    missing.map(([part, type]) => `<${prefix}Override PartName="/${part}" ContentType="${type}"/>`).join('') + end), 'utf8');
}

/** `<c>` elements in sheet XML, with or without a namespace prefix (`<c `, `<x:c>`), counted over the bytes. */
function countCellTags(xml: Buffer): number {
  let n = 0;
  for (let i = xml.indexOf(0x3c); i >= 0; i = xml.indexOf(0x3c, i + 1)) {
    let k = i + 1;
    while (k < xml.length && isNameByte(xml[k])) k++;
    // The name is `c` or ends in `:c`, and the tag goes on with a space, `/` or `>`.
    if (xml[k - 1] === 0x63 && (k === i + 2 || xml[k - 2] === 0x3a) && (xml[k] === 0x20 || xml[k] === 0x2f || xml[k] === 0x3e || xml[k] === 0x09 || xml[k] === 0x0a || xml[k] === 0x0d)) n++;
  }
  return n;
}
const isNameByte = (b: number) => (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x3a) || b === 0x5f || b === 0x2d || b === 0x2e;

/**
 * Cells an ODS document makes once repeats are expanded (all its tables: SheetJS reads them all): a cell with
 * a value repeated across columns and rows (`number-columns-repeated`, `number-rows-repeated`) is a handful
 * of bytes that SheetJS copies out. Cells without a value are not stored and not counted.
 */
function countOdsCells(xml: string): number {
  let rowRepeat = 1, cells = 0;
  for (const m of xml.matchAll(/<table:(table-row|table-cell|covered-table-cell)\b([^>]*)>/g)) {
    const repeat = (what: string) => Number(new RegExp(`number-${what}-repeated="(\\d+)"`).exec(m[2])?.[1] ?? 1);
    if (m[1] === 'table-row') rowRepeat = repeat('rows');
    else if (!m[2].endsWith('/') || m[2].includes('value-type=')) cells += rowRepeat * repeat('columns');
  }
  return cells;
}

function tooManyCells(sheet: string | undefined, max: number): DataError {
  return new DataError('UNPROCESSABLE_DATASET',
    `${sheet === undefined ? 'The workbook' : `The sheet '${sheet}'`} has more than ${max.toLocaleString('en-US')} cells (rows × columns), the limit for a workbook; save it as CSV instead, or split it.`,
    { limit: 'xlsx_cells', max });
}

/** Excel's serial day number as an ISO date (with time when it has one). */
export function serialToIso(serial: number, date1904: boolean): string {
  // Day 0 is 1899-12-30 in the 1900 system (which counts a 29 February 1900 that never was), 1904-01-01 otherwise.
  const base = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  const iso = new Date(base + Math.round(serial * 86_400_000)).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
}

const dateFormats = new Map<string, boolean>();
/** Whether a number format draws a date or time (SheetJS's test, remembered: a sheet has few formats, many cells). */
function isDateFormat(z: string): boolean {
  let is = dateFormats.get(z);
  if (is === undefined) dateFormats.set(z, (is = Boolean((XLSX.SSF as { is_date(f: string): boolean }).is_date(z))));
  return is;
}

function cellText(c: XLSX.CellObject | undefined, date1904: boolean): string {
  if (!c || c.v === undefined || c.v === null) return '';
  switch (c.t) {
    case 'b': return c.v ? 'true' : 'false';
    case 'e': case 'z': return '';
    case 'd': return c.v instanceof Date ? c.v.toISOString().replace(/T00:00:00\.000Z$/, '').replace(/\.000Z$/, '').replace('T', ' ') : String(c.v);
    case 'n': {
      const v = Number(c.v);
      return typeof c.z === 'string' && Number.isFinite(v) && isDateFormat(c.z) ? serialToIso(v, date1904) : String(v);
    }
    default: return String(c.v);
  }
}

/**
 * Writes the sheet as CSV: blank rows and the empty columns left and right dropped, the grid checked against
 * the cell cap first, and merged header cells named. Lines are made and written in chunks, not all held.
 * @returns the lines written (the header included) and notes on the header
 */
function writeSheetCsv(csvOut: string, ws: XLSX.WorkSheet, name: string, date1904: boolean, limits: XlsxLimits): { rows: number; notes: string[] } {
  const data: (XLSX.CellObject[] | undefined)[] = (ws as XLSX.DenseWorkSheet)['!data'] ?? [];
  const filled = (c: XLSX.CellObject | undefined) => c !== undefined && c.v !== undefined && c.v !== null && c.v !== '' && c.t !== 'z';
  let first = Infinity, last = -1;
  const keep: number[] = [];
  data.forEach((row, r) => {
    let any = false;
    // forEach skips the holes of a sparse row, so a far-right cell costs one step, not the columns before it.
    row?.forEach((c, k) => { if (filled(c)) { any = true; first = Math.min(first, k); last = Math.max(last, k); } });
    if (any) keep.push(r);
  });
  if (keep.length === 0) return { rows: 0, notes: [] };
  // The cap counts the sheet's extent from column A, as Excel lays it out: far-right cells make a wide grid.
  if (keep.length * (last + 1) > limits.maxCells) throw tooManyCells(name, limits.maxCells);
  const take = limits.maxRows === undefined ? keep : keep.slice(0, limits.maxRows + 1);
  const line = (r: number) => Array.from({ length: last - first + 1 }, (_, k) => cellText(data[r]?.[first + k], date1904));
  const header = line(take[0]);
  const notes = nameMergedHeader(header, ws['!merges'] ?? [], take[0], first);
  const fd = fs.openSync(csvOut, 'w');
  try {
    for (let i = 0; i < take.length; i += 10_000) {
      const chunk = take.slice(i, i + 10_000).map((r, j) => (i + j === 0 ? header : line(r)).map(csvField).join(','));
      fs.writeSync(fd, chunk.join('\n') + '\n');
    }
  } finally {
    fs.closeSync(fd);
  }
  return { rows: take.length, notes };
}

/** Header cells merged across columns leave the columns after the first blank: they are named `name_2`, `name_3`… */
function nameMergedHeader(header: string[], merges: XLSX.Range[], headerRow: number, firstCol: number): string[] {
  const notes: string[] = [];
  for (const m of merges) {
    if (headerRow < m.s.r || headerRow > m.e.r || m.e.c === m.s.c) continue;
    const at = m.s.c - firstCol, name = header[at]?.trim();
    if (!name) continue;
    const spanned: string[] = [];
    for (let k = 1; k <= m.e.c - m.s.c && at + k < header.length; k++) {
      if (header[at + k] === '') { header[at + k] = `${name}_${k + 1}`; spanned.push(header[at + k]); }
    }
    if (spanned.length) notes.push(`The header cell '${name}' is merged across ${spanned.length + 1} columns; they are called '${name}', ${spanned.map((s) => `'${s}'`).join(', ')}.`);
  }
  return notes;
}

const csvField = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
