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
const FIXTURE = (name: string) => path.resolve('test/fixtures/csv', name);
const fixture = (name: string, more: Partial<Parameters<typeof readTable>[0]> = {}) => readTable({ inputPath: FIXTURE(name), format: 'csv', ...more });
const column = (m: TableManifest, name: string) => m.columns.find((c) => c.name === name)!;
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
    const m = await read('mixed.csv', `code\n${rows(100, (i) => (i % 5 ? String(i % 40) : `N/A-${i % 10}`))}\n`);
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

describe('dates and times, one form per column', () => {
  test('ISO 8601 with or without a zone or seconds, month names, numeric orders, dotted and year-first dates, epochs', async () => {
    const m = await fixture('dates.csv');
    expect(typesOf(m)).toEqual({
      iso_day: 'datetime', iso_zoned: 'datetime', no_seconds: 'datetime', mon_d_y: 'datetime', month_comma: 'datetime', d_month: 'datetime', d_mon: 'datetime',
      us: 'datetime', eu: 'datetime', unsure: 'datetime', dotted: 'datetime', ymd: 'datetime', created_ts: 'datetime', sent_unix_ms: 'datetime', population: 'integer',
    });
    const day = (col: string) => m.preview.first_rows.map((r) => String(r[col]).slice(0, 10));
    const at = (col: string) => m.preview.first_rows.map((r) => String(r[col]));
    expect(day('iso_day')).toEqual(['2000-01-01', '2000-01-13', '2001-02-03', '2002-07-04']);
    expect(at('iso_zoned')).toEqual(['2000-01-01T12:00:00.000Z', '2000-01-01T10:00:00.000Z', '2001-02-03T09:05:06.000Z', '2002-07-04T00:00:00.000Z']); // zones → UTC
    expect(at('no_seconds').slice(0, 2)).toEqual(['2000-01-01T12:00:00.000Z', '2000-01-02T13:30:00.000Z']);
    // The headline: 'Jan 1 2000' and 'Jun 12 1998' are dates, in every month-name form.
    for (const col of ['mon_d_y', 'month_comma', 'd_month', 'd_mon']) expect(day(col)).toEqual(['2000-01-01', '1998-06-12', '1999-12-31', '2002-07-04']);
    // One file, three numeric orders: each column follows its own evidence, not one form for the file.
    expect(day('us')).toEqual(['2000-01-02', '2000-12-13', '2001-03-04', '2002-07-04']);
    expect(day('eu')).toEqual(['2000-02-01', '2000-02-13', '2001-04-03', '2002-07-04']);
    expect(day('dotted')).toEqual(['2000-02-01', '2000-02-13', '2001-04-03', '2002-07-04']);
    expect(day('unsure')).toEqual(['2000-01-02', '2000-03-04', '2001-05-06', '2002-07-08']);
    expect(day('ymd')).toEqual(['2000-01-02', '2000-12-31', '2001-02-03', '2002-07-04']);
    expect(at('created_ts')[0]).toBe('2020-09-13T12:26:40.000Z');
    expect(at('sent_unix_ms')[0]).toBe('2020-09-13T12:26:40.123Z');
    expect(m.preview.first_rows[0].population).toBe(1_500_000_000); // epoch-sized, but its name says nothing of time
    expect(column(m, 'us').note).toMatch(/%m\/%d\/%Y, month first: some second part is above 12/);
    expect(column(m, 'eu').note).toMatch(/%d\/%m\/%Y, day first: some first part is above 12/);
    expect(column(m, 'unsure').note).toMatch(/no value settles day\/month order .*so month first was assumed/);
    expect(m.source.notes).toContain(column(m, 'unsure').note);
    expect(column(m, 'mon_d_y')).toMatchObject({ text_dates: true, storage_type: 'DATE' });
    expect(column(m, 'iso_day').text_dates).toBeUndefined();
  });

  test('the sample proposes, every row decides: a day above 12 after the sample makes the column day first; a late non-date keeps it text', async () => {
    const ambiguous = Array.from({ length: 6000 }, (_, i) => `${String((i % 12) + 1).padStart(2, '0')}/${String((i % 9) + 1).padStart(2, '0')}/2020`);
    const m = await read('late-evidence.csv', `late_eu,late_text\n${ambiguous.map((d) => `${d},${d}`).join('\n')}\n25/12/2020,not a date\n`);
    expect(typesOf(m)).toMatchObject({ late_eu: 'datetime', late_text: 'categorical' });
    expect(column(m, 'late_eu').note).toMatch(/day first/);
    expect(String(m.preview.first_rows[0].late_eu)).toMatch(/^2020-01-01/);
    expect(String(m.preview.first_rows[1].late_eu)).toMatch(/^2020-02-02/);
  });

  test('dotted dates nothing decides are read day first, and the note says it was assumed', async () => {
    const m = await read('dots.csv', 'when\n01.02.2000\n03.04.2000\n');
    expect(String(m.preview.first_rows[0].when)).toMatch(/^2000-02-01/);
    expect(column(m, 'when').note).toMatch(/%d\.%m\.%Y, no value settles day\/month order .*day first was assumed/);
  });
});

