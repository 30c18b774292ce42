// The common values a question needs are gathered once per dataset and reused: askDataset takes them as given.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sqlString, withDuck } from '../../../analysis/duck.js';
import { askDataset, READER_VERSION } from '../../../analysis/nlq/run.js';
import { askContextCache } from '../../../api/ask-context.js';

let dir: string;
let parquet: string;
const columns = [{ name: 'region', type: 'categorical', storage_type: 'VARCHAR' }, { name: 'units', type: 'integer', storage_type: 'BIGINT' }];

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'nlq-context-'));
  parquet = path.join(dir, 'data.parquet');
  await withDuck((conn) => conn.run(`COPY (SELECT * FROM (VALUES ('North', 1), ('North', 2), ('South', 5)) t(region, units)) TO ${sqlString(parquet)} (FORMAT parquet)`));
});
afterAll(async () => { await fsp.rm(dir, { recursive: true, force: true }); });

describe('askDataset and the common values', () => {
  test('without a context it reads the values from the data and hands them back', async () => {
    const r = await askDataset({ parquet, columns, question: 'total units in the north region', timeoutMs: 10_000 });
    expect(r.kind).toBe('answer');
    if (r.kind !== 'answer') return;
    expect(r.rows).toEqual([{ sum_units: 3 }]);
    expect(r.context.find((c) => c.name === 'region')!.categories).toEqual(['North', 'South']);
  });

  test('with a context it uses the values given instead of reading them again', async () => {
    // A context naming a value the data lacks shows it was used as given: "west" is read as a filter on it.
    const context = [{ ...columns[0], categories: ['North', 'South', 'West'] }, columns[1]];
    const r = await askDataset({ parquet, columns, question: 'total units in the west region', timeoutMs: 10_000, context });
    expect(r.kind).toBe('answer');
    if (r.kind !== 'answer') return;
    expect(r.query.filters).toEqual([{ column: 'region', op: '=', value: 'West' }]);
    expect(r.rows).toEqual([{ sum_units: null }]);
    expect(r.context).toBe(context);
  });

  test('a refusal after the values were read hands them back too', async () => {
    const r = await askDataset({ parquet, columns, question: 'what is the meaning of life', timeoutMs: 10_000 });
    expect(r.kind).toBe('refused');
    if (r.kind === 'refused') expect(r.context?.find((c) => c.name === 'region')!.categories).toEqual(['North', 'South']);
  });
});

describe('the per-dataset cache', () => {
  test('keyed by dataset, bytes and columns as read, least recently used out first', () => {
    const cache = askContextCache(2);
    const a = { id: 'a', sha256: 'x', columns }, b = { id: 'b', sha256: 'y', columns }, c = { id: 'c', sha256: 'z', columns };
    cache.set(a, columns);
    expect(cache.get(a)).toBe(columns);
    expect(cache.get({ ...a, sha256: 'changed' })).toBeUndefined();
    expect(cache.get({ ...a, columns: [{ ...columns[0], type: 'text' }, columns[1]] })).toBeUndefined(); // re-read, typed differently
    cache.set(b, []);
    cache.get(a); // a is now the most recently used
    cache.set(c, []);
    expect(cache.size).toBe(2);
    expect(cache.get(b)).toBeUndefined();
    expect(cache.get(a)).toBe(columns);
    expect(READER_VERSION).toBeGreaterThanOrEqual(2);
  });
});
