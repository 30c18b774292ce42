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

/** A cluster of our own; `halt()` and `resume()` restart it on the same data and port, as an operator would. */
export interface PostgresServer extends Service {
  url: string; port: number; dir: string;
  /** Fast shutdown (sessions disconnected, data kept). */
  halt: () => Promise<void>;
  /** Starts the cluster again on its data directory and port, once it answers queries. */
  resume: () => Promise<void>;
}

/** Runs the postmaster on the cluster in `dir` and waits until it answers a query on `database`. */
async function runCluster(dir: string, port: number, database: string): Promise<Service> {
  const [cmd, args] = asPgUser(pgBin('postgres'), ['-D', path.join(dir, 'data'), '-p', String(port), '-k', dir, '-h', '127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200']);
  const svc = startProcess('postgres', cmd, args, { logFile: path.join(dir, 'postgres.log') });
  await waitForPort(port, 30_000, 'PostgreSQL', svc.child);
  // The server accepts TCP a moment before it accepts queries (and longer after a crash: recovery).
  const { default: pg } = await import('pg');
  for (let i = 0; ; i++) {
    const client = new pg.Client({ connectionString: `postgres://assay@127.0.0.1:${port}/${database}` });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return svc;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Starts a throwaway PostgreSQL cluster of our own in `dir` on a free port, with database `assay`.
 * @returns the service, its connection URL, and halt/resume for restarts on the same data
 */
export async function startPostgres(dir: string): Promise<PostgresServer> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres', dir]);
  fs.chmodSync(dir, 0o755);
  const [initCmd, initArgs] = asPgUser(pgBin('initdb'), ['-D', path.join(dir, 'data'), '-U', 'assay', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  execFileSync(initCmd, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  let svc = await runCluster(dir, port, 'postgres');
  const base = `postgres://assay@127.0.0.1:${port}`;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: `${base}/postgres` });
  await client.connect();
  await client.query('CREATE DATABASE assay');
  await client.end();
  const halt = async () => {
    const exited = new Promise((r) => (svc.child.exitCode !== null ? r(null) : svc.child.once('exit', r)));
    const [cmd, args] = asPgUser(pgBin('pg_ctl'), ['-D', path.join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
    execFileSync(cmd, args, { stdio: 'ignore' });
    await exited;
  };
  return {
    ...svc, url: `${base}/assay`, port, dir, halt,
    resume: async () => { svc = await runCluster(dir, port, 'assay'); },
    get child() { return svc.child; },
    stop: async () => { await svc.stop(); fs.rmSync(dir, { recursive: true, force: true }); },
  };
}
