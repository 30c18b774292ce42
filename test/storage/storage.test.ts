import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { FsStorage, verifySignedDownload } from '../../storage/fs-storage.js';
import { storageBackends } from '../helpers/backends.js';

describe.each(storageBackends)('storage on $name', ({ open }) => {
  const storage = open();
  const prefix = `t/${randomUUID()}/`;

  test('put, get, exists and list round-trip', async () => {
    await storage.put(`${prefix}a.json`, '{"x":1}', 'application/json');
    await storage.put(`${prefix}sub/b.bin`, new Uint8Array([1, 2, 3]));
    expect((await storage.get(`${prefix}a.json`)).toString()).toBe('{"x":1}');
    expect(await storage.exists(`${prefix}a.json`)).toBe(true);
    expect(await storage.exists(`${prefix}missing`)).toBe(false);
    expect(await storage.list(prefix)).toEqual([{ key: `${prefix}a.json`, size: 7 }, { key: `${prefix}sub/b.bin`, size: 3 }]);
  });

  test('putFile and getToFile move whole files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'st-'));
    const src = path.join(dir, 'src.bin');
    fs.writeFileSync(src, Buffer.alloc(300_000, 7));
    expect((await storage.putFile(`${prefix}big.bin`, src)).size).toBe(300_000);
    await storage.getToFile(`${prefix}big.bin`, path.join(dir, 'out.bin'));
    expect(fs.readFileSync(path.join(dir, 'out.bin')).equals(fs.readFileSync(src))).toBe(true);
  });

  test('delete and deletePrefix remove objects', async () => {
    await storage.put(`${prefix}d/1`, 'a');
    await storage.put(`${prefix}d/2`, 'b');
    await storage.delete(`${prefix}d/1`);
    expect(await storage.exists(`${prefix}d/1`)).toBe(false);
    await storage.deletePrefix(`${prefix}d/`);
    expect(await storage.list(`${prefix}d/`)).toEqual([]);
  });

  test('keys that could escape the store are refused', async () => {
    for (const bad of ['../x', '/abs', 'a/../b', 'a//b', '']) await expect(storage.put(bad, 'x')).rejects.toThrow(/Invalid storage key/);
  });

  test('presigned links carry an expiry and, for S3, download without credentials', async () => {
    await storage.put(`${prefix}dl.txt`, 'hello');
    const link = await storage.presign(`${prefix}dl.txt`, { expiresInS: 60, filename: 'dl.txt' });
    expect(new Date(link.expires_at).getTime()).toBeGreaterThan(Date.now());
    if (storage.kind === 's3') {
      const res = await fetch(link.url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('hello');
    } else {
      const u = new URL(link.url);
      const q = Object.fromEntries(u.searchParams);
      expect(verifySignedDownload('test-secret', q.key, Number(q.exp), q.filename, q.sig)).toBe('ok');
      expect(verifySignedDownload('test-secret', q.key, Number(q.exp), q.filename, `${q.sig.slice(0, -1)}x`)).toBe('invalid');
      expect(verifySignedDownload('test-secret', `${q.key}x`, Number(q.exp), q.filename, q.sig)).toBe('invalid');
    }
  });

  test('check() succeeds against a reachable store', async () => {
    await expect(storage.check()).resolves.toBeUndefined();
  });
});

test('filesystem links expire', async () => {
  const s = new FsStorage(fs.mkdtempSync(path.join(os.tmpdir(), 'st-')), 'k', () => 'http://x');
  const link = await s.presign('a/b', { expiresInS: -1 });
  const q = Object.fromEntries(new URL(link.url).searchParams);
  expect(verifySignedDownload('k', q.key, Number(q.exp), q.filename, q.sig)).toBe('expired');
});

test('listing the disk store while a prefix is deleted lists what is left instead of failing on a vanished file', async () => {
  const s = new FsStorage(fs.mkdtempSync(path.join(os.tmpdir(), 'st-')), 'k', () => 'http://x');
  for (let round = 0; round < 5; round++) {
    await Promise.all(Array.from({ length: 200 }, (_, i) => s.put(`job/chunks/${String(i).padStart(6, '0')}.parquet`, 'x')));
    const [listed] = await Promise.all([s.list('job/'), s.deletePrefix('job/chunks/')]);
    expect(listed.length).toBeLessThanOrEqual(200);
    for (const o of listed) expect(o).toMatchObject({ key: expect.stringMatching(/^job\/chunks\/\d{6}\.parquet$/), size: 1 });
    expect(await s.list('job/')).toEqual([]);
  }
});
