import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Storage } from '../storage/storage.js';

interface Entry { file: string; size: number; users: number; ready: Promise<void> }

/**
 * Local copies of datasets' normalised tables, kept between requests so a second question of a dataset reads the
 * disk instead of downloading the table again. Safe to keep: a table's key names its upload's content hash, its
 * read options and the reader's version, so the object under a key never changes. Least recently used copies
 * are deleted past `maxBytes` (never one a request is reading); the folder goes when the process exits.
 */
export class TableCache {
  private readonly entries = new Map<string, Entry>(); // insertion order = least recently used first
  private dir: string | undefined;

  constructor(private readonly storage: Storage, private readonly maxBytes: number) {}

  /**
   * Runs `fn` with a local path of the object under `key`, downloading it unless a copy is kept.
   * @example const rows = await cache.use(keys.parquet, (file) => readRows(file));
   */
  async use<T>(key: string, fn: (file: string) => Promise<T>): Promise<T> {
    if (this.maxBytes <= 0) return this.once(key, fn);
    let e = this.entries.get(key);
    if (e) this.entries.delete(key);
    else {
      const file = path.join(this.folder(), `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.bin`);
      const entry: Entry = { file, size: 0, users: 0, ready: Promise.resolve() };
      entry.ready = this.storage.getToFile(key, file).then(async () => { entry.size = (await fsp.stat(file)).size; });
      // A failed download is forgotten (and its partial file removed) so the next request tries again.
      entry.ready.catch(() => { if (this.entries.get(key) === entry) this.entries.delete(key); void fsp.rm(file, { force: true }); });
      e = entry;
    }
    this.entries.set(key, e);
    e.users++;
    try {
      await e.ready;
      return await fn(e.file);
    } finally {
      e.users--;
      await this.evict();
    }
  }

  /** Bytes of the copies kept now. */
  get bytes(): number { let n = 0; for (const e of this.entries.values()) n += e.size; return n; }

  private async once<T>(key: string, fn: (file: string) => Promise<T>): Promise<T> {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'assay-table-'));
    try {
      const file = path.join(dir, 'table.bin');
      await this.storage.getToFile(key, file);
      return await fn(file);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }

  private folder(): string {
    if (!this.dir) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-table-cache-'));
      process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
      this.dir = dir;
    }
    return this.dir;
  }

  private async evict(): Promise<void> {
    let total = this.bytes;
    for (const [key, e] of this.entries) {
      if (total <= this.maxBytes) break;
      if (e.users > 0) continue;
      this.entries.delete(key);
      total -= e.size;
      await fsp.rm(e.file, { force: true });
    }
  }
}
