import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { APP_ROOT } from '../config/app-root.js';

/** Scalar's browser bundle in the dev dependency (what `npm run build` copies beside the compiled API). */
export const SCALAR_BUNDLE_SOURCE = 'node_modules/@scalar/api-reference/dist/browser/standalone.js';
/** Where the compiled API finds the bundle: the image has no dev dependencies. */
export const SCALAR_BUNDLE_DIST = 'api/web/scalar.js';

/** The bundle beside this code (dist/) when there is one, else the one in node_modules (running the sources). */
function bundlePath(): string {
  const beside = fileURLToPath(new URL('./web/scalar.js', import.meta.url));
  return fs.existsSync(beside) ? beside : path.join(APP_ROOT, SCALAR_BUNDLE_SOURCE);
}

export interface StaticScript { body: Buffer; gzip: Buffer; etag: string }

let cached: StaticScript | null = null;

/**
 * The /docs viewer's script, read and gzipped once on first use (3.5 MB → about 1 MB) and kept: the docs page is
 * rare, but each visit after the first costs nothing.
 * @throws when the bundle is missing (a build that did not run `scripts/build-assets.ts`)
 */
export function scalarBundle(): StaticScript {
  if (cached) return cached;
  const body = fs.readFileSync(bundlePath());
  cached = { body, gzip: gzipSync(body, { level: 6 }), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
  return cached;
}
