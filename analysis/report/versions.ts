import fs from 'node:fs';
import path from 'node:path';
import { APP_ROOT as ROOT } from '../../config/app-root.js';

const PACKAGES = ['@duckdb/node-api', '@temporalio/worker', 'vega', 'vega-lite', 'puppeteer-core'];

const versionOf = (dir: string): string => {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
};

let cached: Record<string, string> | null = null;

/** Assay's version and the versions of the engines that shaped a report, for its reproducibility footer. */
export function softwareVersions(): Record<string, string> {
  cached ??= {
    assay: versionOf(ROOT), node: process.versions.node,
    ...Object.fromEntries(PACKAGES.map((p) => [p, versionOf(path.join(ROOT, 'node_modules', p))])),
  };
  return cached;
}
