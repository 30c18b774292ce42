import { NativeConnection } from '@temporalio/worker';
import { pino } from 'pino';
import { configOrExit, loadEnv, reportSettings, requireSharedDatabase, taskQueues } from '../config/env.js';
import { connectDb, migrateToLatest } from '../db/connect.js';
import { createStorage } from '../storage/create-storage.js';
import { processTempDir } from '../storage/temp-dir.js';
import { createWorkers, installRuntime, runWorkers } from './create-workers.js';

/**
 * Starts the worker process on its own (`npm run worker`); `WORKER_ROLES=modeling` serves one queue only.
 */
const env = configOrExit(() => { const e = loadEnv(); requireSharedDatabase(e, 'npm run worker'); return e; });
installRuntime({ metricsAddress: process.env.WORKER_METRICS_ADDRESS });
const logger = pino({ level: env.LOG_LEVEL, base: { service: 'assay-worker' } });
const db = await connectDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
await migrateToLatest(db);
const tmpDir = processTempDir();
const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
const roles = (process.env.WORKER_ROLES ?? 'analysis,modeling').split(',').map((r) => r.trim()) as ('analysis' | 'modeling')[];
const workers = await createWorkers({
  connection, namespace: env.TEMPORAL_NAMESPACE, taskQueues: taskQueues(env), roles, logger,
  deps: { db, storage: createStorage(env), logger, tmpDir, defaultSampleRows: 100_000 },
  report: reportSettings(env),
});
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
logger.info({ roles, task_queues: taskQueues(env) }, 'worker polling');
await runWorkers(workers, stop.signal);
await connection.close();
await db.destroy();
