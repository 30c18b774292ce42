import fs from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations.js';
import { pglitePool } from './pglite-pool.js';
import type { Database } from './schema.js';

// Postgres bigint (int8) comes back as a string by default; our counts fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

export type Db = Kysely<Database>;

/**
 * Opens the metadata database: PostgreSQL when `databaseUrl` is set, otherwise PGlite under `dataDir`.
 * @example const db = await connectDb({ dataDir: 'data' }); await migrateToLatest(db);
 */
export async function connectDb(opts: { databaseUrl?: string; dataDir?: string; memory?: boolean }): Promise<Db> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    // A restarting server drops idle connections; unhandled, that 'error' event would end the process. The pool
    // discards the connection and the next query opens a new one, so this is news for the log, not a crash.
    pool.on('error', (err) => console.warn(`database: an idle connection was closed (${err.message}); it will be reopened`));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const { PGlite } = await import('@electric-sql/pglite');
  let dir: string | undefined;
  if (!opts.memory) {
    dir = path.join(opts.dataDir ?? 'data', 'pglite');
    fs.mkdirSync(dir, { recursive: true });
  }
  const lite = await PGlite.create(dir);
  // PGlite returns int8 as bigint JS values unless told otherwise.
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: pglitePool(lite) as unknown as pg.Pool }) });
}

/** Applies every pending migration; throws with the failing migration's error. */
export async function migrateToLatest(db: Db): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
