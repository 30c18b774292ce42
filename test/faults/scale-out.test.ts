// Scenario 3: the scale-out shape. API and two worker processes (both roles) against one Temporal server,
// PostgreSQL and S3; runs spread over both workers, and killing one mid-run moves its work to the other.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiClient, VEGA } from '../helpers/client.js';
import { artifactJson, comparable, FaultStack, jsonDiff, recordOutcome, RUN_OPTIONS, type Proc } from './helpers.js';

const USERS = 3;
const RUNS_PER_USER = 4;
let stack: FaultStack;
let workers: Proc[];
beforeAll(async () => {
  stack = await FaultStack.start('scale-out');
  const [, a, b] = await Promise.all([stack.startApi(), stack.startWorker('worker-a'), stack.startWorker('worker-b')]);
  workers = [a, b];
});
afterAll(async () => { await stack?.close(); });

test(`${USERS * RUNS_PER_USER} runs over two workers: both identities in the histories, and all complete after one worker is killed mid-run`, async () => {
  const t0 = Date.now();
  const users = await Promise.all(Array.from({ length: USERS }, async () => {
    const client = new ApiClient(stack.client.base);
    return { client, ds: await stack.dataset(VEGA('penguins.json'), client) };
  }));
  const runs: { runId: string; client: ApiClient; ds: string }[] = [];
  for (let i = 0; i < RUNS_PER_USER; i++) {
    for (const u of users) runs.push({ runId: await stack.startRun(u.ds, { target: 'Species', cv_folds: 2, seed: 42, time_budget_s: RUN_OPTIONS.time_budget_s }, u.client), ...u });
  }
  // Mid-run: some runs done, others still going, so the killed worker had work in hand.
  await stack.waitEnded(runs[1].runId, 240_000, runs[1].client);
  const running = (await Promise.all(runs.map(async (r) => (await r.client.get(`/runs/${r.runId}/status`)).body.status))).filter((s) => s === 'running').length;
  expect(running).toBeGreaterThan(0);
  await workers[1].kill9();

  const ends = await Promise.all(runs.map((r) => stack.waitEnded(r.runId, 420_000, r.client)));
  const wall = (Date.now() - t0) / 1000;
  expect(ends.map((e) => e.status)).toEqual(runs.map(() => 'completed'));

  const identities = new Set<string>();
  for (const r of runs) for (const id of await stack.identities(r.runId)) identities.add(id);
  const byWorker = workers.map((w) => [...identities].some((id) => id.startsWith(`${w.child.pid}@`)));
  expect(byWorker).toEqual([true, true]);

  // Runs of one dataset with one seed match byte for byte, whichever worker ran which stage (eda.json included:
  // its grouped sums are added in a fixed order since this test caught them differing in the last digit). A train
  // stage resumed on the other worker brings back the out-of-fold predictions the killed one stored, so its
  // ensemble, and so its model file, is the uninterrupted run's too.
  const resumed = async (runId: string) => ((await artifactJson(stack, runId, 'result.json')) as { timings: { train?: { attempts: number } } }).timings.train!.attempts > 1;
  let resumedCompared = 0;
  for (const u of users) {
    const mine = runs.filter((r) => r.ds === u.ds);
    const flags = await Promise.all(mine.map((r) => resumed(r.runId)));
    const ref = mine[flags.indexOf(false)] ?? mine[0];
    const first = comparable(await stack.checksums(ref.runId));
    for (const [i, r] of mine.entries()) {
      if (r === ref) continue;
      const here = comparable(await stack.checksums(r.runId));
      if (here['eda.json'] !== first['eda.json']) console.warn(`eda.json differs: ${jsonDiff(await artifactJson(stack, ref.runId, 'eda.json'), await artifactJson(stack, r.runId, 'eda.json')).join('; ')}`);
      if (here['modeling.json'] !== first['modeling.json']) console.warn(`modeling.json differs: ${jsonDiff(await artifactJson(stack, ref.runId, 'modeling.json'), await artifactJson(stack, r.runId, 'modeling.json')).join('; ')}`);
      expect(here).toEqual(first);
      if (flags[i]) resumedCompared++;
    }
    // Finished runs leave no scratch objects behind (the train stage's out-of-fold predictions).
    for (const r of mine) expect(await stack.storage.list(`runs/${r.runId}/scratch/`)).toEqual([]);
  }
  console.log(`scale-out: ${resumedCompared} runs resumed in train compared byte for byte with uninterrupted ones`);
  for (const r of runs) expect(await stack.duplicates(r.runId)).toEqual([]);
  expect(stack.crashed()).toEqual([]);
  recordOutcome({ scenario: `3 scale-out: ${runs.length} runs, 2 workers, 1 killed`, outcome: 'all completed; both identities; same checksums per dataset, no duplicates', wall_s: wall });
});
