// The scale-out shape: `npm run api` and one `npm run worker` per task queue as separate processes,
// sharing PostgreSQL, S3 and a Temporal server, as docker-compose.yml runs them.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, expect, inject, test } from 'vitest';
import { freePort } from '../../scripts/services/process.js';
import { createTestDatabase } from '../helpers/backends.js';
import { ApiClient, VEGA } from '../helpers/client.js';

const children: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(children.map((c) => new Promise((resolve) => { if (c.exitCode !== null) resolve(null); else { c.once('exit', resolve); c.kill('SIGTERM'); } })));
});

function run(entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  child.once('exit', (code) => { if (code) console.error(`${entry} exited ${code}:\n${out}`); });
  children.push(child);
  return child;
}

test('API and per-queue workers in separate processes complete a run; without DATABASE_URL they refuse to start', async () => {
  const databaseUrl = await createTestDatabase();
  const s3 = inject('s3');
  const port = await freePort();
  const env = {
    DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: inject('temporalAddress'), TASK_QUEUE_PREFIX: `split${randomUUID().slice(0, 6)}-`,
    S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    PORT: String(port), JWT_SECRET: 'split-secret-split-secret-split-secret-01', LOG_LEVEL: 'warn', NODE_ENV: 'test',
  };

  const refused = run('api/main.ts', { ...env, DATABASE_URL: '' });
  const code = await new Promise((resolve) => refused.once('exit', resolve));
  expect(code).not.toBe(0);

  run('worker/main.ts', { ...env, WORKER_ROLES: 'analysis' });
  const workerMetrics = `127.0.0.1:${await freePort()}`;
  run('worker/main.ts', { ...env, WORKER_ROLES: 'modeling', WORKER_METRICS_ADDRESS: workerMetrics });
  run('api/main.ts', env);
  const c = new ApiClient(`http://127.0.0.1:${port}`);
  await c.waitUntilHealthy();
  await c.register();
  const ds = (await c.uploadFile(VEGA('penguins.json'))).body.dataset_id;
  const runId = (await c.post('/runs/start', { dataset_id: ds, options: { target: 'Species', cv_folds: 3 } })).body.run_id;
  const done = await c.waitFor(runId, (s) => ['completed', 'failed'].includes(s.status), 90_000);
  expect(done.status).toBe('completed');
  const artifacts = (await c.get(`/runs/${runId}/artifacts`)).body.items;
  expect(artifacts.every((a: { download_url: string }) => a.download_url.includes('X-Amz-Signature'))).toBe(true);
  // The SDK's worker metrics: how long each stage's activity took, and how many failed, by activity type.
  const metrics = await (await fetch(`http://${workerMetrics}/metrics`)).text();
  expect(metrics).toMatch(/temporal_activity_execution_latency[_a-z]*\{[^}]*activity_type="train"/);
}, 180_000);
