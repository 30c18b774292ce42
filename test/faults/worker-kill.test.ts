// Scenario 2: kill -9 of the worker during `train`. A new worker picks the activity up after its heartbeat
// timeout and resumes from the folds it heartbeated; the run completes with the undisturbed run's artifacts.
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { comparable, FaultStack, recordOutcome, syntheticCsv } from './helpers.js';

let stack: FaultStack;
beforeAll(async () => {
  stack = await FaultStack.start('worker-kill');
  await Promise.all([stack.startApi(), stack.startWorker('worker-a')]);
});
afterAll(async () => { await stack?.close(); });

test('a worker killed with SIGKILL during train: a new worker finishes the run with the same artifacts and no duplicate rows', async () => {
  // Big enough that train lasts several seconds, so the kill lands inside it.
  const ds = await stack.dataset(syntheticCsv(path.join(stack.dir, 'synthetic.csv')));
  const options = { target: 'label', cv_folds: 3, seed: 42 };
  const undisturbed = await stack.startRun(ds, options);
  expect((await stack.waitEnded(undisturbed)).status).toBe('completed');

  const t0 = Date.now();
  const runId = await stack.startRun(ds, options);
  await stack.waitStage(runId, 'train');
  await new Promise((r) => setTimeout(r, 1000)); // into the fits, past loading the frame
  await stack.procs.find((p) => p.name === 'worker-a')!.kill9();
  const live = (await stack.client.get(`/runs/${runId}/status`)).body;
  expect(live.stage).toBe('train'); // the kill landed inside train, not after it
  await stack.startWorker('worker-b');
  const end = await stack.waitEnded(runId);
  const wall = (Date.now() - t0) / 1000;

  expect(end.status).toBe('completed');
  expect((await stack.attempts(runId)).train).toBeGreaterThanOrEqual(2);
  expect(comparable(await stack.checksums(runId))).toEqual(comparable(await stack.checksums(undisturbed)));
  expect(await stack.duplicates(runId)).toEqual([]);
  expect(await stack.rowCounts(runId)).toEqual(await stack.rowCounts(undisturbed));
  expect(stack.crashed()).toEqual([]);
  recordOutcome({ scenario: '2 worker kill -9 in train', outcome: 'completed on a new worker (train attempt 2); same checksums, no duplicates', wall_s: wall });
});
