import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { DataError } from '../../../analysis/errors.js';
import { workbookToCsv as xlsxToCsv } from '../../../analysis/ingest/workbook.js';
import { entry, makeXlsx } from '../../helpers/xlsx.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-xlsx-limits-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const MB = 1024 * 1024;

function convert(book: Buffer, limits = { maxInflatedBytes: 20 * MB, maxCells: 1000 }): string | { sheet: string } {
  const file = path.join(tmp, `${Math.random().toString(36).slice(2)}.xlsx`);
  fs.writeFileSync(file, book);
  try {
    return xlsxToCsv(file, `${file}.csv`, undefined, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as DataError).message;
  }
}

test('parts each under the per-part cap are refused once together they pass the total cap', () => {
  const blank = entry(Buffer.alloc(12 * MB, 0x20));
  expect(convert(makeXlsx({ S: [['a'], [1]] }, { 'xl/sharedStrings.xml': blank, 'xl/styles.xml': blank })))
    .toBe('The XLSX file expands to more than 20 MB across its parts, the limit for a workbook; it may be a zip bomb. Save the sheet as CSV instead.');
  // An inline string: a cell pointing into shared strings that are only blanks is a damaged workbook.
  expect(convert(makeXlsx({ S: [[{ inline: 'a' }], [1]] }, { 'xl/sharedStrings.xml': blank }))).toMatchObject({ sheet: 'S' });
});

test('the cell cap counts the grid the CSV would hold: rows × the widest row', () => {
  const cells = "The sheet 'S' has more than 1,000 cells (rows × columns), the limit for a workbook; save it as CSV instead, or split it.";
  expect(convert(makeXlsx({ S: Array.from({ length: 40 }, () => Array.from({ length: 25 }, () => 1)) }))).toMatchObject({ sheet: 'S' });
  expect(convert(makeXlsx({ S: Array.from({ length: 41 }, () => Array.from({ length: 25 }, () => 1)) }))).toBe(cells);
  expect(convert(makeXlsx({ S: [['a'], ...Array.from({ length: 10 }, () => [...Array<null>(200).fill(null), 1])] }))).toBe(cells);
});
