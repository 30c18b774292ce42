/** A signed, expiring link to one stored object. */
export interface SignedUrl { url: string; expires_at: string }

/**
 * Where datasets and artifacts live. Two implementations: the local filesystem (HMAC-signed links
 * served by the API) and S3-compatible object stores (presigned links). Keys are '/'-separated and
 * always built by Assay, never taken from a client's path.
 */
export interface Storage {
  readonly kind: 'fs' | 's3';
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<{ size: number }>;
  putFile(key: string, filePath: string, contentType?: string): Promise<{ size: number }>;
  get(key: string): Promise<Buffer>;
  getToFile(key: string, filePath: string): Promise<void>;
  /** Copies one stored object to another key inside the store (server-side on S3: no download). */
  copy(fromKey: string, toKey: string): Promise<{ size: number }>;
  exists(key: string): Promise<boolean>;
  list(prefix: string): Promise<{ key: string; size: number }[]>;
  delete(key: string): Promise<void>;
  deletePrefix(prefix: string): Promise<void>;
  presign(key: string, opts: { expiresInS: number; filename?: string; contentType?: string }): Promise<SignedUrl>;
  /** Throws when the store cannot be reached (for /health). */
  check(): Promise<void>;
}

/** Whether a storage key is relative, without `.`/`..` segments, backslashes or NULs. */
export const isSafeKey = (key: string): boolean =>
  !(!key || key.startsWith('/') || key.split('/').some((p) => p === '..' || p === '.' || p === '') || key.includes('\\') || key.includes('\0'));

/** Refuses keys that could escape the store's root. */
export function assertSafeKey(key: string): void {
  if (!isSafeKey(key)) {
    throw new Error(`Invalid storage key '${key}'.`);
  }
}
