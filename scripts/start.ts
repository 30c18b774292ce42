// `npm start`: everything on embedded defaults in one command — Temporal dev server (unless TEMPORAL_ADDRESS
// is set), PGlite or Postgres, filesystem or S3 storage, both workers and the API. Ctrl-C stops it all.
import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { pino } from 'pino';
import { startApi } from '../api/start-api.js';
import { configOrExit, loadEnv, reportSettings, taskQueues } from '../config/env.js';
import { connectDb, migrateToLatest } from '../db/connect.js';
import { createStorage } from '../storage/create-storage.js';
import { processTempDir } from '../storage/temp-dir.js';
import { createWorkers, installRuntime, runWorkers } from '../worker/create-workers.js';
import { startTemporalDevServer } from './services/temporal-dev-server.js';
import { buildWeb } from './build-web.js';
import type { Service } from './services/process.js';

const env = configOrExit(() => loadEnv());
installRuntime({ metricsAddress: process.env.WORKER_METRICS_ADDRESS });
const logger = pino({ level: env.LOG_LEVEL, base: { service: 'assay' } });
fs.mkdirSync(env.DATA_DIR, { recursive: true });

let temporal: (Service & { address: string }) | undefined;
if (!process.env.TEMPORAL_ADDRESS) {
  const port = Number(process.env.TEMPORAL_PORT ?? 7233);
  logger.info('starting the Temporal dev server (state in data/temporal.db)');
  temporal = await startTemporalDevServer({ port, uiPort: env.TEMPORAL_UI_PORT, dbFile: path.join(env.DATA_DIR, 'temporal.db'), logFile: path.join(env.DATA_DIR, 'temporal.log') });
  env.TEMPORAL_ADDRESS = temporal.address;
}

const db = await connectDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
await migrateToLatest(db);
const storage = createStorage(env);
const tmpDir = processTempDir();
const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
const workers = await createWorkers({
  connection, namespace: env.TEMPORAL_NAMESPACE, taskQueues: taskQueues(env), logger,
  deps: { db, storage, logger, tmpDir, defaultSampleRows: 100_000 },
  report: reportSettings(env),
});
const stopWorkers = new AbortController();
const running = runWorkers(workers, stopWorkers.signal);
if (await buildWeb()) logger.info('built the web app (dist/web-app)');
const api = await startApi(env, db, storage, logger);

console.log(`
Assay is running.
  API         http://localhost:${api.port}          (web page at /, reference at /docs, /openapi.json)
  Temporal    ${env.TEMPORAL_ADDRESS}${temporal ? `   Web UI ${env.TEMPORAL_UI_URL}` : ''}
  Database    ${env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${path.join(env.DATA_DIR, 'pglite')}`}
  Artifacts   ${env.S3_BUCKET ? `S3 bucket ${env.S3_BUCKET}` : `filesystem in ${path.join(env.DATA_DIR, 'artifacts')}`}
Press Ctrl-C to stop; runs in flight carry on at the next start.
`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  await api.close();
  stopWorkers.abort();
  await running.catch((err) => logger.error({ err }, 'worker stopped with an error'));
  await connection.close();
  await db.destroy();
  await temporal?.stop();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
