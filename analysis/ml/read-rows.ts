import fs from 'node:fs';
import { DataError } from '../errors.js';
import { queryJson, sqlString, withDuck } from '../duck.js';
import { detectEncoding } from '../ingest/encoding.js';
import { interruptible } from '../ingest/interrupt.js';
import { readError } from '../ingest/read-errors.js';

/** Rows a prediction request may carry, in JSON or CSV. */
export const MAX_PREDICT_ROWS = 100_000;

/** The first bytes of a file, to tell text from binary before DuckDB sees it. */
function head(file: string): Buffer {
  const buf = Buffer.alloc(8192);
  const fd = fs.openSync(file, 'r');
  try {
    return buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads a CSV of rows to score: header row, delimiter sniffed, every value as text (the model's schema
 * decides types, as for JSON rows). `signal` interrupts the read (a timed-out request).
 * @throws DataError when the file is not a readable table or has too many rows
 */
export async function readCsvRows(file: string, o: { signal?: AbortSignal } = {}): Promise<Record<string, unknown>[]> {
  const bytes = head(file);
  if (bytes.length === 0) throw new DataError('UNPROCESSABLE_DATASET', 'The CSV is empty.');
  try {
    detectEncoding(bytes);
  } catch {
    throw new DataError('UNPROCESSABLE_DATASET', 'The file is binary, not CSV text; send the rows as a CSV file or as JSON {"rows": [...]}.');
  }
  return withDuck(async (conn) => {
    let rows: Record<string, unknown>[];
    try {
      rows = await interruptible(conn, o.signal, () => queryJson(conn, `SELECT * FROM read_csv(${sqlString(file)}, all_varchar = true, header = true) LIMIT ${MAX_PREDICT_ROWS + 1}`));
    } catch (err) {
      throw await readError(err, { label: 'CSV' });
    }
    if (rows.length === 0) throw new DataError('UNPROCESSABLE_DATASET', 'The CSV has a header but no rows to predict.');
    if (rows.length > MAX_PREDICT_ROWS) throw new DataError('UNPROCESSABLE_DATASET', `The CSV has more than ${MAX_PREDICT_ROWS} rows; send them in several requests.`);
    return rows;
  });
}
