import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { DataError } from '../../../analysis/errors.js';
import { detectFormat } from '../../../analysis/ingest/formats.js';
import { readTable } from '../../../analysis/ingest/read-table.js';
import { workbookToCsv, type XlsxLimits } from '../../../analysis/ingest/workbook.js';
import { makeZipBomb } from '../../helpers/xlsx.js';

// Fixtures made by openpyxl and LibreOffice, or written by hand as the .NET SDK and Japanese Excel write: see make.py.
const BOOKS = fileURLToPath(new URL('../../fixtures/workbooks/', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-workbook-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const MB = 1024 * 1024;

/** The CSV one sheet becomes, as lines, with what the reader says of it. */
function convert(file: string, sheet?: string, limits?: XlsxLimits) {
  const csv = path.join(tmp, `${Math.random().toString(36).slice(2)}.csv`);
  const r = workbookToCsv(path.isAbsolute(file) ? file : path.join(BOOKS, file), csv, sheet, limits);
  return { ...r, lines: fs.readFileSync(csv, 'utf8').trimEnd().split('\n') };
}
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as DataError).message;
  }
  throw new Error('expected a DataError');
}

const HEADER = 'id,day,sales,sales_2,paid,total,seen';
const MERGED = "The header cell 'sales' is merged across 2 columns; they are called 'sales', 'sales_2'.";

describe('the same workbook from openpyxl, and saved by LibreOffice as XLSX, XLS and ODS', () => {
  test('openpyxl: blank leading row and column dropped, merged header named, dates as ISO text, no cached value for its formula', () => {
    const r = convert('openpyxl.xlsx');
    expect(r).toMatchObject({ sheet: 'Data', sheets: ['Data', 'Other'], rows: 4, notes: [MERGED] });
    // openpyxl writes formulas without the value they compute, so the total is empty, not the formula text.
    expect(r.lines).toEqual([HEADER,
      '1,2024-01-01,10,2.5,true,,2024-01-01 13:30:00',
      '2,2024-02-29,20,0.5,false,,2024-03-01 08:00:00',
      '3,1999-12-31,30,1.25,true,,2000-01-01 00:00:01']);
  });

  test.each(['libreoffice.xlsx', 'libreoffice.xls', 'libreoffice.ods'])('%s: formulas give their cached values', (file) => {
    const r = convert(file);
    expect(r).toMatchObject({ sheet: 'Data', sheets: ['Data', 'Other'], rows: 4, notes: [MERGED] });
    // LibreOffice turns openpyxl's booleans into =TRUE() formulas; in ODS those are numbers 1 and 0.
    const [t, f] = file.endsWith('.ods') ? ['1', '0'] : ['true', 'false'];
    expect(r.lines).toEqual([HEADER,
      `1,2024-01-01,10,2.5,${t},12.5,2024-01-01 13:30:00`,
      `2,2024-02-29,20,0.5,${f},20.5,2024-03-01 08:00:00`,
      `3,1999-12-31,30,1.25,${t},31.25,2000-01-01 00:00:01`]);
  });

  test.each(['openpyxl.xlsx', 'libreoffice.xlsx', 'libreoffice.xls', 'libreoffice.ods'])('%s: the sheet named is read; a missing one is named with those there are', (file) => {
    expect(convert(file, 'Other')).toMatchObject({ sheet: 'Other', rows: 3, lines: ['x,label', '1,one', '2,two'] });
    expect(failure(() => convert(file, 'Nope'))).toBe("The workbook has no sheet 'Nope'; its sheets are 'Data', 'Other'.");
  });

  test('maxRows converts only the first data rows, for a preview', () => {
    expect(convert('libreoffice.xlsx', undefined, { maxInflatedBytes: 20 * MB, maxCells: 1000, maxRows: 1 }).lines)
      .toEqual([HEADER, '1,2024-01-01,10,2.5,true,12.5,2024-01-01 13:30:00']);
  });
});

describe('workbooks the hand-written reader got wrong', () => {
  test('the 1904 date system (old Excel for Mac) gives the same dates', () => {
    expect(convert('mac1904.xlsx').lines).toEqual(['day,n', '2024-01-01,1', '1904-01-02,2']);
  });

  test('XML with an x: prefix on every element, as the .NET Open XML SDK writes it', () => {
    expect(convert('prefixed.xlsx')).toMatchObject({ sheet: 'Report',
      lines: ['name,amount,when', 'Widget & Co,12.5,2024-01-01', 'Gadget,25,2024-02-01'] });
  });

  test('shared strings with <rPh> phonetic runs: the text without its reading', () => {
    expect(convert('phonetic.xlsx')).toMatchObject({ sheet: '支店', lines: ['都市,人口', '東京,13960000', '大阪,2750000'] });
  });
});

describe('bombs', () => {
  test.each([false, true])('an XLSX zip bomb is refused naming the limit (directory lies: %s)', (lie) => {
    const file = path.join(tmp, `bomb-${lie}.xlsx`);
    fs.writeFileSync(file, makeZipBomb(30 * MB, lie));
    expect(failure(() => convert(file, undefined, { maxInflatedBytes: 20 * MB, maxCells: 1000 })))
      .toBe('The XLSX file expands to more than 20 MB across its parts, the limit for a workbook; it may be a zip bomb. Save the sheet as CSV instead.');
  });

  test('an ODS cell repeated over every column and row (1 KB) is refused by the cell cap before SheetJS copies it out', () => {
    expect(fs.statSync(path.join(BOOKS, 'repeat-bomb.ods')).size).toBeLessThan(2000);
    const started = Date.now();
    expect(failure(() => convert('repeat-bomb.ods')))
      .toBe('The workbook has more than 20,000,000 cells (rows × columns), the limit for a workbook; save it as CSV instead, or split it.');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(failure(() => convert('repeat-bomb.ods', undefined, { maxInflatedBytes: 20 * MB, maxCells: 1000, maxRows: 5 })))
      .toBe('The workbook has more than 1,000 cells (rows × columns), the limit for a workbook; save it as CSV instead, or split it.');
  });
});

describe('XLS and ODS through detectFormat and readTable', () => {
  test('detectFormat checks the compound-file signature and the ODS mimetype', () => {
    const head = (file: string) => fs.readFileSync(path.join(BOOKS, file)).subarray(0, 4096);
    expect(detectFormat('a.xls', head('libreoffice.xls'))).toBe('xls');
    expect(detectFormat('a.ods', head('libreoffice.ods'))).toBe('ods');
    expect(() => detectFormat('a.xls', head('libreoffice.xlsx'))).toThrow('The file is named .xls but is not an Excel 97–2003 workbook (no compound-file signature).');
    expect(() => detectFormat('a.ods', head('libreoffice.xlsx'))).toThrow(/^The file is named \.ods but is not an OpenDocument spreadsheet/);
  });

  test.each([['libreoffice.xls', 'xls'], ['libreoffice.ods', 'ods']] as const)('%s reads as a table, its format remembered', async (file, format) => {
    const m = await readTable({ inputPath: path.join(BOOKS, file), format, tmpDir: tmp });
    expect(m.source).toMatchObject({ format, sheet: 'Data' });
    expect(m.source.notes).toEqual(["Read sheet 'Data' of 'Data', 'Other'.", MERGED]);
    expect(m.rows).toBe(3);
    expect(Object.fromEntries(m.columns.map((c) => [c.name, c.type]))).toMatchObject({ day: 'datetime', total: 'float' });
  });
});
