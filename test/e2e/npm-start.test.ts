// What a user does: start Assay as `npm start` does, upload a real public dataset, answer the question,
// stop it mid-run with Ctrl-C, start it again, and take the run to a completed report with every artifact.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { findExecutable, freePort } from '../../scripts/services/process.js';
import { ApiClient, VEGA } from '../helpers/client.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-e2e-'));
let app: ChildProcess | undefined;
let output = '';

async function startAssay(ports: { api: number; temporal: number; ui: number }): Promise<void> {
  output = '';
  // What scripts/start.sh runs once set-up is done (this suite's runner already did the set-up).
  app = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: {
      ...process.env, PORT: String(ports.api), DATA_DIR: dataDir, TEMPORAL_PORT: String(ports.temporal), TEMPORAL_UI_PORT: String(ports.ui),
      TEMPORAL_UI_URL: `http://localhost:${ports.ui}`, LOG_LEVEL: 'warn', TEMPORAL_ADDRESS: '', DATABASE_URL: '', S3_BUCKET: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  app.stdout!.on('data', (d) => { output += d; });
  app.stderr!.on('data', (d) => { output += d; });
  const deadline = Date.now() + 90_000;
  while (!output.includes('Assay is running.')) {
    if (app.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopAssay(): Promise<number | null> {
  if (!app || app.exitCode !== null) return app?.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) => app!.once('exit', (code) => resolve(code)));
  app.kill('SIGINT'); // Ctrl-C
  return exited;
}

afterAll(async () => {
  await stopAssay();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('npm start serves a run end to end, and a job in flight survives Ctrl-C and a restart', async () => {
  const ports = { api: await freePort(), temporal: await freePort(), ui: await freePort() };
  await startAssay(ports);
  expect(output).toContain(`http://localhost:${ports.api}`);
  expect(output).toContain(`Web UI http://localhost:${ports.ui}`);
  const c = new ApiClient(`http://127.0.0.1:${ports.api}`);
  expect((await c.get('/health')).body.checks).toEqual({ db: 'ok', temporal: 'ok', storage: 'ok' });
  const user = await c.register();

  const upload = await c.uploadFile(VEGA('cars.json'));
  expect(upload.status).toBe(201);
  const run = (await c.post('/runs/start', { dataset_id: upload.body.dataset_id, options: { cv_folds: 5, seed: 1 } })).body;
  const asking = await c.waitFor(run.run_id, (s) => s.status === 'awaiting_clarification');
  expect(asking.question.options.length).toBeGreaterThan(1);

  // The run can be found in Temporal by its search attributes, as ops would in the Web UI.
  const list = (query: string) => execFileSync(findExecutable('temporal', 'TEMPORAL_CLI'), [
    'workflow', 'list', '--address', `127.0.0.1:${ports.temporal}`, '--query', query, '--output', 'json',
  ]).toString();
  let listed = '';
  for (let i = 0; i < 50 && !listed.includes(run.workflow_id); i++) { // visibility is eventually consistent
    listed = list(`AssayUser="${user.user.id}" AND AssayStage="clarify" AND ExecutionStatus="Running"`);
    if (!listed.includes(run.workflow_id)) await new Promise((r) => setTimeout(r, 200));
  }
  expect(listed).toContain(run.workflow_id);
  expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);

  expect(await stopAssay()).toBe(0);
  await startAssay(ports);
  // Same token, same run, still waiting: the job was durable across the restart.
  expect((await c.get(`/runs/${run.run_id}/status`)).body.status).toBe('awaiting_clarification');
  expect((await c.post(`/runs/${run.run_id}/clarify`, { target: 'Miles_per_Gallon' })).status).toBe(202);
  const done = await c.waitFor(run.run_id, (s) => ['completed', 'failed'].includes(s.status), 120_000);
  expect(done.status).toBe('completed');

  const result = (await c.get(`/runs/${run.run_id}/result`)).body;
  expect(result.modeling).toMatchObject({ target: 'Miles_per_Gallon', task: 'regression', metric: 'r2' });
  // cars.json is ordered by model year, so validation goes forward in time (fitting 1970s cars, scoring later ones):
  // an honest R² well below what shuffled folds report (0.85+).
  expect(result.modeling.validation).toMatchObject({ scheme: 'time', time_column: 'Year' });
  expect(result.modeling.leaderboard[0].cv_mean).toBeGreaterThan(0.5);
  expect(result.report_html).toContain('Miles_per_Gallon');
  const artifacts = (await c.get(`/runs/${run.run_id}/artifacts`)).body.items;
  expect(artifacts.length).toBeGreaterThanOrEqual(8);
  for (const a of artifacts) {
    const res = await fetch(a.download_url); // no token: the signed link is the credential
    expect(res.status, a.filename).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length, a.filename).toBe(a.size);
    if (a.filename.endsWith('.json')) expect(() => JSON.parse(body.toString('utf8')), a.filename).not.toThrow();
  }
  expect(await stopAssay()).toBe(0);
}, 300_000);
