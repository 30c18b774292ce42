// The whole product in-process for API tests: real Temporal (shared test server), real Postgres or PGlite,
// real storage, real workers and activities on task queues of their own.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { pino } from 'pino';
import { inject } from 'vitest';
import { startApi } from '../../api/start-api.js';
import { loadEnv, reportSettings, taskQueues, type Env } from '../../config/env.js';
import type { Db } from '../../db/connect.js';
import { createStorage } from '../../storage/create-storage.js';
import type { Storage } from '../../storage/storage.js';
import { createWorkers, runWorkers } from '../../worker/create-workers.js';
import { dbBackends } from './backends.js';

export interface Stack { base: string; env: Env; db: Db; storage: Storage; close: () => Promise<void> }

export async function startStack(o: { db?: 'postgres' | 'pglite'; s3?: boolean; env?: Record<string, string>; workflowBundle?: WorkflowBundleWithSourceMap } = {}): Promise<Stack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-stack-'));
  const s3 = inject('s3');
  const env = loadEnv({
    NODE_ENV: 'test', PORT: '0', DATA_DIR: dataDir, TEMPORAL_ADDRESS: inject('temporalAddress'), TASK_QUEUE_PREFIX: `t${randomUUID().slice(0, 8)}-`,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123', LOG_LEVEL: 'silent', HEARTBEAT_TIMEOUT_S: '5', ACTIVITY_MAX_ATTEMPTS: '2',
    ...(o.s3 ? { S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey } : {}),
    ...o.env,
  });
  const logger = pino({ level: 'silent' });
  const db = await dbBackends.find((b) => b.name === (o.db ?? 'postgres'))!.open();
  const storage = createStorage(env);
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  const workers = await createWorkers({
    connection, namespace: env.TEMPORAL_NAMESPACE, taskQueues: taskQueues(env), logger, workflowBundle: o.workflowBundle,
    deps: { db, storage, logger, tmpDir: dataDir, defaultSampleRows: 100_000 },
    report: reportSettings(env),
  });
  const stop = new AbortController();
  const running = runWorkers(workers, stop.signal);
  const api = await startApi(env, db, storage, logger);
  env.PUBLIC_URL = `http://127.0.0.1:${api.port}`;
  return {
    base: env.PUBLIC_URL, env, db, storage,
    close: async () => {
      await api.close();
      stop.abort();
      await running;
      await connection.close();
      await db.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
