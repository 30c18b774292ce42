import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Env } from './env.js';

/** Shortest secret accepted from `JWT_SECRET`: HS256 wants at least 256 bits of key. */
export const MIN_SECRET_LENGTH = 32;

const cache = new Map<string, string>();

/**
 * The secret that signs tokens and download links: `JWT_SECRET` when set, otherwise a random one made on
 * first start and kept in `DATA_DIR/secrets/jwt-secret` (mode 0600), so no secret in the source is ever live.
 * Processes sharing `DATA_DIR` share the file; the first to start writes it, the others read it.
 * @example tokenService(jwtSecretOf(env), env.JWT_TTL_S)
 */
export function jwtSecretOf(env: Pick<Env, 'JWT_SECRET' | 'DATA_DIR'>): string {
  if (env.JWT_SECRET) return env.JWT_SECRET;
  const file = path.join(env.DATA_DIR, 'secrets', 'jwt-secret');
  const known = cache.get(file);
  if (known) return known;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': of two processes starting together, exactly one writes; the other reads what it wrote.
    fs.writeFileSync(file, randomBytes(48).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = readWhenWritten(file);
  cache.set(file, secret);
  return secret;
}

// The writer may still be between open and write; a few short waits cover it.
function readWhenWritten(file: string): string {
  for (let i = 0; i < 50; i++) {
    const s = fs.readFileSync(file, 'utf8').trim();
    if (s.length >= MIN_SECRET_LENGTH) return s;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  throw new Error(`Invalid configuration: ${file} holds no usable secret; delete it to have a new one made, or set JWT_SECRET.`);
}
