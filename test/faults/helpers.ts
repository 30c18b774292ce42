// Real processes for the fault suite: each test file owns its Temporal dev server (on a database file),
// PostgreSQL, SeaweedFS, API and workers, so it can kill and restart any of them.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { freePort, startProcess, type Service } from '../../scripts/services/process.js';
import { startPostgres, type PostgresServer } from '../../scripts/services/postgres.js';
import { startSeaweedFs, type S3Server } from '../../scripts/services/seaweedfs.js';
import { startTemporalDevServer } from '../../scripts/services/temporal-dev-server.js';
import { S3Storage } from '../../storage/s3-storage.js';
import { ApiClient } from '../helpers/client.js';

/** Where every fault file appends its outcome rows; the suite's teardown prints them as one table. */
export const OUTCOMES_FILE = path.resolve('.test-run/faults/outcomes.jsonl');

export interface Outcome { scenario: string; outcome: string; wall_s: number }

/** Records one scenario's row for the table printed at the end of `npm run test:faults`. */
export function recordOutcome(o: Outcome): void {
  fs.mkdirSync(path.dirname(OUTCOMES_FILE), { recursive: true });
  fs.appendFileSync(OUTCOMES_FILE, `${JSON.stringify(o)}\n`);
}

/** An API or worker process (`node --import tsx <entry>`), with its log file. */
export interface Proc extends Service { logFile: string; kill9: () => Promise<void> }

/** An error `until` passes on at once instead of polling again. */
export class Fatal extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value, or throws `what` after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch((err: unknown) => { if (err instanceof Fatal) throw err; return undefined; });
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

// Killed tests must not leave servers behind: whatever is still running when the test process exits is killed.
const live = new Set<Service>();
process.once('exit', () => {
  for (const s of live) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
});
const track = <T extends Service>(s: T): T => { live.add(s); return s; };

async function killHard(s: Service): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGKILL');
  await exited;
}

/** A Temporal dev server whose state lives in a SQLite file, so it can be killed and started again on it. */
class DevServer {
  svc!: Service & { address: string };
  constructor(readonly port: number, readonly dbFile: string, readonly logFile: string) {}
  async start() { this.svc = track(await startTemporalDevServer({ port: this.port, dbFile: this.dbFile, logFile: this.logFile })); }
  get address() { return `127.0.0.1:${this.port}`; }
  kill9() { return killHard(this.svc); }
  stop() { return this.svc.stop(); }
}

/** The shared services, the processes started against them, and the checks every scenario makes. */
export class FaultStack {
  readonly procs: Proc[] = [];
  readonly client: ApiClient;
  readonly storage: S3Storage;
  private temporalClient?: Client;

  private constructor(
    readonly dir: string, readonly temporal: DevServer, readonly pg: PostgresServer, readonly s3: S3Server,
    readonly env: Record<string, string>, readonly apiPort: number,
  ) {
    this.client = new ApiClient(`http://127.0.0.1:${apiPort}`);
    this.storage = new S3Storage({ bucket: s3.bucket, endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });
  }

