import fs from 'node:fs';
import { DataError } from '../errors.js';
import { InflateBudget, listZip, readZipEntry, type ZipEntry } from './zip.js';

/** No single part of a workbook may inflate past this (a V8 string holds at most ~512 MB). */
export const MAX_XLSX_PART_BYTES = 256 * 1024 * 1024;
/** Limits on what one workbook may cost to read, whatever its size on disk. */
export interface XlsxLimits {
  /** Inflated bytes all the parts read may add up to. */
  maxInflatedBytes: number;
  /** Cells (rows × columns of the sheet read) the CSV may hold. */
  maxCells: number;
}
export const DEFAULT_XLSX_LIMITS: XlsxLimits = { maxInflatedBytes: 200 * 1024 * 1024, maxCells: 20_000_000 };
/** Built-in number formats that are dates or times (ECMA-376 §18.8.30). */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (s: string) => s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
  e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : ENTITY[e] ?? m);
const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
/** All text of the <t> elements inside an XML fragment (rich text runs included). */
const textOf = (xml: string) => [...xml.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((m) => unescapeXml(m[1])).join('');

/** Column index (0-based) of a cell reference like "AB12". */
function columnIndex(ref: string): number {
  let n = 0;
  for (const ch of ref) { const c = ch.charCodeAt(0); if (c < 65 || c > 90) break; n = n * 26 + (c - 64); }
  return n - 1;
}

/** Whether a custom number format code draws a date or time (d, m, y, h, s outside quotes and brackets). */
function isDateFormat(code: string): boolean {
  const bare = code.replace(/"[^"]*"|\[[^\]]*\]|\\./g, '');
  return /[dmyhs]/i.test(bare) && !/^[#0.,%E+\-\s]*$/i.test(bare);
}

/** Excel's serial day number as an ISO date (with time when it has one). */
function serialToIso(serial: number, date1904: boolean): string {
  // Day 0 is 1899-12-30 in the 1900 system (which counts a 29 February 1900 that never was), 1904-01-01 otherwise.
  const base = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  const d = new Date(base + Math.round(serial * 86_400_000));
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
}

const csvField = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

export interface XlsxSheet { sheet: string; sheets: string[]; rows: number }

/**
 * Converts one sheet of an XLSX workbook (the first unless `sheetName` is given) to a CSV file, with dates
 * written as ISO text and shared strings resolved. Every part is inflated under a size cap, all of them
 * under a total cap, and the sheet under a cell cap, so a zip bomb fails with a sentence naming the limit
 * instead of exhausting memory. Synchronous: the API calls it from a worker thread.
 * @example const { sheet } = xlsxToCsv('/tmp/book.xlsx', '/tmp/book.csv');
 */
export function xlsxToCsv(file: string, csvOut: string, sheetName?: string, limits: XlsxLimits = DEFAULT_XLSX_LIMITS): XlsxSheet {
  const buf = fs.readFileSync(file);
  const entries = listZip(buf);
  const budget = new InflateBudget(limits.maxInflatedBytes);
  const byName = new Map(entries.map((e) => [e.name.replace(/^\//, ''), e]));
  const part = (name: string, required = true): string | null => {
    const e: ZipEntry | undefined = byName.get(name);
    if (!e) {
      if (required) throw new DataError('UNPROCESSABLE_DATASET', `The XLSX workbook has no ${name}; is it really an Excel workbook?`);
      return null;
    }
    return readZipEntry(buf, e, MAX_XLSX_PART_BYTES, budget).toString('utf8');
  };
  const workbook = part('xl/workbook.xml')!;
  const rels = part('xl/_rels/workbook.xml.rels')!;
  const date1904 = /<workbookPr[^>]*date1904="(1|true)"/.test(workbook);
  const sheets = [...workbook.matchAll(/<sheet\s[^>]*>/g)].map((m) => ({ name: unescapeXml(attr(m[0], 'name') ?? ''), rid: attr(m[0], 'r:id') ?? '' }));
  if (sheets.length === 0) throw new DataError('UNPROCESSABLE_DATASET', 'The XLSX workbook has no sheets.');
  const chosen = sheetName === undefined ? sheets[0] : sheets.find((s) => s.name === sheetName);
  if (!chosen) throw new DataError('UNPROCESSABLE_DATASET', `The workbook has no sheet '${sheetName}'; its sheets are ${sheets.map((s) => `'${s.name}'`).join(', ')}.`);
  const rel = [...rels.matchAll(/<Relationship\s[^>]*>/g)].find((m) => attr(m[0], 'Id') === chosen.rid);
  const target = rel ? attr(rel[0], 'Target') ?? '' : '';
  const sheetPath = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;

  const shared = part('xl/sharedStrings.xml', false);
  const strings = shared ? [...shared.matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => textOf(m[1])) : [];
  const styles = part('xl/styles.xml', false) ?? '';
  const custom = new Map([...styles.matchAll(/<numFmt\s[^>]*>/g)].map((m) => [Number(attr(m[0], 'numFmtId')), unescapeXml(attr(m[0], 'formatCode') ?? '')]));
  const cellXfs = /<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)?.[1] ?? '';
  const dateStyle = [...cellXfs.matchAll(/<xf\s[^>]*>/g)].map((m) => {
    const id = Number(attr(m[0], 'numFmtId') ?? 0);
    return BUILTIN_DATE_FORMATS.has(id) || (custom.has(id) && isDateFormat(custom.get(id)!));
  });

  const xml = part(sheetPath)!;
  const tooManyCells = () => new DataError('UNPROCESSABLE_DATASET',
    `The sheet '${chosen.name}' has more than ${limits.maxCells.toLocaleString('en-US')} cells (rows × columns), the limit for a workbook; save it as CSV instead, or split it.`,
    { limit: 'xlsx_cells', max: limits.maxCells });
  // The widest row decides the width, so every CSV line has the same number of fields.
  let width = 0, refs = 0, rowTags = 0;
  for (const m of xml.matchAll(/<c\b[^>]*?\sr="([A-Z]+)\d+"/g)) { width = Math.max(width, columnIndex(m[1]) + 1); refs++; }
  for (let i = xml.indexOf('<row'); i >= 0; i = xml.indexOf('<row', i + 4)) if (!/\w/.test(xml[i + 4] ?? '')) rowTags++;
  // Refused before writing: a few far-right cells on many rows make a huge grid from little XML.
  if (refs > limits.maxCells || rowTags * width > limits.maxCells) throw tooManyCells();
  const fd = fs.openSync(csvOut, 'w');
  let rows = 0;
  const lines: string[][] = [];
  try {
    for (const row of xml.matchAll(/<row\b[^>]*?(?:\/>|>([\s\S]*?)<\/row>)/g)) {
      const cells: string[] = [];
      for (const c of (row[1] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const head = c[1], body = c[2] ?? '';
        const ref = attr(head, 'r');
        const at = ref ? columnIndex(ref) : cells.length;
        const type = attr(head, 't') ?? 'n';
        const v = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
        let value = '';
        if (type === 's') value = v === undefined ? '' : strings[Number(v)] ?? '';
        else if (type === 'inlineStr') value = textOf(body);
        else if (type === 'b') value = v === '1' ? 'true' : v === '0' ? 'false' : '';
        else if (type === 'e') value = '';
        else if (v !== undefined) {
          const style = Number(attr(head, 's') ?? 0);
          value = type === 'n' && dateStyle[style] && Number.isFinite(Number(v)) ? serialToIso(Number(v), date1904) : unescapeXml(v);
        }
        if ((rows + 1) * Math.max(width, at + 1) > limits.maxCells) throw tooManyCells(); // before padding: a reference like ZZZZZZ1 is one cell
        while (cells.length < at) cells.push('');
        cells[at] = value;
      }
      width = Math.max(width, cells.length);
      lines.push(cells);
      rows++;
      if (rows * width > limits.maxCells) throw tooManyCells();
      if (lines.length >= 10_000) { fs.writeSync(fd, flush(lines, width)); lines.length = 0; }
    }
    fs.writeSync(fd, flush(lines, width));
  } finally {
    fs.closeSync(fd);
  }
  if (rows === 0) throw new DataError('UNPROCESSABLE_DATASET', `The sheet '${chosen.name}' is empty.`);
  return { sheet: chosen.name, sheets: sheets.map((s) => s.name), rows };
}

function flush(lines: string[][], width: number): string {
  let s = '';
  for (const cells of lines) {
    while (cells.length < width) cells.push('');
    s += cells.map(csvField).join(',') + '\n';
  }
  return s;
}
