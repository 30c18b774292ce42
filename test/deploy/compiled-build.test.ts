// The images run `npm run build`'s output: compiled JavaScript and a prebuilt workflow bundle, no tsx, no
// webpack at start-up. Built here and run as the images run it, against the suite's Temporal, Postgres and S3.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, expect, inject, test } from 'vitest';
import { freePort } from '../../scripts/services/process.js';
import { createTestDatabase } from '../helpers/backends.js';
import { ApiClient, VEGA } from '../helpers/client.js';

const children: { child: ChildProcess; out: () => string }[] = [];
afterAll(async () => {
  await Promise.all(children.map(({ child: c }) => new Promise((resolve) => { if (c.exitCode !== null) resolve(null); else { c.once('exit', resolve); c.kill('SIGTERM'); } })));
});

// Plain `node`, no --import tsx: a stray .ts import would fail here as it would in the image.
function node(entry: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  children.push({ child, out: () => out });
  return () => out;
}

test('the compiled API and worker serve a whole run from dist/ with the prebuilt workflow bundle', async () => {
  await promisify(execFile)('npm', ['run', 'build'], { maxBuffer: 16 * 1024 * 1024 });
  expect(fs.existsSync('dist/workflow-bundle.js')).toBe(true);
  const s3 = inject('s3');
  const port = await freePort();
  const env = {
    DATABASE_URL: await createTestDatabase(), TEMPORAL_ADDRESS: inject('temporalAddress'), TASK_QUEUE_PREFIX: `dist${randomUUID().slice(0, 6)}-`,
    S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    PORT: String(port), JWT_SECRET: 'dist-secret-dist-secret-dist-secret-0123', LOG_LEVEL: 'info', NODE_ENV: 'production',
  };
  const workerLog = node('dist/worker/main.js', env);
  node('dist/api/main.js', env);
  const c = new ApiClient(`http://127.0.0.1:${port}`);
  await c.waitUntilHealthy();
  const page = await c.get('/');
  expect(page.text).toContain('<div id="app"></div>'); // the built web app travels with the build
  expect((await c.get(/src="(\/assets\/[^"]+\.js)"/.exec(page.text)![1])).status).toBe(200);
  await c.register();
  const ds = (await c.uploadFile(VEGA('penguins.json'))).body.dataset_id;
  const run = (await c.post('/runs/start', { dataset_id: ds, options: { target: 'Species', cv_folds: 2 } })).body.run_id;
  const done = await c.waitFor(run, (s) => ['completed', 'failed'].includes(s.status), 120_000);
  expect(done.status).toBe('completed');
  expect(workerLog()).not.toMatch(/Workflow bundle created/); // no webpack at start-up: the prebuilt bundle was used
  // The CLI travels with the build too (`docker compose exec api node dist/cli/bin.js …`).
  const cli = await promisify(execFile)(process.execPath, ['dist/cli/bin.js', '--url', `http://127.0.0.1:${port}`, '--token', c.token!, '--json', 'runs'],
    { env: { ...process.env, HOME: fs.mkdtempSync('/tmp/assay-cli-home-') } });
  expect(JSON.stringify(JSON.parse(cli.stdout))).toContain(run);
}, 300_000);