describe('column_types the values defeat', () => {
  test('a datetime type on month-name text reads it with the date styles', async () => {
    const m = await fixture('override.csv', { columnTypes: { day: 'datetime', score: 'float' } });
    expect(typesOf(m)).toMatchObject({ day: 'datetime', score: 'float' });
    expect(m.preview.first_rows.map((r) => String(r.day).slice(0, 10))).toEqual(['2000-01-01', '1998-06-12', '1999-12-31', '2002-07-04', '2003-03-09']);
    expect(m.source.warnings).toEqual([]);
  });

  test('datetime, integer and boolean types that fail on some values keep the raw values and warn, with counts and examples', async () => {
    const m = await fixture('override.csv', { columnTypes: { when: 'datetime', qty: 'integer', ok: 'boolean' } });
    expect(m.preview.first_rows.map((r) => r.when)).toEqual(['Jan 1 2000', 'soon', 'Feb 3 2001', 'later', 'never']); // never emptied
    expect(m.preview.first_rows.map((r) => r.qty)).toEqual([1, 2, 3.5, 4, 5]);
    expect(m.preview.first_rows.map((r) => r.ok)).toEqual(['yes', 'no', 'maybe', 'yes', 'perhaps']);
    expect(typesOf(m)).toMatchObject({ when: 'categorical', qty: 'float', ok: 'categorical' });
    expect(m.source.warnings).toEqual([
      { column: 'when', failed: 3, examples: ['soon', 'later', 'never'], message: "'when' was kept as it was: column_types asked for datetime, but 3 of 5 values do not read as datetime (e.g. 'soon', 'later', 'never')." },
      { column: 'qty', failed: 1, examples: ['3.5'], message: "'qty' was kept as it was: column_types asked for integer, but 1 of 5 values do not read as integer (e.g. '3.5')." },
      { column: 'ok', failed: 2, examples: ['maybe', 'perhaps'], message: "'ok' was kept as it was: column_types asked for boolean, but 2 of 5 values do not read as boolean (e.g. 'maybe', 'perhaps')." },
    ]);
    for (const w of m.source.warnings!) expect(m.source.notes).toContain(w.message);
  });
});

