// `assay` as a user runs it: the CLI spawned as a child process against a real API, Temporal, Postgres and storage.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiClient, VEGA } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let home: string;
let user: ApiClient;
const email = `cli-${Math.random().toString(36).slice(2)}@example.com`;
beforeAll(async () => {
  stack = await startStack({ db: 'pglite', env: { CLARIFY_TIMEOUT_S: '600' } });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-cli-'));
  user = new ApiClient(stack.base);
  await user.register(email);
});
afterAll(async () => {
  await stack?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

interface Ran { code: number; stdout: string; stderr: string }
/** Runs `assay …` with a clean environment: only what a user's shell would give it. */
const assay = (args: string[], env: Record<string, string> = {}, input?: string) => new Promise<Ran>((resolve) => {
  const child = execFile(process.execPath, [path.resolve('bin/assay.mjs'), ...args], {
    cwd: home, timeout: 180_000, env: { PATH: process.env.PATH!, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), ASSAY_URL: stack.base, ...env },
  }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  if (input !== undefined) { child.stdin!.end(input); }
});
const json = <T = any>(r: Ran): T => JSON.parse(r.stdout) as T;

describe('login', () => {
  test('stores the token with mode 0600, and later commands use it', async () => {
    const r = await assay(['login', '--email', email, '--password-stdin'], {}, 'correct horse battery\n');
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(home, '.config', 'assay', 'credentials.json');
    expect(r.stdout).toContain(`Logged in to ${stack.base} as ${email}`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ url: stack.base, email, token: expect.any(String) });
    const runs = await assay(['runs', '--json']);
    expect(runs.code, runs.stderr).toBe(0);
    expect(json(runs)).toEqual({ items: [], next_cursor: null });
  });

  test('a wrong password exits 3 and keeps nothing new', async () => {
    const r = await assay(['login', '--email', email, '--password', 'wrong wrong wrong'], { XDG_CONFIG_HOME: path.join(home, 'other') });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^assay: .*\(UNAUTHORIZED\)\n$/);
    expect(fs.existsSync(path.join(home, 'other', 'assay', 'credentials.json'))).toBe(false);
  });
});

