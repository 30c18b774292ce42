import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../db/connect.js';
import { insertModelVersion } from '../../db/models.js';
import { dbBackends } from '../helpers/backends.js';

describe.each(dbBackends)('model versions on $name', ({ open }) => {
  let db: Db;
  const user = randomUUID();
  const runs = Array.from({ length: 6 }, () => randomUUID());
  beforeAll(async () => {
    db = await open();
    const project = randomUUID();
    const dataset = randomUUID();
    await db.insertInto('users').values({ id: user, name: 'U', email: `${user}@x.io`, password_hash: 'h', role: 'user' }).execute();
    await db.insertInto('projects').values({ id: project, user_id: user, name: 'p', is_default: true }).execute();
    await db.insertInto('datasets').values({
      id: dataset, user_id: user, project_id: project, name: 'd', filename: 'd.csv', format: 'csv', storage_key: 'k', size_bytes: 1,
      sha256: 'x', rows: 1, cols: 1, columns: '[]', preview: '{"columns":[],"first_rows":[]}',
    }).execute();
    for (const id of runs) {
      await db.insertInto('runs').values({ id, user_id: user, project_id: project, dataset_id: dataset, workflow_id: `run-${id}`, status: 'running', stage: 'train', options: '{}' }).execute();
    }
  });
  afterAll(async () => { await db.destroy(); });

  const model = (run: string, target = 'y') => ({
    run_id: run, user_id: user, name: 'gbdt', task: 'regression', target, metrics: '{}', storage_key: `k/${run}`, features: '[]', importances: '[]',
  });

  test('runs finishing at once get distinct, consecutive versions; a retried insert keeps its row', async () => {
    const ids = await Promise.all(runs.slice(0, 5).map((r) => insertModelVersion(db, model(r))));
    const versions = await db.selectFrom('models').select(['id', 'version']).where('target', '=', 'y').execute();
    expect(versions.map((v) => v.version).sort()).toEqual([1, 2, 3, 4, 5]);
    const again = await insertModelVersion(db, model(runs[0]));
    expect(again.id).toBe(ids[0].id);
    expect((await db.selectFrom('models').select('id').where('target', '=', 'y').execute()).length).toBe(5);
  });

  test('the constraint refuses a duplicate version written by hand', async () => {
    await expect(db.insertInto('models').values({ ...model(runs[5]), id: randomUUID(), version: 1 }).execute()).rejects.toThrow(/models_user_target_version|unique/);
    expect((await insertModelVersion(db, model(runs[5], 'other'))).id).toEqual(expect.any(String));
  });
});
