import fs from 'node:fs';
import readline from 'node:readline';
import { DataError } from '../errors.js';
import { splitCsvLine } from './header.js';

/** `details.cause` of the error for text that is not UTF-8 after all: the reader tries Windows-1252 then. */
export const INVALID_UTF8 = 'invalid_utf8';

/** The first line (1-based, header = 1) whose field count differs from the header's, scanning at most `maxLines`. */
export async function firstRaggedLine(file: string, delim: string, maxLines = 5_000_000): Promise<{ line: number; found: number; expected: number } | null> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let expected = -1, n = 0;
  try {
    for await (const text of rl) {
      n++;
      if (n > maxLines) return null;
      const fields = splitCsvLine(text, delim).length;
      if (expected < 0) expected = fields;
      else if (fields !== expected && text.trim() !== '') return { line: n, found: fields, expected };
    }
  } finally {
    rl.close();
  }
  return null;
}

/**
 * Turns DuckDB's multi-line parser messages into one sentence a user can act on: ragged rows, overlong lines,
 * and otherwise the first line of DuckDB's own message (cut short: it can quote a whole line back).
 */
export async function readError(err: unknown, o: { label: string; file?: string; delim?: string }): Promise<DataError> {
  const raw = err instanceof Error ? err.message : String(err);
  const line = /CSV Error on Line: (\d+)/.exec(raw)?.[1];
  const size = /Maximum line size of (\d+) bytes exceeded/.exec(raw);
  if (size) return new DataError('UNPROCESSABLE_DATASET', `Line ${line ?? '?'} is longer than ${Math.round(Number(size[1]) / 1e6)} MB; a table needs one row per line.`);
  if (/Invalid unicode/i.test(raw)) return new DataError('UNPROCESSABLE_DATASET', `Line ${line ?? '?'} is not valid UTF-8 text.`, { cause: INVALID_UTF8 });
  const cols = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(raw);
  if (cols) return new DataError('UNPROCESSABLE_DATASET', `Line ${line ?? '?'} has ${cols[2]} fields where the header has ${cols[1]}; every row needs the same number of fields.`);
  if (o.file && o.delim && /not possible to automatically detect the CSV parsing dialect|Expected Number of Columns/.test(raw)) {
    const ragged = await firstRaggedLine(o.file, o.delim);
    if (ragged) return new DataError('UNPROCESSABLE_DATASET', `Line ${ragged.line} has ${ragged.found} fields where the header has ${ragged.expected}; every row needs the same number of fields.`);
  }
  const first = raw.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 2).join(' ').replace(/^Error: /, '');
  return new DataError('UNPROCESSABLE_DATASET', `The ${o.label} file could not be read: ${first.length > 300 ? `${first.slice(0, 300)}…` : first}`);
}
