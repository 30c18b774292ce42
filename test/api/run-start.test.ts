// Starting runs on PostgreSQL, where requests really run at once: the cap holds, keys are honoured.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiClient, VEGA } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => { stack = await startStack({ db: 'postgres', env: { MAX_ACTIVE_RUNS_PER_USER: '2' } }); });
afterAll(async () => { await stack?.close(); });

test('six starts at once with a cap of two: exactly two runs, four 429s, no stray rows', async () => {
  const u = new ApiClient(stack.base);
  await u.register();
  // No target on cars: each run waits for an answer, so it stays active through the test.
  const cars = (await u.uploadFile(VEGA('cars.json'))).body.dataset_id;
  const answers = await Promise.all(Array.from({ length: 6 }, () => u.post('/runs/start', { dataset_id: cars })));
  expect(answers.map((a) => a.status).sort()).toEqual([202, 202, 429, 429, 429, 429]);
  const rows = await stack.db.selectFrom('runs').select('id').execute();
  expect(rows.map((r) => r.id).sort()).toEqual(answers.filter((a) => a.status === 202).map((a) => a.body.run_id).sort());
  for (const a of answers.filter((x) => x.status === 202)) {
    await u.waitFor(a.body.run_id, (s) => s.status === 'awaiting_clarification');
    // Cancel is a workflow update: the answer carries the state it led to, not a hope.
    const cancel = await u.post(`/runs/${a.body.run_id}/cancel`);
    expect(cancel.status).toBe(202);
    expect(cancel.body.status).toBe('cancelled');
    const again = await u.post(`/runs/${a.body.run_id}/cancel`);
    expect(again.status).toBe(409);
  }
});

test('an Idempotency-Key: the same request (options in any order) is the same run; a different one is 409', async () => {
  const u = new ApiClient(stack.base);
  await u.register();
  const penguins = (await u.uploadFile(VEGA('penguins.json'))).body.dataset_id;
  const key = { 'Idempotency-Key': 'nightly-2026-12-01' };
  const first = await u.post('/runs/start', { dataset_id: penguins, options: { skip_modeling: true, seed: 7 } }, key);
  expect(first.status).toBe(202);
  const again = await u.post('/runs/start', { dataset_id: penguins, options: { seed: 7, skip_modeling: true } }, key);
  expect(again.status).toBe(202);
  expect(again.body.run_id).toBe(first.body.run_id);
  const changed = await u.post('/runs/start', { dataset_id: penguins, options: { skip_modeling: true, seed: 8 } }, key);
  expect(changed.status).toBe(409);
  expect(changed.body.error).toMatchObject({ code: 'CONFLICT', details: { run_id: first.body.run_id } });
  expect(changed.body.error.message).toMatch(/different request/);
  await u.waitFor(first.body.run_id, (s) => s.status === 'completed');
  expect((await stack.db.selectFrom('runs').select('id').where('idempotency_key', '=', 'nightly-2026-12-01').execute()).length).toBe(1);
});