describe('small and messy CSVs', () => {
  test('a tiny ragged file keeps its header and every row: short rows padded, long ones widened into an extra column', async () => {
    const m = await fixture('ragged.csv');
    expect(m.columns.map((c) => c.name)).toEqual(['a', 'b', 'c', 'column_4']);
    expect(m.preview.first_rows).toEqual([{ a: 1, b: 2, c: null, column_4: null }, { a: 3, b: 4, c: 5, column_4: 6 }]);
    expect(m.source.header).toBe(true);
    expect(m.source.notes).toEqual(['1 row had fewer fields than the header; the missing values are empty.',
      "1 row had more fields than the header (up to 4); the extra values are kept in column 'column_4'."]);
  });

  test('title lines, a blank line and # comments above the header, a comment between rows, ragged rows, # inside values', async () => {
    const m = await fixture('messy.csv');
    expect(m.columns.map((c) => c.name)).toEqual(['item', 'region', 'units', 'price', 'column_5']);
    expect(m.rows).toBe(4);
    expect(m.preview.first_rows.map((r) => r.item)).toEqual(['Item #5', 'Item #6', 'Item #7', 'Item #8']);
    expect(m.preview.first_rows[3]).toMatchObject({ units: 6, price: 4.25, column_5: 'clearance' });
    expect(m.preview.first_rows[2]).toMatchObject({ units: 5, price: null });
    expect(typesOf(m)).toMatchObject({ units: 'integer', price: 'float' });
    expect(m.source.notes).toEqual([
      "Skipped 2 lines above the header (a title or notes, such as 'Quarterly sales report').",
      "Skipped 2 comment lines (starting with '#').",
      '1 row had fewer fields than the header; the missing values are empty.',
      "1 row had more fields than the header (up to 5); the extra values are kept in column 'column_5'.",
    ]);
  });

  test('quotes are not ragged rows: an inch mark inside a value, a quoted delimiter, a quoted line break; a ragged row after them is padded', async () => {
    const m = await read('quotes.csv', 'size,label,n\n5,5" screen,1\n7,"quoted, with comma",2\n8,"multi\nline ""quote""",3\n9,short\n');
    expect(m.rows).toBe(4);
    expect(m.preview.first_rows.map((r) => r.label)).toEqual(['5" screen', 'quoted, with comma', 'multi\nline "quote"', 'short']);
    expect(m.preview.first_rows.map((r) => r.n)).toEqual([1, 2, 3, null]);
    expect(m.source.notes).toEqual(['1 row had fewer fields than the header; the missing values are empty.']);
  });

  test('a one-column file whose values hold an odd comma keeps its header; a title line right above a table is skipped', async () => {
    const one = await read('onecol.csv', 'comment\nhello, world\nfoo\nbar\n');
    expect(one.preview.first_rows.map((r) => r.comment)).toEqual(['hello, world', 'foo', 'bar']);
    expect(one.source.notes).toEqual([]);
    const titled = await read('titled.csv', 'Scores by team\nname,score\nann,1\nbob,2\n');
    expect(titled.preview.first_rows).toEqual([{ name: 'ann', score: 1 }, { name: 'bob', score: 2 }]);
  });

  test('a header named # is a header, not a comment', async () => {
    const m = await read('hash.csv', '#,name\n1,a\n2,b\n');
    expect(m.columns.map((c) => c.name)).toEqual(['#', 'name']);
    expect(m.rows).toBe(2);
  });

  test('a ragged row past the first megabyte is repaired too', async () => {
    const body = Array.from({ length: 120_000 }, (_, i) => `${i},${i % 7}`).join('\n');
    const m = await read('late-ragged.csv', `n,k\n${body}\n120000,1,extra\n120001\n`);
    expect(m.rows).toBe(120_002);
    expect(m.columns.map((c) => c.name)).toEqual(['n', 'k', 'column_3']);
    expect(m.source.notes).toEqual(['1 row had fewer fields than the header; the missing values are empty.',
      "1 row had more fields than the header (up to 3); the extra values are kept in column 'column_3'."]);
  });

  test('European numbers with ; delimiters, US thousands separators, TRUE/False/yes/no and Y/N booleans', async () => {
    const m = await fixture('european.csv');
    expect(m.source.delimiter).toBe(';');
    expect(typesOf(m)).toEqual({ product: 'categorical', price: 'float', weight: 'float', us_total: 'float', in_stock: 'boolean', member: 'boolean' });
    expect(m.preview.first_rows.map((r) => r.price)).toEqual([1234.56, 3.2, 12999, 0.99]);
    expect(m.preview.first_rows.map((r) => r.weight)).toEqual([2.5, 0.75, 1.125, 1]);
    expect(m.preview.first_rows.map((r) => r.us_total)).toEqual([1234.56, 12000, 7.5, 100.25]);
    expect(m.preview.first_rows.map((r) => [r.in_stock, r.member])).toEqual([[true, true], [false, false], [true, true], [false, false]]);
    expect(m.source.notes).toContain("'price' holds numbers written with a decimal comma (1.234,56); read as numbers.");
  });
});

describe('bad files end in a clear UNPROCESSABLE_DATASET naming the problem', () => {
  test.each([
    ['empty', 'e.csv', '', /^The file is empty\.$/],
    ['header only', 'h.csv', 'a,b\n', /^The file has a header but no data rows\.$/],
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

test('near-unique strings are identifiers or free text, never categories', () => {
  const f = { name: 'title', storageType: 'VARCHAR', rows: 2390, nonNull: 2390, avgLength: 18 };
  // The films table of the issue: 2,376 titles in 2,390 rows.
  expect(inferColumnType({ ...f, distinct: 2376 })).toBe('identifier');
  expect(inferColumnType({ ...f, distinct: 1300 })).toBe('identifier');
  expect(inferColumnType({ ...f, distinct: 1300, avgLength: 80 })).toBe('text');
  // Values that mostly repeat stay categories, as do small sets.
  expect(inferColumnType({ ...f, distinct: 1000 })).toBe('categorical');
  expect(inferColumnType({ ...f, rows: 60, nonNull: 60, distinct: 45 })).toBe('categorical');
});

test('yes/no words read as booleans keep their commonest spellings, so labels can go back as written', async () => {
  const rows = ['Yes', 'No', 'yes', 'Yes', 'No', 'NO', 'Yes'].map((w, i) => `${i},${w},${i % 2 ? 'TRUE' : 'false'}`);
  const m = await read('spell.csv', ['id,answer,flag', ...rows].join('\n'));
  expect(column(m, 'answer')).toMatchObject({ type: 'boolean', bool_labels: { true: 'Yes', false: 'No' } });
  expect(column(m, 'flag')).toMatchObject({ type: 'boolean', bool_labels: { true: 'TRUE', false: 'false' } });
  expect(column(m, 'id').bool_labels).toBeUndefined();
});