  /** Starts Temporal (on a db file), PostgreSQL and SeaweedFS on free ports; API and workers are started by the test. */
  static async start(name: string, env: Record<string, string> = {}): Promise<FaultStack> {
    // Outside the checkout: as root, Postgres runs as `postgres`, which may not traverse the clone's folder.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `assay-fault-${name}-`));
    fs.chmodSync(dir, 0o755);
    const temporal = new DevServer(await freePort(), path.join(dir, 'temporal', 'temporal.db'), path.join(dir, 'temporal', 'temporal.log'));
    const started = await Promise.allSettled([
      startPostgres(path.join(dir, 'pg')).then(track),
      startSeaweedFs(path.join(dir, 's3'), 'assay-faults').then(track),
      temporal.start(),
    ]);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) { // leave nothing running behind a failed start
      await Promise.all([...live].map((s) => s.stop()));
      throw failed.reason;
    }
    const [pgServer, s3] = started.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [PostgresServer, S3Server];
    const apiPort = await freePort();
    const fullEnv = {
      DATABASE_URL: pgServer.url, TEMPORAL_ADDRESS: temporal.address, TASK_QUEUE_PREFIX: `fault-${name}-`,
      S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      PORT: String(apiPort), PUBLIC_URL: `http://127.0.0.1:${apiPort}`, JWT_SECRET: 'fault-secret-fault-secret-fault-secret-01',
      LOG_LEVEL: 'info', NODE_ENV: 'test', DATA_DIR: path.join(dir, 'data'),
      // A killed worker's activity is noticed after one heartbeat timeout; 30 s in production, 5 s here.
      HEARTBEAT_TIMEOUT_S: '5', MAX_ACTIVE_RUNS_PER_USER: '50', STORAGE_QUOTA_MB: '0',
      ...env,
    };
    return new FaultStack(dir, temporal, pgServer, s3, fullEnv, apiPort);
  }

  private spawn(name: string, entry: string, env: Record<string, string> = {}): Proc {
    const logFile = path.join(this.dir, 'logs', `${name}.log`);
    const svc = track(startProcess(name, process.execPath, ['--import', 'tsx', entry], { logFile, env: { ...this.env, ...env } }));
    const proc: Proc = { ...svc, logFile, kill9: () => killHard(svc) };
    this.procs.push(proc);
    return proc;
  }

  /** Starts the API process and waits until /health answers. */
  async startApi(name = 'api'): Promise<Proc> {
    const p = this.spawn(name, 'api/main.ts');
    await until(`${name} /health`, async () => {
      if (p.child.exitCode !== null) throw new Error(`${name} exited: ${fs.readFileSync(p.logFile, 'utf8').slice(-2000)}`);
      // Any answer means it serves; /health says 503 while a dependency (possibly the one under test) is down.
      return [200, 503].includes((await this.client.get('/health')).status);
    }, 90_000, 300).catch((err) => { throw new Error(`${err}\n${fs.readFileSync(p.logFile, 'utf8').slice(-2000)}`); });
    return p;
  }

  /** Starts a worker process (both roles unless told) and waits until it polls its task queues. */
  async startWorker(name: string, roles = 'analysis,modeling'): Promise<Proc> {
    const p = this.spawn(name, 'worker/main.ts', { WORKER_ROLES: roles });
    await until(`${name} polling`, async () => {
      if (p.child.exitCode !== null) throw new Error(`${name} exited: ${fs.readFileSync(p.logFile, 'utf8').slice(-2000)}`);
      return fs.existsSync(p.logFile) && fs.readFileSync(p.logFile, 'utf8').includes('worker polling');
    }, 120_000, 300);
    return p;
  }

  /** Processes that died without the test killing them (a crash is a finding, not noise). */
  crashed(): string[] {
    return this.procs.filter((p) => p.child.exitCode !== null && p.child.exitCode !== 0 && p.child.signalCode === null).map((p) => `${p.name} exited ${p.child.exitCode}: ${fs.readFileSync(p.logFile, 'utf8').slice(-1500)}`);
  }

  /** One query on the suite's own short-lived connection (a pool here would crash the test on a Postgres restart). */
  async query<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
    const c = new pg.Client({ connectionString: this.pg.url });
    try {
      await c.connect();
      return (await c.query<R>(text, params)).rows;
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  /** A Temporal client for histories (reconnects by itself after a server restart). */
  async temporalClientOf(): Promise<Client> {
    this.temporalClient ??= new Client({ connection: await Connection.connect({ address: this.temporal.address }) });
    return this.temporalClient;
  }

  /** Registers a user, uploads `file` and returns the dataset id. */
  async dataset(file: string, client = this.client): Promise<string> {
    if (!client.token) await client.register();
    const up = await client.uploadFile(file);
    if (up.status !== 201) throw new Error(`upload failed: ${up.status} ${up.text}`);
    return up.body.dataset_id as string;
  }

  /** Starts a run and returns its id. */
  async startRun(datasetId: string, options: Record<string, unknown>, client = this.client): Promise<string> {
    const r = await client.post('/runs/start', { dataset_id: datasetId, options });
    if (r.status !== 202) throw new Error(`start failed: ${r.status} ${r.text}`);
    return r.body.run_id as string;
  }

  /** Waits for a run to end (or to need attention) and returns its status body; API blips are waited out. */
  async waitEnded(runId: string, timeoutMs = 240_000, client = this.client): Promise<{ status: string; stage: string; error: string | null }> {
    return until(`run ${runId} to end`, async () => {
      const crashed = this.crashed();
      if (crashed.length) throw new Fatal(`a process crashed while waiting for run ${runId}:\n${crashed.join('\n')}`);
      const s = await client.get(`/runs/${runId}/status`);
      return s.status === 200 && ['completed', 'failed', 'cancelled', 'needs_attention'].includes(s.body.status) ? s.body : undefined;
    }, timeoutMs, 300);
  }

  /** Waits until the run's live status shows `stage` (from the workflow query). */
  waitStage(runId: string, stage: string, timeoutMs = 120_000): Promise<unknown> {
    return until(`run ${runId} in stage ${stage}`, async () => {
      const s = await this.client.get(`/runs/${runId}/status`);
      if (s.status === 200 && ['completed', 'failed', 'cancelled'].includes(s.body.status)) throw new Fatal(`run ended before ${stage}: ${s.text}`);
      return s.status === 200 && s.body.status === 'running' && s.body.stage === stage;
    }, timeoutMs, 100);
  }

  /** sha256 of every artifact the run recorded, by filename, read straight from the object store. */
  async checksums(runId: string): Promise<Record<string, string>> {
    const rows = await this.query<{ filename: string; storage_key: string }>('select filename, storage_key from artifacts where run_id = $1 order by filename', [runId]);
    const out: Record<string, string> = {};
    for (const r of rows) {
      const body = await this.storage.get(r.storage_key);
      // modeling.json records how long each search trial and the stage took: the only part that is not deterministic.
      const bytes = r.filename === 'modeling.json' ? JSON.stringify(withoutTimings(JSON.parse(body.toString('utf8')))) : body;
      out[r.filename] = createHash('sha256').update(bytes).digest('hex');
    }
    return out;
  }

  /** Rows recorded more than once for the run: artifacts by filename, models by name (both should be none). */
  async duplicates(runId: string): Promise<string[]> {
    const a = await this.query<{ k: string }>('select filename as k from artifacts where run_id = $1 group by filename having count(*) > 1', [runId]);
    const m = await this.query<{ k: string }>('select name as k from models where run_id = $1 group by name having count(*) > 1', [runId]);
    return [...a.map((r) => `artifact ${r.k}`), ...m.map((r) => `model ${r.k}`)];
  }

  /** Counts of the run's rows: artifacts, models. */
  async rowCounts(runId: string): Promise<{ artifacts: number; models: number }> {
    const [r] = await this.query<{ artifacts: string; models: string }>(
      'select (select count(*) from artifacts where run_id = $1) as artifacts, (select count(*) from models where run_id = $1) as models', [runId]);
    return { artifacts: Number(r.artifacts), models: Number(r.models) };
  }

  /** The worker identities that completed workflow tasks or started activities in the run's history. */
  async identities(runId: string): Promise<Set<string>> {
    const history = await (await this.temporalClientOf()).workflow.getHandle(`run-${runId}`).fetchHistory();
    const ids = new Set<string>();
    for (const e of history.events ?? []) {
      const id = e.workflowTaskCompletedEventAttributes?.identity ?? e.activityTaskStartedEventAttributes?.identity;
      if (id) ids.add(id);
    }
    return ids;
  }

  /** The attempt on which each activity type last started in the run's history (2 or more: it was retried). */
  async attempts(runId: string): Promise<Record<string, number>> {
    const history = await (await this.temporalClientOf()).workflow.getHandle(`run-${runId}`).fetchHistory();
    const types = new Map<string, string>();
    const out: Record<string, number> = {};
    for (const e of history.events ?? []) {
      if (e.activityTaskScheduledEventAttributes) types.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
      const started = e.activityTaskStartedEventAttributes;
      if (started) {
        const type = types.get(String(started.scheduledEventId)) ?? '?';
        out[type] = Math.max(out[type] ?? 0, started.attempt ?? 1);
      }
    }
    return out;
  }

  /** Stops everything this stack started and removes its folder. */
  async close(): Promise<void> {
    await this.temporalClient?.connection.close().catch(() => undefined);
    await Promise.all(this.procs.map((p) => p.stop()));
    await Promise.all([this.temporal.stop(), this.s3.stop(), this.pg.stop()].map((p) => p.catch(() => undefined)));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A JSON value without its timing fields (`seconds`, `stage_seconds`, …) and with durations in sentences ("in 18.9 s
 * of fitting") blanked: they measure the machine, not the model.
 */
export function withoutTimings(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/\b\d+(?:\.\d+)? s\b/g, '… s');
  if (Array.isArray(v)) return v.map(withoutTimings);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !/seconds$/.test(k)).map(([k, x]) => [k, withoutTimings(x)]));
  return v;
}

