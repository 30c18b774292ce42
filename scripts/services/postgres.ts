import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, startProcess, waitForPort, type Service } from './process.js';

function pgBin(name: string): string {
  for (const dir of [process.env.PG_BIN, '/usr/lib/postgresql/15/bin', ...(process.env.PATH ?? '').split(':')]) {
    if (dir && fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  throw new Error(`PostgreSQL's ${name} not found: install PostgreSQL 15 (apt-get install postgresql) or set PG_BIN`);
}

/** Postgres refuses to run as root; as root we run it as the `postgres` user. */
const asPgUser = (cmd: string, args: string[]): [string, string[]] =>
  process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];

/**
 * Starts a throwaway PostgreSQL cluster of our own in `dir` on a free port, with database `assay`.
 * @returns the service and its connection URL
 */
export async function startPostgres(dir: string): Promise<Service & { url: string }> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres', dir]);
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  const [initCmd, initArgs] = asPgUser(pgBin('initdb'), ['-D', data, '-U', 'assay', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  execFileSync(initCmd, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  const [cmd, args] = asPgUser(pgBin('postgres'), ['-D', data, '-p', String(port), '-k', dir, '-h', '127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200']);
  const svc = startProcess('postgres', cmd, args, { logFile: path.join(dir, 'postgres.log') });
  await waitForPort(port, 30_000, 'PostgreSQL', svc.child);
  const base = `postgres://assay@127.0.0.1:${port}`;
  // The server accepts TCP a moment before it accepts queries: retry creating the database briefly.
  const { default: pg } = await import('pg');
  for (let i = 0; ; i++) {
    const client = new pg.Client({ connectionString: `${base}/postgres` });
    try {
      await client.connect();
      await client.query('CREATE DATABASE assay');
      await client.end();
      break;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (i > 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { ...svc, url: `${base}/assay`, stop: async () => { await svc.stop(); fs.rmSync(dir, { recursive: true, force: true }); } };
}
