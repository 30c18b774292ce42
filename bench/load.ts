// bench:load — GET /runs/:id/status at a fixed rate and many open event streams, while a run trains.
// The API and the worker run as child processes, so the API's CPU time is its own (/proc/<pid>/stat).
// Options: --rate 200 --seconds 20 --clients 50 --streams 200 --reps 3 --rows 30000 [--api-root DIR]
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { seededRandom } from '../analysis/ml/random.js';
import { benchStack } from './stack.js';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const RATE = arg('rate', 200), SECONDS = arg('seconds', 20), CLIENTS = arg('clients', 50), STREAMS = arg('streams', 200), REPS = arg('reps', 3), ROWS = arg('rows', 30_000);
// Another checkout's api/main.ts (e.g. an older commit unpacked with `git archive`), to measure before and after.
const apiRoot = process.argv.includes('--api-root') ? path.resolve(process.argv[process.argv.indexOf('--api-root') + 1]) : process.cwd();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** User plus system CPU seconds a process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) ": state is field 3
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime: fields 14 and 15
}

/** A synthetic table: 8 numeric features, 2 categorical, a binary label that depends on some of them. */
function syntheticCsv(rows: number): string {
  const rand = seededRandom(7);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const lines = ['a,b,c,d,e,f,g,h,cat1,cat2,label'];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: 8 }, gauss);
    const c1 = 'abcdefghij'[Math.floor(rand() * 10)], c2 = 'xyz'[Math.floor(rand() * 3)];
    const y = x[0] + 0.5 * x[1] - 0.3 * x[2] * x[3] + ('abc'.includes(c1) ? 1 : 0) + gauss() > 0.5 ? 'yes' : 'no';
    lines.push(`${x.map((v) => v.toFixed(4)).join(',')},${c1},${c2},${y}`);
  }
  return lines.join('\n') + '\n';
}