/** A run's artifacts that must be byte-identical between an undisturbed run and a disturbed one. */
export const DETERMINISTIC = (filename: string) => !NON_DETERMINISTIC.some((re) => re.test(filename));
/** Artifacts left out of the comparison, each for a reason written beside it. */
export const NON_DETERMINISTIC: RegExp[] = [
  /^report\.html$/, // embeds the run id, its workflow link and the time it was generated
  /^report\.pdf$/, // printed from report.html (same differences) and stamped with its creation date
  /^result\.json$/, // holds the run id, artifact ids and stage timings (start times, durations, attempts: a fault adds attempts)
];

/** The checksums of the artifacts that can be compared. */
export const comparable = (sums: Record<string, string>) => Object.fromEntries(Object.entries(sums).filter(([f]) => DETERMINISTIC(f)));

/**
 * A classification table big enough that `train` lasts several seconds (so a kill lands inside it),
 * the same bytes every time (seeded generator).
 */
export function syntheticCsv(file: string, rows = 4000, seed = 7): string {
  let s = seed;
  const rnd = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const lines = ['a,b,c,d,e,f,g,h,segment,label'];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: 8 }, () => rnd() * 10);
    const segment = ['north', 'south', 'east', 'west'][Math.floor(rnd() * 4)];
    const score = x[0] + 0.5 * x[1] - 0.3 * x[2] + (segment === 'north' ? 2 : 0) + rnd() * 3;
    lines.push(`${x.map((v) => v.toFixed(3)).join(',')},${segment},${score > 8 ? 'yes' : 'no'}`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Unique enough names for users and files within one test. */
export const tag = () => randomUUID().slice(0, 8);


/** The checks every single-run scenario ends with: completed, the undisturbed run's artifacts, no duplicate rows, no crash. */
export async function expectSameAsUndisturbed(stack: FaultStack, runId: string, undisturbed: string): Promise<void> {
  expect(comparable(await stack.checksums(runId))).toEqual(comparable(await stack.checksums(undisturbed)));
  expect(await stack.duplicates(runId)).toEqual([]);
  expect(await stack.rowCounts(runId)).toEqual(await stack.rowCounts(undisturbed));
  expect(stack.crashed()).toEqual([]);
}

/**
 * The options every scenario runs with: small and seeded, with a time budget the search never reaches, so it
 * converges to the same trials and model however busy the machine is (a budget that runs out under load would
 * end the search at a different trial, and the comparison with the undisturbed run would be meaningless).
 */
export const RUN_OPTIONS = { target: 'label', cv_folds: 3, seed: 42, time_budget_s: 600 };

/**
 * The shape of a single-run scenario: a stack named `name` with the API and one worker (`worker-a`), an undisturbed
 * run of the synthetic table, then the same run again, disturbed by `disturb` once it reaches `stage`. Returns the
 * disturbed run's end and wall time, and the undisturbed run to compare it with.
 */
export function disturbedRunScenario(name: string) {
  let stack: FaultStack;
  beforeAll(async () => {
    stack = await FaultStack.start(name);
    await Promise.all([stack.startApi(), stack.startWorker('worker-a')]);
  });
  afterAll(async () => { await stack?.close(); });
  return {
    get stack() { return stack; },
    async run(stage: string, disturb: (runId: string) => Promise<void>) {
      const ds = await stack.dataset(syntheticCsv(path.join(stack.dir, 'synthetic.csv')));
      const undisturbed = await stack.startRun(ds, RUN_OPTIONS);
      expect((await stack.waitEnded(undisturbed)).status).toBe('completed');
      const t0 = Date.now();
      const runId = await stack.startRun(ds, RUN_OPTIONS);
      await stack.waitStage(runId, stage);
      await disturb(runId);
      const end = await stack.waitEnded(runId);
      return { runId, undisturbed, end, wall: () => (Date.now() - t0) / 1000 };
    },
  };
}

/** Leaf paths at which two JSON documents differ (the first `max`), to say what a checksum mismatch is. */
export function jsonDiff(a: unknown, b: unknown, at = '$', out: string[] = [], max = 10): string[] {
  if (out.length >= max) return out;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) jsonDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`, out, max);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${at}: ${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)}`);
  return out;
}

/** The run's artifact `filename`, parsed. */
export async function artifactJson(stack: FaultStack, runId: string, filename: string): Promise<unknown> {
  const [row] = await stack.query<{ storage_key: string }>('select storage_key from artifacts where run_id = $1 and filename = $2', [runId, filename]);
  return JSON.parse((await stack.storage.get(row.storage_key)).toString('utf8'));
}
