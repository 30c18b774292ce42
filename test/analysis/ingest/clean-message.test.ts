import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { cleanMessage } from '../../../analysis/ingest/clean-message.js';

test('server paths, quoted SQL and DuckDB error classes are dropped; the sentence stays', () => {
  const tmp = path.join(os.tmpdir(), 'assay-read-x1', 'sheet.csv');
  expect(cleanMessage(`Invalid Input Error: No magic bytes found at end of file '${tmp}'\n\nLINE 1: COPY (SELECT * FROM read_parquet('${tmp}')) TO ...`))
    .toBe('No magic bytes found at end of file the file');
  expect(cleanMessage('Binder Error: cannot open "C:\\Users\\ops\\upload.csv" for reading')).toBe('cannot open the file for reading');
  expect(cleanMessage('Catalog Error: DuckDB could not find /var/lib/assay/x.parquet')).toBe('the reader could not find the file');
});

test('text that only looks a little like a path is left alone', () => {
  for (const s of [
    'The XLSX file expands to more than 256 MB (xl/worksheets/sheet1.xml); it may be a zip bomb. Save the sheet as CSV instead.',
    "'Speed (km/h)' holds dates written as text (%d/%m/%Y); read as dates.",
    'Line 3 has 4 fields where the header has 2; every row needs the same number of fields.',
  ]) expect(cleanMessage(s)).toBe(s);
});
