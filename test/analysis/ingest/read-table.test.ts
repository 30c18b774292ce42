import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { DataError } from '../../../analysis/errors.js';
import { inferColumnType } from '../../../analysis/ingest/column-types.js';
import { detectEncoding } from '../../../analysis/ingest/encoding.js';
import { detectFormat, type Format } from '../../../analysis/ingest/formats.js';
import { readTable, type TableManifest } from '../../../analysis/ingest/read-table.js';
import { VEGA } from '../../helpers/client.js';
import { makeXlsx, makeZipBomb } from '../../helpers/xlsx.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-'));
const write = (name: string, content: string | Buffer) => { const p = path.join(tmp, name); fs.writeFileSync(p, content); return p; };
const typesOf = (m: TableManifest) => Object.fromEntries(m.columns.map((c) => [c.name, c.type]));
const read = (name: string, content: string | Buffer, format: Format = 'csv', more: Partial<Parameters<typeof readTable>[0]> = {}) =>
  readTable({ inputPath: write(name, content), format, ...more });
const failure = async (p: Promise<unknown>) => {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  return (err as DataError).message;
};

describe('formats', () => {
  test('infers integer, float, boolean, datetime, categorical, text and identifier columns from a CSV', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i + 1},${i % 7},${(i * 1.5).toFixed(2)},${i % 2 === 0},2024-01-${String((i % 28) + 1).padStart(2, '0')},${['red', 'green', 'blue'][i % 3]},note number ${i} with plenty of words to be free text really`);
    const m = await read('types.csv', `customer_id,count,amount,active,signup,colour,comment\n${rows.join('\n')}\n`);
    expect(m.rows).toBe(200);
    expect(typesOf(m)).toEqual({ customer_id: 'identifier', count: 'integer', amount: 'float', active: 'boolean', signup: 'datetime', colour: 'categorical', comment: 'text' });
  });

  test('writes a normalised Parquet copy that reads back the same', async () => {
    const out = path.join(tmp, 'cars.parquet');
    const m = await readTable({ inputPath: VEGA('cars.json'), format: 'json', parquetOut: out });
    expect(fs.readFileSync(out).subarray(0, 4).toString()).toBe('PAR1');
    const again = await readTable({ inputPath: out, format: 'parquet' });
    expect(again.rows).toBe(m.rows);
    expect(again.columns.map(({ name, type }) => ({ name, type }))).toEqual(m.columns.map(({ name, type }) => ({ name, type })));
  });

  test('reads TSV, NDJSON and delimited text whose delimiter it sniffs', async () => {
    expect((await readTable({ inputPath: VEGA('unemployment.tsv'), format: 'tsv' })).columns.map((c) => c.name)).toEqual(['id', 'rate']);
    expect((await read('x.ndjson', '{"a":1,"b":"x"}\n{"a":2,"b":"y"}\n', 'ndjson')).rows).toBe(2);
    for (const d of [';', '|', '\t']) {
      const m = await read(`d${d.charCodeAt(0)}.txt`, ['a', 'b', 'c'].join(d) + '\n' + ['1', 'x', '2.5'].join(d) + '\n' + ['3', 'y', '4.5'].join(d) + '\n');
      expect(m.source.delimiter).toBe(d);
      expect(typesOf(m)).toMatchObject({ a: 'integer', c: 'float' });
    }
  });

  test('XLSX: the first sheet by default or the one named, shared and inline strings, booleans and dated cells', async () => {
    const book = makeXlsx({
      Sales: [['region', 'units', 'paid', 'day', 'note'], ...Array.from({ length: 30 }, (_, i) => [i % 2 ? 'North' : 'South', i * 3, i % 3 === 0, { date: 45292 + i }, { inline: `n<${i}>` }])],
      Other: [['x'], [1], [2]],
    });
    const m = await read('book.xlsx', book, 'xlsx');
    expect(m.source).toMatchObject({ format: 'xlsx', sheet: 'Sales' });
    expect(m.source.notes).toContain("Read sheet 'Sales' of 'Sales', 'Other'.");
    expect(typesOf(m)).toEqual({ region: 'categorical', units: 'integer', paid: 'boolean', day: 'datetime', note: 'categorical' });
    expect(m.preview.first_rows[0]).toMatchObject({ region: 'South', units: 0, paid: true, note: 'n<0>' });
    expect(String(m.preview.first_rows[0].day)).toMatch(/^2024-01-01/); // serial 45292 is 1 January 2024
    expect((await read('book2.xlsx', book, 'xlsx', { sheet: 'Other' })).rows).toBe(2);
    expect(await failure(read('book3.xlsx', book, 'xlsx', { sheet: 'Nope' }))).toBe("The workbook has no sheet 'Nope'; its sheets are 'Sales', 'Other'.");
  });
});

describe('encodings', () => {
  const table = 'name,city,price\nJosé,Zürich,€12\nRenée,Bogotá,€7\nMaría,São Paulo,€3\n';
  test.each([
    ['UTF-8', Buffer.from(table, 'utf8'), 'utf-8'],
    ['UTF-8 with a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(table, 'utf8')]), 'utf-8'],
    ['UTF-16LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(table, 'utf16le')]), 'utf-16le'],
    ['UTF-16BE with a BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(table, 'utf16le').swap16()]), 'utf-16be'],
    ['UTF-16LE without a BOM', Buffer.from(table, 'utf16le'), 'utf-16le'],
    ['Windows-1252', Buffer.from(table.replaceAll('€', '\u0080'), 'latin1'), 'windows-1252'],
  ])('%s is detected and decoded', async (_name, bytes, encoding) => {
    expect(detectEncoding(bytes)).toBe(encoding);
    const m = await read(`enc-${encoding}-${bytes[0]}.csv`, bytes);
    expect(m.columns.map((c) => c.name)).toEqual(['name', 'city', 'price']);
    expect(m.preview.first_rows.map((r) => r.name)).toEqual(['José', 'Renée', 'María']);
    expect(m.preview.first_rows[0].city).toBe('Zürich');
    expect(m.preview.first_rows.map((r) => r.price)).toEqual([12, 7, 3]); // '€12': a currency, read as a number
    expect(m.source.encoding).toBe(encoding);
  });

  test('Latin-1 bytes far into a file that starts as plain ASCII are still read', async () => {
    const head = Array.from({ length: 20_000 }, (_, i) => `row${i},${i}`).join('\n');
    const m = await read('late-latin1.csv', Buffer.concat([Buffer.from(`label,n\n${head}\n`), Buffer.from('Ange\u00e9le,1\n', 'latin1')]));
    expect(m.rows).toBe(20_001);
    expect(m.source.encoding).toBe('windows-1252');
  });
});

describe('headers and names', () => {
  test('a file without a header row gets column_1…, and says so', async () => {
    const m = await read('nohead.csv', '1,2.5,3\n4,5.5,6\n7,8.5,9\n');
    expect(m.columns.map((c) => c.name)).toEqual(['column_1', 'column_2', 'column_3']);
    expect(m.rows).toBe(3);
    expect(m.source.header).toBe(false);
    expect(m.source.notes.join(' ')).toMatch(/first row holds data/);
  });

  test('blank and repeated names are made unique and reported', async () => {
    const m = await read('names.csv', 'a,b,a,,a\nx,1,2,3,4\ny,5,6,7,8\n');
    expect(m.columns.map((c) => c.name)).toEqual(['a', 'b', 'a_2', 'column_4', 'a_3']);
    expect(m.source.notes).toEqual(expect.arrayContaining(['Column 4 had no name and is called column_<position>.', "Repeated column names were made unique: 'a' → 'a_2', 'a' → 'a_3'."]));
  });
});

describe('type inference', () => {
  const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');
  test('numbers with thousands separators, currency and percent signs are numbers', async () => {
    const m = await read('fmt.csv', `revenue,price,rate\n${rows(50, (i) => `"${(1000 + i * 1234).toLocaleString('en-US')}.50",$${i + 1}.99,${i}%`)}\n`);
    expect(typesOf(m)).toEqual({ revenue: 'float', price: 'float', rate: 'integer' });
    expect(m.preview.first_rows[1]).toEqual({ revenue: 2234.5, price: 2.99, rate: 1 });
    expect(m.source.notes.filter((n) => /currency, percent signs or thousands separators/.test(n))).toHaveLength(3);
  });

  test('yes/no words and 0/1 columns are booleans; US, European and epoch dates are datetimes', async () => {
    const m = await read('kinds.csv', `smoker,flag,us,eu,created_at,plain\n${rows(40, (i) =>
      `${i % 3 ? 'Yes' : 'no'},${i % 2},${(i % 12) + 1}/${(i % 28) + 1}/2021,${(i % 28) + 1}/${(i % 12) + 1}/2021,${1_600_000_000 + i * 86_400},${i * 10}`)}\n`);
    expect(typesOf(m)).toEqual({ smoker: 'boolean', flag: 'boolean', us: 'datetime', eu: 'datetime', created_at: 'datetime', plain: 'integer' });
    expect(m.columns.find((c) => c.name === 'eu')).toMatchObject({ text_dates: true, note: expect.stringContaining('%d/%m/%Y') });
    expect(String(m.preview.first_rows[1].created_at)).toMatch(/^2020-09-14/);
  });

  test('a text column that is mostly numbers is kept as text, with the share of numbers', async () => {
    const m = await read('mixed.csv', `code\n${rows(100, (i) => (i % 5 ? String(i) : `N/A-${i}`))}\n`);
    expect(m.columns[0]).toMatchObject({ type: 'categorical', numeric_share: 0.8 });
  });

  test('column_types overrides inference, and unknown columns are named', async () => {
    const csv = `zip,score\n${rows(60, (i) => `${10000 + i},${i}`)}\n`;
    const m = await read('override.csv', csv, 'csv', { columnTypes: { zip: 'categorical', score: 'float' } });
    expect(typesOf(m)).toEqual({ zip: 'categorical', score: 'float' });
    expect(m.columns[0].storage_type).toBe('VARCHAR');
    expect(await failure(read('override2.csv', csv, 'csv', { columnTypes: { nope: 'integer' } }))).toBe("column_types names 'nope', which the table does not have.");
  });
});

describe('bad files end in a clear UNPROCESSABLE_DATASET naming the problem', () => {
  test.each([
    ['empty', 'e.csv', '', /^The file is empty\.$/],
    ['header only', 'h.csv', 'a,b\n', /^The file has a header but no data rows\.$/],
    ['ragged rows', 'r.csv', 'a,b\n1,2\n3,4,5,6\n7,8\n', /^Line 3 has 4 fields where the header has 2; every row needs the same number of fields\.$/],
  ])('%s', async (_name, file, content, why) => {
    const p = write(file, content);
    const err = await (async () => detectFormat(file, fs.readFileSync(p)))().then(() => readTable({ inputPath: p, format: 'csv' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toMatch(why);
  });

  test('binary content named .csv', () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    expect(() => detectFormat('data.csv', bytes)).toThrow('The file is named .csv but its content is binary, not text.');
  });

  test('a single 100 MB line', async () => {
    const p = path.join(tmp, 'oneline.csv');
    fs.writeFileSync(p, Buffer.alloc(100 * 1024 * 1024, 'x'));
    expect(await failure(readTable({ inputPath: p, format: 'csv' }))).toBe('The first line is longer than 1 MB with no line break; a table needs one row per line.');
    fs.rmSync(p);
  });

  test('a long line further down', async () => {
    expect(await failure(read('longrow.csv', `a,b\n1,2\n${'y'.repeat(3_000_000)},3\n`))).toMatch(/^Line \d+ is longer than 2 MB; a table needs one row per line\.$/);
  });

  test('20,000 columns', async () => {
    const header = Array.from({ length: 20_000 }, (_, i) => `c${i}`).join(',');
    expect(await failure(read('wide.csv', `${header}\n${header.replace(/c\d+/g, '1')}\n`))).toBe('The file has 20,000 columns; at most 5000 are supported.');
  });

  test('a zip bomb disguised as XLSX, whether its directory tells the truth or not', async () => {
    for (const lie of [false, true]) {
      const message = await failure(read(`bomb-${lie}.xlsx`, makeZipBomb(300 * 1024 * 1024, lie), 'xlsx'));
      expect(message).toBe('The XLSX file expands to more than 256 MB (xl/worksheets/sheet1.xml); it may be a zip bomb. Save the sheet as CSV instead.');
    }
  }, 60_000);

  test('a file named .xlsx that is not a workbook', async () => {
    expect(() => detectFormat('x.xlsx', Buffer.from('a,b\n1,2\n'))).toThrow('The file is named .xlsx but is not an Excel workbook (no zip signature).');
    expect(await failure(read('notbook.xlsx', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]), 'xlsx'))).toBe('The file is named .xlsx but is not a zip archive, as XLSX workbooks are.');
  });
});

describe('detectFormat', () => {
  test('follows the extension and checks the content', () => {
    expect(detectFormat('a.csv', Buffer.from('a,b'))).toBe('csv');
    expect(detectFormat('a.json', Buffer.from('\uFEFF[{"a":1}]'))).toBe('json');
    expect(detectFormat('a.json', Buffer.from('{"a":1}\n'))).toBe('ndjson');
    expect(detectFormat('a.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('[{"a":1}]', 'utf16le')]))).toBe('json');
    expect(() => detectFormat('a.csv', Buffer.alloc(0))).toThrow(/empty/);
    expect(() => detectFormat('a.numbers', Buffer.from('x'))).toThrow(/cannot be read/);
  });
});

test('inferColumnType keeps ids out of numbers only when named and unique', () => {
  const f = { rows: 100, nonNull: 100, avgLength: null };
  expect(inferColumnType({ ...f, name: 'user_id', storageType: 'BIGINT', distinct: 100 })).toBe('identifier');
  expect(inferColumnType({ ...f, name: 'age', storageType: 'BIGINT', distinct: 100 })).toBe('integer');
  expect(inferColumnType({ ...f, name: 'user_id', storageType: 'BIGINT', distinct: 10 })).toBe('integer');
});
