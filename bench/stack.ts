// The services a load bench runs against: its own Temporal dev server and PostgreSQL, and Assay's API and
// workers as child processes (so each one's CPU is its own), all stopped on exit or Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres } from '../scripts/services/postgres.js';
import { freePort, waitForPort } from '../scripts/services/process.js';
import { startTemporalDevServer } from '../scripts/services/temporal-dev-server.js';

export interface BenchStack {
  dir: string;
  base: string;
  env: Record<string, string>;
  temporalAddress: string;
  /** Starts `script` (api/main.ts, worker/main.ts) as a child with the stack's env plus `extra`, logging to `<name>.log`. */
  spawnNode: (name: string, script: string, extra?: Record<string, string>, cwd?: string) => ChildProcess;
  /** Spawns the API and waits for its port. */
  startApi: (cwd?: string) => Promise<ChildProcess>;
  /** The tails of the children's logs, for a bench that failed. */
  logTails: () => string;
  cleanup: () => Promise<void>;
}

/** Brings the services up; `env` is added to every child's environment. */
export async function benchStack(name: string, env: Record<string, string> = {}): Promise<BenchStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
  const children: { name: string; child: ChildProcess }[] = [];
  const stops: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.all(children.map(({ child }) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : undefined)));
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // Ctrl-C still stops the servers and children this bench started.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { void cleanup().finally(() => process.exit(130)); });
  const [temporal, pg] = await Promise.all([
    freePort().then((port) => startTemporalDevServer({ port, logFile: path.join(dir, 'temporal.log') })),
    // Its own folder straight under tmp: as root, Postgres runs as `postgres`, which may not enter ours (mode 0700).
    startPostgres(fs.mkdtempSync(path.join(os.tmpdir(), `bench-${name}-pg-`))),
  ]);
  stops.push(temporal.stop, pg.stop);
  const port = await freePort();
  const base = { NODE_ENV: 'production', PORT: String(port), DATA_DIR: path.join(dir, 'data'), DATABASE_URL: pg.url, TEMPORAL_ADDRESS: temporal.address,
    TASK_QUEUE_PREFIX: `bench-${randomUUID().slice(0, 8)}-`, JWT_SECRET: `${randomUUID()}${randomUUID()}`, LOG_LEVEL: 'warn', ...env };
  const spawnNode = (child: string, script: string, extra: Record<string, string> = {}, cwd = process.cwd()) => {
    const out = fs.openSync(path.join(dir, `${child}.log`), 'a');
    const c = spawn(process.execPath, ['--import', 'tsx', script], { cwd, env: { ...process.env, ...base, ...extra }, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    children.push({ name: child, child: c });
    return c;
  };
  return {
    dir, base: `http://127.0.0.1:${port}`, env: base, temporalAddress: temporal.address, spawnNode, cleanup,
    startApi: async (cwd) => { const api = spawnNode('api', 'api/main.ts', {}, cwd); await waitForPort(port, 60_000, 'API', api); return api; },
    logTails: () => children.map(({ name: n }) => {
      const log = path.join(dir, `${n}.log`);
      return fs.existsSync(log) ? `--- ${n}.log (tail)\n${fs.readFileSync(log, 'utf8').split('\n').slice(-30).join('\n')}` : '';
    }).join('\n'),
  };
}
