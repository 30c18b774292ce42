import { DataError } from '../errors.js';
import { decodeText, detectEncoding } from './encoding.js';

export const FORMATS = ['csv', 'tsv', 'json', 'ndjson', 'parquet', 'xlsx', 'xls', 'ods'] as const;
export type Format = (typeof FORMATS)[number];

const BY_EXT: Record<string, Format> = {
  csv: 'csv', txt: 'csv', tsv: 'tsv', tab: 'tsv', json: 'json', ndjson: 'ndjson', jsonl: 'ndjson', parquet: 'parquet',
  xlsx: 'xlsx', xls: 'xls', ods: 'ods',
};

const ODS_MIME = 'application/vnd.oasis.opendocument.spreadsheet';
/** The compound-file signature XLS (BIFF) workbooks start with. */
const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** The lower-case extension of a file name, without the dot ('' when there is none). */
export const extensionOf = (filename: string) => {
  const m = /\.([A-Za-z0-9]+)$/.exec(filename);
  return m ? m[1].toLowerCase() : '';
};

/**
 * Decides the format from the extension and the first bytes, refusing binary content posing as text.
 * @example detectFormat('x.csv', Buffer.from('a,b\n1,2')) // 'csv'
 */
export function detectFormat(filename: string, head: Uint8Array): Format {
  const ext = extensionOf(filename);
  const fmt = BY_EXT[ext];
  if (!fmt) throw new DataError('UNPROCESSABLE_DATASET', `Files of type '.${ext}' cannot be read; use CSV, TSV, JSON, NDJSON, Parquet, XLSX, XLS or ODS.`);
  if (head.length === 0) throw new DataError('UNPROCESSABLE_DATASET', 'The file is empty.');
  const isParquet = head.length >= 4 && String.fromCharCode(...head.subarray(0, 4)) === 'PAR1';
  if (fmt === 'parquet') {
    if (!isParquet) throw new DataError('UNPROCESSABLE_DATASET', 'The file is named .parquet but is not a Parquet file (no PAR1 magic bytes).');
    return fmt;
  }
  const isZip = head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  if (fmt === 'xlsx') {
    if (!isZip) throw new DataError('UNPROCESSABLE_DATASET', `The file is named .${ext} but is not an Excel workbook (no zip signature).`);
    return fmt;
  }
  if (fmt === 'ods') {
    // The `mimetype` part comes first, stored, so its text follows the first local header (OpenDocument part 3 §3.3).
    if (!isZip || !Buffer.from(head.subarray(30, 120)).includes(ODS_MIME)) {
      throw new DataError('UNPROCESSABLE_DATASET', 'The file is named .ods but is not an OpenDocument spreadsheet (no zip signature and spreadsheet mimetype).');
    }
    return fmt;
  }
  if (fmt === 'xls') {
    if (!CFB_MAGIC.every((b, i) => head[i] === b)) throw new DataError('UNPROCESSABLE_DATASET', 'The file is named .xls but is not an Excel 97–2003 workbook (no compound-file signature).');
    return fmt;
  }
  // Text formats: UTF-8, UTF-16 or Windows-1252; NUL bytes outside UTF-16's pattern mean binary content.
  let encoding;
  try {
    encoding = detectEncoding(head);
  } catch {
    throw new DataError('UNPROCESSABLE_DATASET', `The file is named .${ext} but its content is binary, not text.`);
  }
  if (fmt === 'json') {
    const first = decodeText(head.subarray(0, 8192), encoding).replace(/^\uFEFF/, '').trimStart()[0];
    if (first === '{') return 'ndjson';
    if (first !== '[') throw new DataError('UNPROCESSABLE_DATASET', 'JSON uploads must be an array of objects, or one object per line.');
  }
  return fmt;
}

const DELIMITERS = [',', ';', '\t', '|'] as const;

/**
 * Picks the delimiter of delimited text from its header line (the candidate occurring most often outside
 * quotes). Passing it to DuckDB explicitly makes ragged rows an error instead of a silent one-column read.
 * @returns undefined when the header has none (a one-column file)
 */
export function sniffDelimiter(headText: string): string | undefined {
  const line = headText.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const unquoted = line.replace(/"[^"]*"/g, '');
  let best: string | undefined;
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const n = unquoted.split(d).length - 1;
    if (n > bestCount) { best = d; bestCount = n; }
  }
  return best;
}
