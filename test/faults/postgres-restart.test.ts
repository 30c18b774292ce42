// Scenario 6: PostgreSQL restarted mid-run (fast shutdown, then started again on its data directory and
// port). The API and workers must ride it out: the run completes with the same artifacts, no duplicate rows.
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { expectSameAsUndisturbed, FaultStack, recordOutcome, RUN_OPTIONS, syntheticCsv } from './helpers.js';

let stack: FaultStack;
beforeAll(async () => {
  stack = await FaultStack.start('postgres-restart');
  await Promise.all([stack.startApi(), stack.startWorker('worker-a')]);
});
afterAll(async () => { await stack?.close(); });

test('PostgreSQL restarted during train: API and worker stay up and the run completes with the same artifacts', async () => {
  const ds = await stack.dataset(syntheticCsv(path.join(stack.dir, 'synthetic.csv')));
  const undisturbed = await stack.startRun(ds, RUN_OPTIONS);
  expect((await stack.waitEnded(undisturbed)).status).toBe('completed');

  const t0 = Date.now();
  const runId = await stack.startRun(ds, RUN_OPTIONS);
  await stack.waitStage(runId, 'train');
  await stack.pg.halt();
  await new Promise((r) => setTimeout(r, 2000));
  await stack.pg.resume();
  const end = await stack.waitEnded(runId);
  const wall = (Date.now() - t0) / 1000;

  expect(stack.crashed()).toEqual([]); // a pool's idle connection dropping by the restart must not kill a process
  expect(end.status).toBe('completed');
  await expectSameAsUndisturbed(stack, runId, undisturbed);
  recordOutcome({ scenario: '6 PostgreSQL restart in train', outcome: 'completed; same checksums, no duplicates', wall_s: wall });
});