const stack = await benchStack('load', { MAX_UPLOAD_MB: '100' });
try {
  console.log(`bench:load — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), load average ${os.loadavg()[0].toFixed(1)}, API from ${apiRoot}`);
  const api = await stack.startApi(apiRoot);
  stack.spawnNode('worker', 'worker/main.ts');
  const temporal = { address: stack.temporalAddress };
  const stops: (() => Promise<void>)[] = [];
  const base = stack.base;

  const reg = await (await fetch(`${base}/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench', email: `bench-${randomUUID().slice(0, 8)}@example.com`, password: 'correct horse battery' }) })).json() as { access_token: string };
  const auth = { authorization: `Bearer ${reg.access_token}` };
  const form = new FormData();
  form.append('file', new Blob([syntheticCsv(ROWS)]), 'synthetic.csv');
  const upload = await (await fetch(`${base}/datasets/upload`, { method: 'POST', headers: auth, body: form })).json() as { dataset_id: string };
  const status = async (runId: string) => (await (await fetch(`${base}/runs/${runId}/status`, { headers: auth })).json()) as { status: string; stage: string; progress: number };

  let runId = '';
  let runsStarted = 0;
  /** A run in its train stage: the current one, or a new one when it has moved on. */
  const training = async () => {
    for (;;) {
      if (runId) {
        const s = await status(runId);
        if (s.stage === 'train' && s.status === 'running') return runId;
        if (['completed', 'failed', 'cancelled'].includes(s.status) || ['report', 'qa', 'finalize'].includes(s.stage)) runId = '';
      }
      if (!runId) {
        const started = await fetch(`${base}/runs/start`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ dataset_id: upload.dataset_id, options: { target: 'label', cv_folds: 5, seed: ++runsStarted } }) });
        if (started.status !== 202) throw new Error(`could not start a run: ${started.status} ${await started.text()}`);
        runId = ((await started.json()) as { run_id: string }).run_id;
      }
      await sleep(500);
    }
  };
  /** The API's own account of a route (its /metrics summary): seconds spent and requests answered. */
  const serverTime = async (route: string) => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const read = (kind: string) => Number(new RegExp(`assay_http_request_duration_seconds_${kind}\\{route="${route.replace(/[/:]/g, '\\$&')}"\\} (\\S+)`).exec(text)?.[1] ?? 0);
    return { sum: read('sum'), count: read('count') };
  };
  const stillTraining = async (id: string) => { const s = await status(id); return s.stage === 'train' && s.status === 'running'; };
  const apiCpuWhile = async <T>(fn: () => Promise<T>) => {
    const [c0, t0] = [cpuSeconds(api.pid!), performance.now()];
    const result = await fn();
    return { result, corePct: (100 * (cpuSeconds(api.pid!) - c0)) / ((performance.now() - t0) / 1000) };
  };

  // node:http with kept-alive sockets: a load generator several times cheaper than fetch, on a machine it shares.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const get = (url: string) => new Promise<number>((resolve, reject) => {
    const req = http.get(`${base}${url}`, { agent, headers: auth, timeout: 30_000 }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });

  // What one uncached status costs while the worker trains: the query and describe the cache saves.
  const temporalClient = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  stops.push(() => temporalClient.connection.close());
  const sampleTemporal = async (id: string, until: () => boolean) => {
    const ms: number[] = [];
    while (!until()) {
      const handle = temporalClient.workflow.getHandle(`run-${id}`);
      const t = performance.now();
      await Promise.all([handle.query('status'), handle.describe()]).catch(() => undefined);
      ms.push(performance.now() - t);
      await sleep(1000);
    }
    return ms.sort((a, b) => a - b);
  };

  // (a) Status at a fixed rate: request i is due at start + i/RATE; latency counts from when it was due, so a
  // server that falls behind is not flattered; "from send" leaves out this process's own lateness.
  const statusRep = async (id: string) => {
    const latencies: number[] = [];
    const fromSend: number[] = [];
    const sendLag: number[] = [];
    let errors = 0;
    const server0 = await serverTime('/runs/:id/status');
    const total = RATE * SECONDS;
    const t0 = performance.now() + 50;
    let done = false;
    const temporalMs = sampleTemporal(id, () => done);
    await Promise.all(Array.from({ length: CLIENTS }, async (_, k) => {
      for (let i = k; i < total; i += CLIENTS) {
        const due = t0 + (i * 1000) / RATE;
        if (due > performance.now()) await sleep(due - performance.now());
        const sent = performance.now();
        sendLag.push(sent - due); // late because this client's last answer was slow, or this process was busy
        try {
          if ((await get(`/runs/${id}/status`)) !== 200) errors += 1;
        } catch { errors += 1; }
        latencies.push(performance.now() - due);
        fromSend.push(performance.now() - sent);
      }
    }));
    done = true;
    const tms = await temporalMs;
    const sorted = latencies.sort((a, b) => a - b);
    const server1 = await serverTime('/runs/:id/status');
    return {
      p50: pct(sorted, 50), p95: pct(sorted, 95), p99: pct(sorted, 99), errors, n: sorted.length, seconds: (performance.now() - t0) / 1000,
      temporalP50: pct(tms, 50), temporalMax: tms.at(-1) ?? 0,
      sendP50: pct(fromSend.sort((a, b) => a - b), 50), sendP99: pct(fromSend, 99),
      serverMeanMs: (1000 * (server1.sum - server0.sum)) / Math.max(1, server1.count - server0.count), lagP99: pct(sendLag.sort((a, b) => a - b), 99),
    };
  };

  // (b) Event streams: open them all, then count the API's CPU while they stay open.
  const sseRep = async (id: string) => {
    const aborts = Array.from({ length: STREAMS }, () => new AbortController());
    const frames = new Array<number>(STREAMS).fill(0);
    const firstFrame = aborts.map((a, i) => new Promise<void>((resolve, reject) => {
      void fetch(`${base}/runs/${id}/events`, { headers: auth, signal: a.signal }).then(async (res) => {
        const decoder = new TextDecoder();
        for await (const chunk of res.body!) {
          frames[i] += (decoder.decode(chunk as Uint8Array, { stream: true }).match(/\nevent: /g) ?? []).length;
          if (frames[i]) resolve();
        }
        resolve();
      }).catch((err: Error) => { if (err.name === 'AbortError') resolve(); else reject(err); });
    }));
    await Promise.all(firstFrame);
    const before = frames.reduce((a, b) => a + b, 0);
    const { corePct } = await apiCpuWhile(() => sleep(SECONDS * 1000));
    const during = frames.reduce((a, b) => a + b, 0) - before;
    for (const a of aborts) a.abort();
    await sleep(500);
    return { corePct, framesPerStream: during / STREAMS };
  };

  const idle = await apiCpuWhile(() => sleep(5000));
  const statusReps: (Awaited<ReturnType<typeof statusRep>> & { corePct: number; trained: boolean })[] = [];
  for (let r = 0; r < REPS; r++) {
    const id = await training();
    const { result, corePct } = await apiCpuWhile(() => statusRep(id));
    statusReps.push({ ...result, corePct, trained: await stillTraining(id) });
    const x = statusReps.at(-1)!;
    console.log(`  status rep ${r + 1}: ${x.n} requests in ${x.seconds.toFixed(1)} s (${(x.n / x.seconds).toFixed(0)}/s), p50 ${x.p50.toFixed(1)} ms, p95 ${x.p95.toFixed(1)} ms, p99 ${x.p99.toFixed(1)} ms, ` +
      `${x.errors} errors, API ${x.corePct.toFixed(0)}% of a core; from send p50 ${x.sendP50.toFixed(1)} ms p99 ${x.sendP99.toFixed(1)} ms, ` +
      `server mean ${x.serverMeanMs.toFixed(1)} ms, sender lateness p99 ${x.lagP99.toFixed(0)} ms; one query+describe p50 ${x.temporalP50.toFixed(0)} ms max ${x.temporalMax.toFixed(0)} ms${x.trained ? '' : ' (the run left train during this rep)'}`);
  }
  const sseReps: (Awaited<ReturnType<typeof sseRep>> & { trained: boolean })[] = [];
  for (let r = 0; r < REPS; r++) {
    const id = await training();
    sseReps.push({ ...(await sseRep(id)), trained: await stillTraining(id) });
    const x = sseReps.at(-1)!;
    console.log(`  SSE rep ${r + 1}: ${STREAMS} streams for ${SECONDS} s, API ${x.corePct.toFixed(1)}% of a core, ${x.framesPerStream.toFixed(1)} events per stream` +
      `${x.trained ? '' : ' (the run left train during this rep)'}`);
  }

  const m = (f: (x: (typeof statusReps)[number]) => number) => median(statusReps.map(f)).toFixed(1);
  console.log(`
Status, ${RATE} req/s for ${SECONDS} s from ${CLIENTS} clients, one training run (median of ${REPS}):
  p50 ${m((x) => x.p50)} ms   p95 ${m((x) => x.p95)} ms   p99 ${m((x) => x.p99)} ms   errors ${statusReps.reduce((a, x) => a + x.errors, 0)}   API ${m((x) => x.corePct)}% of a core
  from send (without the generator's own lateness): p50 ${m((x) => x.sendP50)} ms   p99 ${m((x) => x.sendP99)} ms
Event streams, ${STREAMS} open on one training run for ${SECONDS} s (median of ${REPS}):
  API ${median(sseReps.map((x) => x.corePct)).toFixed(1)}% of a core (idle API: ${idle.corePct.toFixed(1)}%)
Machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; the worker trains in its own process meanwhile.`);
  agent.destroy();
  for (const stop of stops) await stop();
} catch (err) {
  console.error(stack.logTails());
  throw err;
} finally {
  await stack.cleanup();
}