describe('a run from the terminal', () => {
  let runId: string;
  let modelId: string;
  test('analyze --wait answers the question, draws progress from the event stream, saves the report', async () => {
    const r = await assay(['analyze', VEGA('cars.json'), '--cv-folds', '2', '--seed', '5', '--wait', '--answer', 'Horsepower', '--out', 'cars.html', '--json'],
      { ASSAY_TOKEN: user.token! });
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    runId = out.run_id;
    modelId = out.modeling.model_id;
    expect(out).toMatchObject({ status: 'completed', rows: 406, report: path.join(home, 'cars.html'),
      modeling: { target: 'Horsepower', task: 'regression', metric: 'r2', model_id: expect.any(String) } });
    expect(fs.readFileSync(path.join(home, 'cars.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    // Progress (stderr, not a terminal: a line per stage and per log line), fed by the run's event stream.
    expect(r.stderr).toContain('awaiting_clarification: clarify');
    expect(r.stderr).toContain('Answered: target Horsepower.');
    expect(r.stderr).toMatch(/running: train/);
    expect(r.stderr).toMatch(/train: \w+ fold 2 — r2 -?\d\.\d{4} on its held-out rows/);
    expect(r.stderr).toMatch(/completed: finalize \(100%\)/);
  });

  test('runs and status show it; --json is the API body', async () => {
    const list = await assay(['runs'], { ASSAY_TOKEN: user.token! });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^RUN +STATUS +STAGE +DATASET +CREATED\\n${runId} +completed +finalize `));
    const s = await assay(['status', runId, '--json'], { ASSAY_TOKEN: user.token! });
    expect(json(s)).toMatchObject({ run_id: runId, status: 'completed', progress: 100 });
  });

  test('predict scores CSV rows (sent as the file) and JSON rows', async () => {
    const rows = [
      { Name: 'a', Miles_per_Gallon: 30, Cylinders: 4, Displacement: 100, Weight_in_lbs: 2200, Acceleration: 16, Year: '1980-01-01', Origin: 'Japan' },
      { Name: 'b', Miles_per_Gallon: 14, Cylinders: 8, Displacement: 350, Weight_in_lbs: 4300, Acceleration: 11, Year: '1972-01-01', Origin: 'USA' },
    ];
    fs.writeFileSync(path.join(home, 'rows.json'), JSON.stringify(rows));
    fs.writeFileSync(path.join(home, 'rows.csv'), [Object.keys(rows[0]).join(','), ...rows.map((r) => Object.values(r).join(','))].join('\n') + '\n');
    const fromJson = await assay(['predict', modelId, 'rows.json', '--json'], { ASSAY_TOKEN: user.token! });
    expect(fromJson.code, fromJson.stderr).toBe(0);
    const p = json<{ predictions: number[]; artifact_id: string }>(fromJson);
    expect(p.predictions).toHaveLength(2);
    expect(p.predictions[1]).toBeGreaterThan(p.predictions[0]); // the V8 is more powerful than the small four
    const fromCsv = await assay(['predict', modelId, 'rows.csv'], { ASSAY_TOKEN: user.token! });
    expect(fromCsv.code, fromCsv.stderr).toBe(0);
    const printed = fromCsv.stdout.split('\n').slice(1, 3).map((l) => Number(l.trim().split(/\s+/)[1]));
    expect(printed.map((x) => Math.round(x))).toEqual(p.predictions.map((x) => Math.round(x)));
  });

  test('a run left waiting: without --answer, --wait exits 8 naming the candidates; answer and cancel act on it', async () => {
    const r = await assay(['analyze', VEGA('cars.json'), '--wait'], { ASSAY_TOKEN: user.token! });
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/The run asks: .*Candidates: Origin, .*assay answer [0-9a-f-]{36} --target <column>/);
    const waiting = /assay answer ([0-9a-f-]{36})/.exec(r.stderr)![1];
    const bad = await assay(['answer', waiting, '--target', 'Nope'], { ASSAY_TOKEN: user.token! });
    expect(bad.code).toBe(6); // 422: no such column
    expect(bad.stderr).toMatch(/Nope/);
    expect((await assay(['answer', waiting], { ASSAY_TOKEN: user.token! })).code).toBe(2);
    const cancel = await assay(['cancel', waiting, '--json'], { ASSAY_TOKEN: user.token! });
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(json(cancel)).toMatchObject({ run_id: waiting, status: 'cancelled' });
    const again = await assay(['cancel', waiting, '--json'], { ASSAY_TOKEN: user.token! });
    expect(again.code).toBe(6); // 409: already finished
    expect(json(again).error).toMatchObject({ code: 'CONFLICT', exit_code: 6 });
  });
});

describe('exit codes scripts can trust', () => {
  test('2 usage, 3 no or bad token, 4 not found, 5 unreachable', async () => {
    expect((await assay(['frobnicate'])).code).toBe(2);
    expect((await assay(['analyze', 'missing.csv'], { ASSAY_TOKEN: user.token! })).code).toBe(2);
    expect((await assay(['analyze', 'x.csv', '--cv-folds', '40'], { ASSAY_TOKEN: user.token! })).code).toBe(2);
    const noToken = await assay(['runs'], { XDG_CONFIG_HOME: path.join(home, 'empty') });
    expect(noToken.code).toBe(3);
    expect(noToken.stderr).toContain('Not logged in');
    expect((await assay(['runs'], { ASSAY_TOKEN: 'not-a-token' })).code).toBe(3);
    const missing = await assay(['status', '00000000-0000-4000-8000-000000000000'], { ASSAY_TOKEN: user.token! });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/NOT_FOUND/);
    // A port that was just free: nothing listens there.
    const port = await new Promise<number>((resolve) => { const s = net.createServer().listen(0, () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });
    const down = await assay(['runs', '--json'], { ASSAY_TOKEN: user.token!, ASSAY_URL: `http://127.0.0.1:${port}` });
    expect(down.code).toBe(5);
    expect(json(down).error).toMatchObject({ exit_code: 5, message: expect.stringMatching(/Cannot reach the Assay API/) });
  });
});
