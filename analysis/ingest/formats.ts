import { DataError } from '../errors.js';

export const FORMATS = ['csv', 'tsv', 'json', 'ndjson', 'parquet'] as const;
export type Format = (typeof FORMATS)[number];

const BY_EXT: Record<string, Format> = {
  csv: 'csv', txt: 'csv', tsv: 'tsv', json: 'json', ndjson: 'ndjson', jsonl: 'ndjson', parquet: 'parquet',
};

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
  if (!fmt) throw new DataError('UNPROCESSABLE_DATASET', `Files of type '.${ext}' cannot be read; use CSV, TSV, JSON or Parquet.`);
  if (head.length === 0) throw new DataError('UNPROCESSABLE_DATASET', 'The file is empty.');
  const isParquet = head.length >= 4 && String.fromCharCode(...head.subarray(0, 4)) === 'PAR1';
  if (fmt === 'parquet') {
    if (!isParquet) throw new DataError('UNPROCESSABLE_DATASET', 'The file is named .parquet but is not a Parquet file (no PAR1 magic bytes).');
    return fmt;
  }
  // Text formats: NUL bytes in the first block mean binary (UTF-16 is a later issue's encoding work).
  const sample = head.subarray(0, 8192);
  if (sample.includes(0)) throw new DataError('UNPROCESSABLE_DATASET', `The file is named .${ext} but its content is binary, not text.`);
  if (fmt === 'json') {
    const first = new TextDecoder().decode(sample).replace(/^\uFEFF/, '').trimStart()[0];
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
