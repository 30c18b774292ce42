// Graceful shutdown: a worker stopped with SIGTERM mid-stage hands the stage back at once, so another worker
// picks it up in seconds instead of after HEARTBEAT_TIMEOUT_S.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal as temporalProto } from '@temporalio/proto';
import { afterAll, expect, inject, test } from 'vitest';
import { freePort } from '../../scripts/services/process.js';
import { createTestDatabase } from '../helpers/backends.js';
import { ApiClient } from '../helpers/client.js';
import { regressionCsv } from '../helpers/tables.js';

const children: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(children.map((c) => new Promise((resolve) => { if (c.exitCode !== null) resolve(null); else { c.once('exit', resolve); c.kill('SIGKILL'); } })));
});
const run = (entry: string, env: Record<string, string>) => {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { env: { ...process.env, ...env }, stdio: 'ignore' });
  children.push(child);
  return child;
};


test('SIGTERM on a worker during train: the stage restarts on another worker within seconds, and the run completes', async () => {
  const port = await freePort();
  const env = {
    DATABASE_URL: await createTestDatabase(), TEMPORAL_ADDRESS: inject('temporalAddress'), TASK_QUEUE_PREFIX: `drain${randomUUID().slice(0, 6)}-`,
    DATA_DIR: `/tmp/assay-drain-${randomUUID()}`, PORT: String(port), JWT_SECRET: 'drain-secret-drain-secret-drain-secret-01',
    LOG_LEVEL: 'warn', NODE_ENV: 'test', HEARTBEAT_TIMEOUT_S: '30', // the production default: a lost stage would wait this long
  };
  run('worker/main.ts', { ...env, WORKER_ROLES: 'analysis' });
  const first = run('worker/main.ts', { ...env, WORKER_ROLES: 'modeling' });
  run('api/main.ts', env);
  const c = new ApiClient(`http://127.0.0.1:${port}`);
  await c.waitUntilHealthy();
  await c.register();
  const ds = (await c.upload('drain.csv', regressionCsv(10_000, 8))).body.dataset_id;
  const runId = (await c.post('/runs/start', { dataset_id: ds, options: { target: 'y', cv_folds: 3 } })).body.run_id;
  await c.waitFor(runId, (s) => s.stage === 'train' && s.heartbeat_at !== null, 120_000);
  first.kill('SIGTERM');
  const stoppedAt = Date.now();
  await new Promise((resolve) => first.once('exit', resolve));
  run('worker/main.ts', { ...env, WORKER_ROLES: 'modeling' });
  // The workflow's pending train activity shows a second attempt running (history records it only when it ends).
  const temporal = new Client({ connection: await Connection.connect({ address: env.TEMPORAL_ADDRESS }) });
  const handle = temporal.workflow.getHandle(`run-${runId}`);
  let restartedAfterMs = Infinity;
  while (Date.now() - stoppedAt < 60_000) {
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    const train = pending.find((a) => a.activityType?.name === 'train');
    if (train && (train.attempt ?? 1) >= 2 && train.state === temporalProto.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED) {
      restartedAfterMs = Date.now() - stoppedAt;
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await temporal.connection.close();
  expect(restartedAfterMs).toBeLessThan(15_000); // well under HEARTBEAT_TIMEOUT_S (30 s)
  const done = await c.waitFor(runId, (s) => ['completed', 'failed', 'needs_attention'].includes(s.status), 180_000);
  expect(done.status).toBe('completed');
  console.log(`drain: train restarted ${restartedAfterMs} ms after SIGTERM`);
}, 360_000);
