import fs from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../workflows/definitions.js';
import { findExecutable, startProcess, waitForPort, type Service } from './process.js';

/** Dynamic config for the dev server, kept in temporal-config/ beside the cluster's file. */
function dynamicConfigArgs(): string[] {
  const file = path.resolve('temporal-config/dev-server.json');
  if (!fs.existsSync(file)) return [];
  const values = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  return Object.entries(values).flatMap(([k, v]) => ['--dynamic-config-value', `${k}=${JSON.stringify(v)}`]);
}

/** Arguments registering Assay's search attributes, so runs can be filtered in the Web UI. */
export const searchAttributeArgs = () => Object.values(SEARCH_ATTRIBUTES).flatMap((name) => ['--search-attribute', `${name}=Keyword`]);

/**
 * Starts `temporal server start-dev` with its state in `dbFile` (durable across restarts) and waits for it.
 * @example const t = await startTemporalDevServer({ port: 7233, uiPort: 8233, dbFile: 'data/temporal.db', logFile: 'data/temporal.log' });
 */
export async function startTemporalDevServer(o: { port: number; uiPort?: number; dbFile?: string; logFile: string }): Promise<Service & { address: string }> {
  const bin = findExecutable('temporal', 'TEMPORAL_CLI');
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--log-level', 'warn', ...searchAttributeArgs(), ...dynamicConfigArgs()];
  if (o.dbFile) { fs.mkdirSync(path.dirname(o.dbFile), { recursive: true }); args.push('--db-filename', o.dbFile); }
  if (o.uiPort) args.push('--ui-port', String(o.uiPort)); else args.push('--headless');
  const svc = startProcess('temporal', bin, args, { logFile: o.logFile });
  await waitForPort(o.port, 60_000, 'Temporal dev server', svc.child);
  return { ...svc, address: `127.0.0.1:${o.port}` };
}
