import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { DataError } from '../../../analysis/errors.js';
import { detectFormat } from '../../../analysis/ingest/formats.js';
import { readTable } from '../../../analysis/ingest/read-table.js';
import { inferColumnType } from '../../../analysis/ingest/column-types.js';
import { VEGA } from '../../helpers/client.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-'));
const write = (name: string, content: string | Buffer) => { const p = path.join(tmp, name); fs.writeFileSync(p, content); return p; };

describe('readTable', () => {
  test('infers integer, float, boolean, datetime, categorical and identifier columns from a CSV', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i + 1},${i % 7},${(i * 1.5).toFixed(2)},${i % 2 === 0},2024-01-${String((i % 28) + 1).padStart(2, '0')},${['red', 'green', 'blue'][i % 3]},note number ${i} with plenty of words to be free text really`);
    const file = write('types.csv', `customer_id,count,amount,active,signup,colour,comment\n${rows.join('\n')}\n`);
    const m = await readTable({ inputPath: file, format: 'csv' });
    expect(m.rows).toBe(200);
    expect(Object.fromEntries(m.columns.map((c) => [c.name, c.type]))).toEqual({
      customer_id: 'identifier', count: 'integer', amount: 'float', active: 'boolean', signup: 'datetime', colour: 'categorical', comment: 'text',
    });
  });

  test('writes a normalised Parquet copy that reads back the same', async () => {
    const out = path.join(tmp, 'cars.parquet');
    const m = await readTable({ inputPath: VEGA('cars.json'), format: 'json', parquetOut: out });
    expect(fs.readFileSync(out).subarray(0, 4).toString()).toBe('PAR1');
    const again = await readTable({ inputPath: out, format: 'parquet' });
    expect(again.rows).toBe(m.rows);
    expect(again.columns).toEqual(m.columns);
  });

  test('reads TSV and NDJSON', async () => {
    expect((await readTable({ inputPath: VEGA('unemployment.tsv'), format: 'tsv' })).columns.map((c) => c.name)).toEqual(['id', 'rate']);
    const nd = write('x.ndjson', '{"a":1,"b":"x"}\n{"a":2,"b":"y"}\n');
    expect((await readTable({ inputPath: nd, format: 'ndjson' })).rows).toBe(2);
  });

  test.each([
    ['header only', 'h.csv', 'a,b\n', 'csv', /header but no data rows/],
    ['ragged rows', 'r.csv', 'a,b\n1,2\n3,4,5,6\n7\n', 'csv', /could not be read/],
  ] as const)('%s fails with a DataError naming the problem', async (_n, name, content, format, why) => {
    const err = await readTable({ inputPath: write(name, content), format }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toMatch(why);
  });
});

describe('detectFormat', () => {
  test('follows the extension and checks the content', () => {
    expect(detectFormat('a.csv', Buffer.from('a,b'))).toBe('csv');
    expect(detectFormat('a.json', Buffer.from('\uFEFF[{"a":1}]'))).toBe('json');
    expect(detectFormat('a.json', Buffer.from('{"a":1}\n'))).toBe('ndjson');
    expect(() => detectFormat('a.csv', Buffer.alloc(0))).toThrow(/empty/);
    expect(() => detectFormat('a.csv', Buffer.from([1, 0, 2]))).toThrow(/binary/);
    expect(() => detectFormat('a.xls', Buffer.from('x'))).toThrow(/cannot be read/);
  });
});

test('inferColumnType keeps ids out of numbers only when named and unique', () => {
  const f = { rows: 100, nonNull: 100, avgLength: null };
  expect(inferColumnType({ ...f, name: 'user_id', storageType: 'BIGINT', distinct: 100 })).toBe('identifier');
  expect(inferColumnType({ ...f, name: 'age', storageType: 'BIGINT', distinct: 100 })).toBe('integer');
  expect(inferColumnType({ ...f, name: 'user_id', storageType: 'BIGINT', distinct: 10 })).toBe('integer');
});
