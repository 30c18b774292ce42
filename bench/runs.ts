// bench:runs — many small runs in flight at once, across many users, on an API and two worker processes: all
// must complete, none lost or duplicated, and both workers must have done work. Prints runs per minute.
// Options: --runs 200 --users 50 --workers 2
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { connectDb } from '../db/connect.js';
import { benchStack } from './stack.js';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const RUNS = arg('runs', 200), USERS = arg('users', 50), WORKERS = arg('workers', 2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A small table with a clear target: each run is seconds of work, so the bench measures orchestration.
const table = ['x1,x2,x3,group,y', ...Array.from({ length: 300 }, (_, i) => {
  const x1 = (i * 37) % 101, x2 = (i * 53) % 97, x3 = (i * 11) % 13;
  return `${x1},${x2},${x3},${'abc'[i % 3]},${(x1 + 2 * x2 + (i % 7) > 150) ? 'high' : 'low'}`;
})].join('\n');

const stack = await benchStack('runs', { AUTH_MAX_PER_IP: String(USERS * 4), MAX_ACTIVE_RUNS_PER_USER: String(Math.ceil(RUNS / USERS) + 1) });
try {
  console.log(`bench:runs — ${RUNS} runs across ${USERS} users, ${WORKERS} worker processes; ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}`);
  await stack.startApi();
  for (let w = 0; w < WORKERS; w++) stack.spawnNode(`worker-${w}`, 'worker/main.ts');
  const post = async (url: string, body: unknown, token?: string) => {
    const res = await fetch(`${stack.base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() as Record<string, string> };
  };
  const users = await Promise.all(Array.from({ length: USERS }, async (_, u) => {
    const token = (await post('/auth/register', { name: `U${u}`, email: `u${u}@bench.example`, password: 'correct horse battery' })).body.access_token;
    const form = new FormData();
    form.append('file', new Blob([table]), 'small.csv');
    const ds = await (await fetch(`${stack.base}/datasets/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form })).json() as { dataset_id: string };
    return { token, dataset: ds.dataset_id };
  }));

  const t0 = performance.now();
  const started = await Promise.all(Array.from({ length: RUNS }, async (_, i) => {
    const u = users[i % USERS];
    // Each start carries an Idempotency-Key, and is sent twice: a retried request must not make a second run.
    const key = { 'Idempotency-Key': `bench-${i}` };
    const send = () => fetch(`${stack.base}/runs/start`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${u.token}`, ...key },
      body: JSON.stringify({ dataset_id: u.dataset, options: { target: 'y', cv_folds: 2, models: ['baseline', 'linear'] } }) }).then((r) => r.json() as Promise<{ run_id: string }>);
    const [a, b] = await Promise.all([send(), send()]);
    if (a.run_id !== b.run_id) throw new Error(`one Idempotency-Key made two runs: ${a.run_id}, ${b.run_id}`);
    return { run: a.run_id, token: u.token };
  }));
  const outcome = new Map<string, string>();
  while (outcome.size < RUNS && performance.now() - t0 < 30 * 60_000) {
    for (const s of started) {
      if (outcome.has(s.run)) continue;
      const st = await (await fetch(`${stack.base}/runs/${s.run}/status`, { headers: { authorization: `Bearer ${s.token}` } })).json() as { status: string };
      if (['completed', 'failed', 'cancelled', 'needs_attention'].includes(st.status)) outcome.set(s.run, st.status);
    }
    await sleep(1000);
  }
  const minutes = (performance.now() - t0) / 60_000;

  const db = await connectDb({ databaseUrl: stack.env.DATABASE_URL });
  const rows = Number((await db.selectFrom('runs').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  const dupArtifacts = Number((await sql<{ n: number }>`select count(*) as n from (select run_id, filename from artifacts group by 1, 2 having count(*) > 1) d`.execute(db)).rows[0].n);
  const dupModels = Number((await sql<{ n: number }>`select count(*) as n from (select user_id, target, version from models group by 1, 2, 3 having count(*) > 1) d`.execute(db)).rows[0].n);
  await db.destroy();
  // Which worker processes ran each run's activities, from the histories.
  const temporal = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }) });
  const identities = new Set<string>();
  for (const s of started.slice(0, 40)) {
    const history = await temporal.workflow.getHandle(`run-${s.run}`).fetchHistory();
    for (const e of history.events ?? []) { const id = e.activityTaskStartedEventAttributes?.identity; if (id) identities.add(id); }
  }
  await temporal.connection.close();

  const counts = [...outcome.values()].reduce<Record<string, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {});
  console.log(`
${RUNS} runs started (each start sent twice with one Idempotency-Key), ${rows} run rows in the database
  ended: ${JSON.stringify(counts)}; still running after the wait: ${RUNS - outcome.size}
  ${(outcome.size / minutes).toFixed(1)} runs per minute (${minutes.toFixed(1)} min from first start to last end)
  duplicate artifacts: ${dupArtifacts}, duplicate model versions: ${dupModels}
  worker identities seen in the first 40 histories: ${identities.size} (${[...identities].join(', ')})
Machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  if (rows !== RUNS || counts.completed !== RUNS || dupArtifacts || dupModels || identities.size < Math.min(WORKERS, 2)) process.exitCode = 1;
} catch (err) {
  console.error(stack.logTails());
  throw err;
} finally {
  await stack.cleanup();
}
