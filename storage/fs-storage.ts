import { createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { assertSafeKey, type SignedUrl, type Storage } from './storage.js';

const sign = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
const payloadOf = (key: string, exp: number, filename: string) => `${key}\n${exp}\n${filename}`;

/**
 * Checks a signed download link's signature and expiry.
 * @returns 'ok', 'expired' or 'invalid'
 */
export function verifySignedDownload(secret: string, key: string, exp: number, filename: string, sig: string): 'ok' | 'expired' | 'invalid' {
  const expected = Buffer.from(sign(secret, payloadOf(key, exp, filename)));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  return Date.now() / 1000 > exp ? 'expired' : 'ok';
}

/** Local-disk storage under `root`, with download links the API verifies at `/files/...`. */
export class FsStorage implements Storage {
  readonly kind = 'fs' as const;
  constructor(private readonly root: string, private readonly secret: string, private readonly publicUrl: () => string) {}

  private file(key: string) { assertSafeKey(key); return path.join(this.root, ...key.split('/')); }

  async put(key: string, body: Uint8Array | string) {
    const f = this.file(key);
    await fs.mkdir(path.dirname(f), { recursive: true });
    // Write then rename, so a reader never sees half a file.
    const tmp = `${f}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(tmp, body);
    await fs.rename(tmp, f);
    return { size: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength };
  }
  async putFile(key: string, filePath: string) {
    const f = this.file(key);
    await fs.mkdir(path.dirname(f), { recursive: true });
    const tmp = `${f}.${process.pid}.${Date.now()}.tmp`;
    await fs.copyFile(filePath, tmp);
    await fs.rename(tmp, f);
    return { size: (await fs.stat(f)).size };
  }
  async copy(fromKey: string, toKey: string) { return this.putFile(toKey, this.file(fromKey)); }
  async get(key: string) { return fs.readFile(this.file(key)); }
  /** A read stream, so large downloads are not buffered in memory. */
  openRead(key: string) { return createReadStream(this.file(key)); }
  async getToFile(key: string, filePath: string) { await fs.copyFile(this.file(key), filePath); }
  async exists(key: string) { return fs.access(this.file(key)).then(() => true, () => false); }
  async list(prefix: string) {
    const base = path.join(this.root, ...prefix.split('/').filter(Boolean));
    const out: { key: string; size: number }[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (!e.name.endsWith('.tmp')) {
          // A file deleted between readdir and stat (a concurrent deletePrefix) is simply no longer listed.
          const st = await fs.stat(full).catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return null; throw err; });
          if (st) out.push({ key: path.relative(this.root, full).split(path.sep).join('/'), size: st.size });
        }
      }
    };
    await walk(base);
    return out.filter((o) => o.key.startsWith(prefix)).sort((a, b) => a.key.localeCompare(b.key));
  }
  async delete(key: string) { await fs.rm(this.file(key), { force: true }); }
  async deletePrefix(prefix: string) {
    assertSafeKey(prefix.replace(/\/$/, ''));
    await fs.rm(path.join(this.root, ...prefix.split('/').filter(Boolean)), { recursive: true, force: true });
  }
  async presign(key: string, opts: { expiresInS: number; filename?: string }): Promise<SignedUrl> {
    assertSafeKey(key);
    const exp = Math.floor(Date.now() / 1000) + opts.expiresInS;
    const filename = opts.filename ?? key.split('/').pop()!;
    const sig = sign(this.secret, payloadOf(key, exp, filename));
    const q = new URLSearchParams({ key, exp: String(exp), filename, sig });
    return { url: `${this.publicUrl()}/files?${q}`, expires_at: new Date(exp * 1000).toISOString() };
  }
  /** Checks a link this store signed (see `presign`), with the key it holds, so callers never re-derive it. */
  verifyLink(key: string, exp: number, filename: string, sig: string) { return verifySignedDownload(this.secret, key, exp, filename, sig); }
  async check() { await fs.mkdir(this.root, { recursive: true }); await fs.access(this.root); }
}
