// Scenario 5: kill -9 of the Temporal dev server mid-run, started again on its database file and port.
// Workers and the API reconnect by themselves; the run resumes from its history.
import { expect, test } from 'vitest';
import { disturbedRunScenario, expectSameAsUndisturbed, recordOutcome } from './helpers.js';

const scenario = disturbedRunScenario('temporal-kill');

test('the Temporal server killed with SIGKILL mid-run and restarted on its db file: the run completes with the same artifacts', async () => {
  const { stack } = scenario;
  const { runId, undisturbed, end, wall } = await scenario.run('train', async () => {
    await stack.temporal.kill9();
    await new Promise((r) => setTimeout(r, 3000)); // down long enough for polls and heartbeats to fail
    await stack.temporal.start();
  });
  expect(end.status).toBe('completed');
  await expectSameAsUndisturbed(stack, runId, undisturbed);
  recordOutcome({ scenario: '5 Temporal kill -9 + restart', outcome: 'completed; same checksums, no duplicates', wall_s: wall() });
});
