import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** '.ts' when running from the sources under tsx, '.js' when compiled to dist/: for files loaded by path. */
export const CODE_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'assay') return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

/** The folder with Assay's package.json and node_modules, whether the code runs from the sources or from dist/. */
export const APP_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/** Assay's version, from its package.json. */
export const APP_VERSION: string = (JSON.parse(fs.readFileSync(path.join(APP_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
