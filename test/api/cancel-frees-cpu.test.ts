// Cancel must stop the work, not just the bookkeeping: the training threads' CPU falls within seconds.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiClient } from '../helpers/client.js';
import { regressionCsv } from '../helpers/tables.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
// The production heartbeat timeout: the default throttle would then hold a cancellation back for up to 24 s.
beforeAll(async () => { stack = await startStack({ db: 'pglite', env: { HEARTBEAT_TIMEOUT_S: '30' } }); });
afterAll(async () => { await stack?.close(); });

/** Share of one core this process (all its threads) used over `ms`. */
async function cpuShare(ms: number): Promise<number> {
  const before = process.cpuUsage();
  const t = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000 / (performance.now() - t);
}


test('cancelling a run in training answers "cancelled" within seconds and the CPU falls back', async () => {
  const u = new ApiClient(stack.base);
  await u.register();
  const ds = (await u.upload('big.csv', regressionCsv(60_000, 16))).body.dataset_id;
  const run = (await u.post('/runs/start', { dataset_id: ds, options: { target: 'y', cv_folds: 5 } })).body.run_id;
  await u.waitFor(run, (s) => s.stage === 'train' && s.heartbeat_at !== null, 120_000);
  await new Promise((r) => setTimeout(r, 1500)); // the threads are fitting by now
  const busy = await cpuShare(1000);
  expect(busy).toBeGreaterThan(0.6); // the control: training really is using the CPU
  const t = performance.now();
  const cancel = await u.post(`/runs/${run}/cancel`);
  const answeredMs = performance.now() - t;
  expect(cancel.body.status).toBe('cancelled');
  expect(answeredMs).toBeLessThan(4000);
  const idle = await cpuShare(1000);
  expect(idle).toBeLessThan(0.25);
  console.log(`cancel: CPU ${(busy * 100).toFixed(0)}% of a core before, ${(idle * 100).toFixed(0)}% in the second after; answered in ${answeredMs.toFixed(0)} ms`);
}, 240_000);
