// Scenario 5: kill -9 of the Temporal dev server mid-run, started again on its database file and port.
// Workers and the API reconnect by themselves; the run resumes from its history.
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { expectSameAsUndisturbed, FaultStack, recordOutcome, RUN_OPTIONS, syntheticCsv } from './helpers.js';

let stack: FaultStack;
beforeAll(async () => {
  stack = await FaultStack.start('temporal-kill');
  await Promise.all([stack.startApi(), stack.startWorker('worker-a')]);
});
afterAll(async () => { await stack?.close(); });

test('the Temporal server killed with SIGKILL mid-run and restarted on its db file: the run completes with the same artifacts', async () => {
  const ds = await stack.dataset(syntheticCsv(path.join(stack.dir, 'synthetic.csv')));
  const undisturbed = await stack.startRun(ds, RUN_OPTIONS);
  expect((await stack.waitEnded(undisturbed)).status).toBe('completed');

  const t0 = Date.now();
  const runId = await stack.startRun(ds, RUN_OPTIONS);
  await stack.waitStage(runId, 'train');
  await stack.temporal.kill9();
  await new Promise((r) => setTimeout(r, 3000)); // down long enough for polls and heartbeats to fail
  await stack.temporal.start();
  const end = await stack.waitEnded(runId);
  const wall = (Date.now() - t0) / 1000;

  expect(end.status).toBe('completed');
  await expectSameAsUndisturbed(stack, runId, undisturbed);
  recordOutcome({ scenario: '5 Temporal kill -9 + restart', outcome: 'completed; same checksums, no duplicates', wall_s: wall });
});
