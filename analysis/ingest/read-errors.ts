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
 * Keeps the reader's raw text on the error for the log, out of the message and details (which reach the
 * user): non-enumerable, so it is not serialised into an API body either.
 */
export function withCause<E extends Error>(err: E, raw: unknown): E {
  Object.defineProperty(err, 'cause', { value: raw instanceof Error ? raw.message : String(raw), enumerable: false, configurable: true, writable: true });
  return err;
}

const TYPE_WORDS: Record<string, string> = {
  BIGINT: 'whole numbers', INTEGER: 'whole numbers', HUGEINT: 'whole numbers', DOUBLE: 'numbers', FLOAT: 'numbers', DECIMAL: 'numbers',
  DATE: 'dates', TIMESTAMP: 'timestamps', TIME: 'times', BOOLEAN: 'true/false values',
};
// A short quote of the user's own value; DuckDB's text around it is never passed on.
const quote = (v: string) => `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;

/** One sentence about the file for a DuckDB message no rule above recognised: what is wrong and what to do, never DuckDB's words. */
function explain(raw: string, label: string, line: string | undefined): string {
  const json = /Malformed JSON in file .*?, at byte \d+ in (record\/value|line) (\d+): ([a-z ,'-]{1,60}?)\.?\s*(?:\n|$)/i.exec(raw);
  if (json && json[1] === 'line') return `Line ${json[2]} is not valid JSON (${json[3].trim()}); each line must hold one complete JSON object.`;
  if (json) return `The file is not valid JSON (${json[3].trim()}); a JSON upload is one array of objects, complete up to its closing bracket.`;
  if (label === 'PARQUET') {
    if (/magic bytes|footer|too small|thrift|corrupt|truncated/i.test(raw)) return 'The Parquet file is damaged or cut short, so its contents cannot be read; export it again, or upload the table as CSV.';
    return 'The Parquet file could not be read; it may be damaged or use a feature Assay cannot read. Export it again, or upload the table as CSV.';
  }
  if (label === 'JSON' || label === 'NDJSON') return `The ${label} file could not be read as a table; upload an array of objects (or one object per line) whose keys name the columns.`;
  const convert = /converting column "(.*?)"\. Could not convert string "(.*?)" to '?(\w+)/.exec(raw);
  if (convert) {
    return `Line ${line ?? '?'} has ${quote(convert[2])} in column ${quote(convert[1])}, which the rows before it hold as ${TYPE_WORDS[convert[3]] ?? convert[3].toLowerCase()}; make the column's values consistent.`;
  }
  if (/Error when sniffing file|not possible to automatically detect/.test(raw)) {
    return `The ${label} file could not be read as delimited text: no consistent delimiter and columns were found. Check that it is a text table with one row per line.`;
  }
  return `The ${label} file could not be read as a table; check that it opens in the program that made it, and save it again.`;
}

/**
 * Turns DuckDB's multi-line messages into one sentence about the file a user can act on: ragged rows,
 * overlong lines, broken JSON, damaged Parquet. DuckDB's own text (which names server paths and quotes
 * SQL) never reaches the message; it stays on the error's non-enumerable `cause` for the log.
 */
export async function readError(err: unknown, o: { label: string; file?: string; delim?: string }): Promise<DataError> {
  const raw = err instanceof Error ? err.message : String(err);
  const fail = (message: string, details?: Record<string, unknown>) => withCause(new DataError('UNPROCESSABLE_DATASET', message, details), raw);
  const line = /CSV Error on Line: (\d+)/.exec(raw)?.[1];
  const size = /Maximum line size of (\d+) bytes exceeded/.exec(raw);
  if (size) return fail(`Line ${line ?? '?'} is longer than ${Math.round(Number(size[1]) / 1e6)} MB; a table needs one row per line.`);
  if (/Invalid unicode/i.test(raw)) return fail(`Line ${line ?? '?'} is not valid UTF-8 text.`, { cause: INVALID_UTF8 });
  const cols = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(raw);
  if (cols) return fail(`Line ${line ?? '?'} has ${cols[2]} fields where the header has ${cols[1]}; every row needs the same number of fields.`);
  if (o.file && o.delim && /not possible to automatically detect the CSV parsing dialect|Expected Number of Columns/.test(raw)) {
    const ragged = await firstRaggedLine(o.file, o.delim);
    if (ragged) return fail(`Line ${ragged.line} has ${ragged.found} fields where the header has ${ragged.expected}; every row needs the same number of fields.`);
  }
  return fail(explain(raw, o.label, line));
}
