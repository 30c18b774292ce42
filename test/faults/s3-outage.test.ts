// Scenario 7: the object store (SeaweedFS) unavailable for 30 s during the report stage, then back on the
// same folder and port. The stage's retries may run out first; then the run waits in needs_attention and
// the test retries it the way ops would (POST /runs/:id/retry).
import { expect, test } from 'vitest';
import { disturbedRunScenario, expectSameAsUndisturbed, recordOutcome } from './helpers.js';

const scenario = disturbedRunScenario('s3-outage');

test('S3 down for 30 s during report: the run completes (retried by ops if it needed attention) with the same artifacts', async () => {
  const { stack } = scenario;
  const run = await scenario.run('report', async () => {
    const down = Date.now();
    await stack.s3.halt();
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - down))));
    await stack.s3.resume();
  });
  const { runId, undisturbed } = run;
  let end = run.end;
  let outcome = 'completed (activity retries outlasted the outage)';
  if (end.status === 'needs_attention') {
    // The stage used up ACTIVITY_MAX_ATTEMPTS while the store was down: ops retries it once it is back.
    expect(end.error).toMatch(/^report failed after \d+ attempts/);
    const retried = await stack.client.post(`/runs/${runId}/retry`);
    expect(retried.status).toBe(202);
    end = await stack.waitEnded(runId);
    outcome = 'needs_attention after report retries ran out; ops retry; completed';
  }
  const wall = run.wall();

  expect(end.status).toBe('completed');
  await expectSameAsUndisturbed(stack, runId, undisturbed);
  recordOutcome({ scenario: '7 S3 down 30 s in report', outcome: `${outcome}; same checksums, no duplicates`, wall_s: wall });
});
