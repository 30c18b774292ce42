// Scenario 2: kill -9 of the worker during `train`. A new worker picks the activity up after its heartbeat
// timeout and resumes from the folds it heartbeated; the run completes with the undisturbed run's artifacts.
import { expect, test } from 'vitest';
import { disturbedRunScenario, expectSameAsUndisturbed, recordOutcome } from './helpers.js';

const scenario = disturbedRunScenario('worker-kill');

test('a worker killed with SIGKILL during train: a new worker finishes the run with the same artifacts and no duplicate rows', async () => {
  const { stack } = scenario;
  const { runId, undisturbed, end, wall: wallOf } = await scenario.run('train', async (id) => {
    await new Promise((r) => setTimeout(r, 1000)); // into the fits, past loading the frame
    await stack.procs.find((p) => p.name === 'worker-a')!.kill9();
    const live = (await stack.client.get(`/runs/${id}/status`)).body;
    expect(live.stage).toBe('train'); // the kill landed inside train, not after it
    await stack.startWorker('worker-b');
  });
  const wall = wallOf();

  expect(end.status).toBe('completed');
  expect((await stack.attempts(runId)).train).toBeGreaterThanOrEqual(2);
  await expectSameAsUndisturbed(stack, runId, undisturbed);
  recordOutcome({ scenario: '2 worker kill -9 in train', outcome: 'completed on a new worker (train attempt 2); same checksums, no duplicates', wall_s: wall });
});
