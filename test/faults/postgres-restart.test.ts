// Scenario 6: PostgreSQL restarted mid-run (fast shutdown, then started again on its data directory and
// port). The API and workers must ride it out: the run completes with the same artifacts, no duplicate rows.
import { expect, test } from 'vitest';
import { disturbedRunScenario, expectSameAsUndisturbed, recordOutcome } from './helpers.js';

const scenario = disturbedRunScenario('postgres-restart');

test('PostgreSQL restarted during train: API and worker stay up and the run completes with the same artifacts', async () => {
  const { stack } = scenario;
  const { runId, undisturbed, end, wall } = await scenario.run('train', async () => {
    await stack.pg.halt();
    await new Promise((r) => setTimeout(r, 2000));
    await stack.pg.resume();
  });
  expect(stack.crashed()).toEqual([]); // a pool's idle connection dropped by the restart must not kill a process
  expect(end.status).toBe('completed');
  await expectSameAsUndisturbed(stack, runId, undisturbed);
  recordOutcome({ scenario: '6 PostgreSQL restart in train', outcome: 'completed; same checksums, no duplicates', wall_s: wall() });
});
