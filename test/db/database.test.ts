import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../db/connect.js';
import { dbBackends } from '../helpers/backends.js';

describe.each(dbBackends)('database on $name', ({ open }) => {
  let db: Db;
  beforeAll(async () => { db = await open(); });
  afterAll(async () => { await db.destroy(); });

  const user = () => ({ id: randomUUID(), name: 'U', email: `${randomUUID()}@x.io`, password_hash: 'h', role: 'user' as const });

  test('migrations create every table and can be applied twice', async () => {
    const { migrateToLatest } = await import('../../db/connect.js');
    await migrateToLatest(db);
    for (const t of ['users', 'projects', 'datasets', 'runs', 'artifacts', 'models', 'logs', 'compares'] as const) {
      await expect(db.selectFrom(t).selectAll().limit(1).execute()).resolves.toBeInstanceOf(Array);
    }
  });

  test('emails are unique', async () => {
    const u = user();
    await db.insertInto('users').values(u).execute();
    await expect(db.insertInto('users').values({ ...u, id: randomUUID() }).execute()).rejects.toThrow();
  });

  test('JSON columns round-trip and bigint counts come back as numbers', async () => {
    const u = user();
    await db.insertInto('users').values(u).execute();
    const p = randomUUID();
    await db.insertInto('projects').values({ id: p, user_id: u.id, name: 'P', description: null, is_default: true }).execute();
    const id = randomUUID();
    await db.insertInto('datasets').values({
      id, user_id: u.id, project_id: p, name: 'd', filename: 'd.csv', format: 'csv', storage_key: 'k', size_bytes: 5_000_000_000,
      sha256: 'x', rows: 3_000_000_000, cols: 2, columns: JSON.stringify([{ name: 'a', type: 'integer', storage_type: 'BIGINT' }]),
      preview: JSON.stringify({ columns: ['a'], first_rows: [{ a: 1 }] }),
    }).execute();
    const row = await db.selectFrom('datasets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.columns[0].name).toBe('a');
    expect(row.preview.first_rows[0]).toEqual({ a: 1 });
    expect(Number(row.rows)).toBe(3_000_000_000);
    expect(row.created_at).toBeInstanceOf(Date);
  });

  test('the same idempotency key cannot make two runs for one user', async () => {
    const u = user();
    await db.insertInto('users').values(u).execute();
    const p = randomUUID();
    await db.insertInto('projects').values({ id: p, user_id: u.id, name: 'P', description: null, is_default: false }).execute();
    const run = () => ({ id: randomUUID(), user_id: u.id, project_id: p, dataset_id: randomUUID(), workflow_id: 'w', status: 'queued', stage: 'ingest', options: '{}', idempotency_key: 'k1' });
    await db.insertInto('runs').values(run()).execute();
    await expect(db.insertInto('runs').values(run()).execute()).rejects.toThrow();
  });

  test('transactions roll back as a unit', async () => {
    const u = user();
    await expect(db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values(u).execute();
      throw new Error('abort');
    })).rejects.toThrow('abort');
    expect(await db.selectFrom('users').select('id').where('id', '=', u.id).executeTakeFirst()).toBeUndefined();
  });

  test('concurrent transactions do not interleave', async () => {
    const users = Array.from({ length: 5 }, user);
    await Promise.all(users.map((u) => db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values(u).execute();
      await trx.insertInto('logs').values({ run_id: null, user_id: u.id, level: 'info', message: 'x' }).execute();
    })));
    const n = await db.selectFrom('logs').select('id').where('user_id', 'in', users.map((u) => u.id)).execute();
    expect(n).toHaveLength(5);
  });
});
