// Builds the web app (web/, Vite + Preact) into the folder the API serves. Called by `npm start`, `npm run build`
// and the test setup; skipped when the sources have not changed since the last build (a hash of them is kept).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where the built app lands; `api/web-app.ts` serves it. */
export const WEB_OUT = path.join(ROOT, 'dist', 'web-app');
const SOURCES = [path.join(ROOT, 'web'), path.join(ROOT, 'client')];
const STAMP = '.source-hash';

function* files(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else yield p;
  }
}

/** A hash of every source file the bundle is made of (names and contents). */
export function webSourceHash(): string {
  const h = createHash('sha256');
  for (const dir of SOURCES) for (const f of files(dir)) h.update(path.relative(ROOT, f)).update('\0').update(fs.readFileSync(f));
  return h.digest('hex');
}

/**
 * Builds the app into `outDir` unless a build of the same sources is already there.
 * @returns whether a build ran
 * @example await buildWeb(); // then the API serves dist/web-app at /
 */
export async function buildWeb(o: { outDir?: string; force?: boolean } = {}): Promise<boolean> {
  const outDir = o.outDir ?? WEB_OUT;
  const hash = webSourceHash();
  const stamp = path.join(outDir, STAMP);
  if (!o.force && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash && fs.existsSync(path.join(outDir, 'index.html'))) return false;
  const [{ build }, { default: preact }] = await Promise.all([import('vite'), import('@preact/preset-vite')]);
  // Built beside the final folder and renamed in, so an API serving the old build never sees half a new one.
  const tmp = `${outDir}.tmp-${process.pid}`;
  // A production bundle whatever NODE_ENV the caller runs under: Vite and the Preact preset read it, and under the
  // tests' 'test' they would ship Preact's devtools hooks (78 kB instead of 49 kB).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: path.join(ROOT, 'web'), configFile: false, logLevel: 'warn', base: '/', mode: 'production',
      plugins: [preact()],
      build: { outDir: tmp, emptyOutDir: true, assetsDir: 'assets', sourcemap: true, target: 'es2022', modulePreload: { polyfill: false } },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  fs.writeFileSync(path.join(tmp, STAMP), hash);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(tmp, outDir);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const built = await buildWeb({ force: process.argv.includes('--force') });
  console.log(`${path.relative(ROOT, WEB_OUT)}: ${built ? `built in ${Date.now() - started} ms` : 'already current'}`);
}
