import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sweepOldPredictions } from '../../api/retention.js';
import { assertWithinQuota, bytesHeldBy } from '../../api/storage-quota.js';
import type { Db } from '../../db/connect.js';
import type { Storage } from '../../storage/storage.js';
import { dbBackends, storageBackends } from '../helpers/backends.js';

let db: Db;
let storage: Storage;
const user = randomUUID();
const run = randomUUID();
beforeAll(async () => {
  db = await dbBackends[0].open();
  storage = storageBackends[0].open();
  const project = randomUUID();
  const dataset = randomUUID();
  await db.insertInto('users').values({ id: user, name: 'Q', email: 'q@example.com', password_hash: 'x', role: 'user' }).execute();
  await db.insertInto('projects').values({ id: project, user_id: user, name: 'p', is_default: true }).execute();
  await db.insertInto('datasets').values({
    id: dataset, user_id: user, project_id: project, name: 'd', filename: 'd.csv', format: 'csv', storage_key: 'k', size_bytes: 3 * 1024 * 1024,
    sha256: 'x', rows: 1, cols: 1, columns: '[]', preview: '{"columns":[],"first_rows":[]}',
  }).execute();
  await db.insertInto('runs').values({ id: run, user_id: user, project_id: project, dataset_id: dataset, workflow_id: `run-${run}`, status: 'completed', stage: 'finalize', options: '{}' }).execute();
});
afterAll(async () => { await db.destroy(); });

const addPrediction = async (ageDays: number, size: number) => {
  const id = randomUUID();
  const key = `runs/${run}/predictions/${id}.json`;
  await storage.put(key, 'x'.repeat(size));
  await db.insertInto('artifacts').values({
    id, run_id: run, user_id: user, type: 'predictions', filename: `p-${id}.json`, storage_key: key, size, content_type: 'application/json',
    created_at: sql`now() - make_interval(days => ${ageDays})` as never,
  }).execute();
  return key;
};

test('the quota counts uploads and artifacts, and refuses what would pass it with what to do', async () => {
  await addPrediction(0, 1024 * 1024);
  expect(await bytesHeldBy(db, user)).toBe(4 * 1024 * 1024);
  await expect(assertWithinQuota(db, user, 1024 * 1024, 5)).resolves.toBeUndefined();
  await expect(assertWithinQuota(db, user, 1024 * 1024 + 1, 5)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/quota of 5\.0 MB .* you hold 4\.0 MB/) });
  await expect(assertWithinQuota(db, user, 10 ** 12, 0)).resolves.toBeUndefined(); // 0: no quota
});

test('predictions older than the retention are deleted, rows and objects; newer ones stay', async () => {
  const old = await addPrediction(40, 10);
  const fresh = await addPrediction(1, 10);
  expect(await sweepOldPredictions(db, storage, 30)).toBe(1);
  expect(await storage.exists(old)).toBe(false);
  expect(await storage.exists(fresh)).toBe(true);
  expect(await db.selectFrom('artifacts').select('storage_key').where('storage_key', '=', old).executeTakeFirst()).toBeUndefined();
  expect(await sweepOldPredictions(db, storage, 30)).toBe(0);
});
