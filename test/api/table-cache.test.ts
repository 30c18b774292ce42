import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { TableCache } from '../../api/table-cache.js';
import { FsStorage } from '../../storage/fs-storage.js';

/** A file-system store that counts downloads. */
function countingStore() {
  const storage = new FsStorage(fs.mkdtempSync(path.join(os.tmpdir(), 'assay-fs-')), 's', () => 'http://x');
  const downloads: string[] = [];
  const getToFile = storage.getToFile.bind(storage);
  storage.getToFile = async (key, file) => { downloads.push(key); return getToFile(key, file); };
  return { storage, downloads };
}

test('a table is downloaded once for many requests, at once or one after another, and read from the copy', async () => {
  const { storage, downloads } = countingStore();
  await storage.put('t/a.parquet', 'A'.repeat(100));
  const cache = new TableCache(storage, 1000);
  const read = (k: string) => cache.use(k, async (file) => fs.readFileSync(file, 'utf8'));
  expect(await Promise.all([read('t/a.parquet'), read('t/a.parquet')])).toEqual(['A'.repeat(100), 'A'.repeat(100)]);
  expect(await read('t/a.parquet')).toBe('A'.repeat(100));
  expect(downloads).toEqual(['t/a.parquet']);
});

test('past its size the least recently used copies go, never one being read; a failed download is tried again', async () => {
  const { storage, downloads } = countingStore();
  for (const k of ['a', 'b', 'c']) await storage.put(`t/${k}`, k.repeat(400));
  const cache = new TableCache(storage, 1000);
  const read = (k: string) => cache.use(`t/${k}`, async (file) => fs.readFileSync(file, 'utf8').length);
  await read('a'); await read('b'); await read('a'); // b is now the least recently used
  await read('c');
  expect(cache.bytes).toBe(800);
  await read('a'); await read('c');
  expect(downloads).toEqual(['t/a', 't/b', 't/c']);
  await read('b');
  expect(downloads.at(-1)).toBe('t/b');
  // A copy being read stays even when the cache is over its size meanwhile.
  let inUse = '';
  await cache.use('t/a', async (file) => { inUse = file; await read('b'); await read('c'); expect(fs.existsSync(file)).toBe(true); return 0; });
  expect(cache.bytes).toBeLessThanOrEqual(1000);
  expect(inUse).not.toBe('');
  await expect(read('missing')).rejects.toThrow();
  await storage.put('t/missing', 'x');
  expect(await read('missing')).toBe(1);
});

test('with a size of 0 nothing is kept: every request downloads its own copy and removes it', async () => {
  const { storage, downloads } = countingStore();
  await storage.put('t/a', 'abc');
  const cache = new TableCache(storage, 0);
  let seen = '';
  expect(await cache.use('t/a', async (file) => { seen = file; return fs.readFileSync(file, 'utf8'); })).toBe('abc');
  expect(await cache.use('t/a', async (file) => fs.readFileSync(file, 'utf8'))).toBe('abc');
  expect(downloads).toHaveLength(2);
  expect(fs.existsSync(seen)).toBe(false);
});
