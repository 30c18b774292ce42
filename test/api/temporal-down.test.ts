import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { expect, test } from 'vitest';
import { startApi } from '../../api/start-api.js';
import { loadEnv } from '../../config/env.js';
import { connectDb, migrateToLatest } from '../../db/connect.js';
import { freePort } from '../../scripts/services/process.js';
import { createStorage } from '../../storage/create-storage.js';
import { ApiClient, VEGA } from '../helpers/client.js';

test('with Temporal unreachable the API still serves, /health is 503 and starting a run is 503 leaving no record', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-down-'));
  const env = loadEnv({ PORT: '0', DATA_DIR: dataDir, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, LOG_LEVEL: 'silent' });
  const db = await connectDb({ memory: true });
  await migrateToLatest(db);
  const api = await startApi(env, db, createStorage(env), pino({ level: 'silent' }));
  env.PUBLIC_URL = `http://127.0.0.1:${api.port}`;
  try {
    const c = new ApiClient(env.PUBLIC_URL);
    const health = await c.get('/health');
    expect(health.status).toBe(503);
    expect(health.body.checks).toMatchObject({ db: 'ok', storage: 'ok', temporal: expect.stringMatching(/^down: /) });
    await c.register();
    const ds = (await c.uploadFile(VEGA('penguins.json'))).body.dataset_id;
    const start = await c.post('/runs/start', { dataset_id: ds, options: { target: 'Species' } });
    expect(start.status).toBe(503);
    expect(start.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect((await c.get('/runs')).body.items).toEqual([]);
  } finally {
    await api.close();
    await db.destroy();
  }
}, 60_000);
