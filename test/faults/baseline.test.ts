// Scenario 1: undisturbed runs. Two runs of one dataset with one seed give the same deterministic
// artifacts, so a disturbed run can be compared byte for byte with an undisturbed one.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { VEGA } from '../helpers/client.js';
import { comparable, FaultStack, recordOutcome } from './helpers.js';

let stack: FaultStack;
beforeAll(async () => {
  stack = await FaultStack.start('baseline');
  await Promise.all([stack.startApi(), stack.startWorker('worker-a')]);
});
afterAll(async () => { await stack?.close(); });

test('two undisturbed runs end completed with the same deterministic artifacts and one row each', async () => {
  const ds = await stack.dataset(VEGA('penguins.json'));
  const options = { target: 'Species', cv_folds: 2, seed: 42 };
  const t0 = Date.now();
  const first = await stack.startRun(ds, options);
  expect((await stack.waitEnded(first)).status).toBe('completed');
  const wall = (Date.now() - t0) / 1000;
  const second = await stack.startRun(ds, options);
  expect((await stack.waitEnded(second)).status).toBe('completed');
  const [a, b] = [await stack.checksums(first), await stack.checksums(second)];
  console.log('artifacts differing between undisturbed runs:', Object.keys(a).filter((f) => a[f] !== b[f]));
  expect(Object.keys(a)).toEqual(Object.keys(b));
  expect(comparable(b)).toEqual(comparable(a));
  expect(await stack.duplicates(second)).toEqual([]);
  expect(stack.crashed()).toEqual([]);
  recordOutcome({ scenario: '1 baseline (undisturbed)', outcome: `completed; ${Object.keys(comparable(a)).length} artifacts identical across 2 runs`, wall_s: wall });
});
