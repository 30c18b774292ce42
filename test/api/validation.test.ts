import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiClient } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let c: ApiClient;
let sales: string;

/** 1,200 days of sales in date order: the level drifts with time, price and promotions move it. */
function datedCsv(): string {
  let seed = 7;
  const rand = () => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed / 2 ** 31; };
  const lines = ['date,price,promo,note,sales'];
  for (let d = 0; d < 1200; d++) {
    const date = new Date(Date.UTC(2021, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
    const price = 5 + rand() * 5, promo = rand() < 0.3 ? 1 : 0;
    lines.push(`${date},${price.toFixed(2)},${promo},${rand() < 0.5 ? 'a' : 'b'},${(100 + d / 10 - 4 * price + 15 * promo + rand() * 4).toFixed(2)}`);
  }
  return lines.join('\n');
}

beforeAll(async () => {
  stack = await startStack({ db: 'pglite' });
  c = new ApiClient(stack.base);
  await c.register();
  sales = (await c.upload('sales.csv', datedCsv())).body.dataset_id;
});
afterAll(async () => { await stack?.close(); });

describe('honest validation through the API', () => {
  test('a time-validated run reports its scheme, the held-out latest rows and a test score; ignored columns stay out', async () => {
    const r = await c.post('/runs/start', { dataset_id: sales, options: {
      target: 'sales', models: ['baseline', 'linear'], metric: 'mae', ignore_columns: ['note'], validation: { scheme: 'time', folds: 3, gap: 2 },
    } });
    expect(r.status).toBe(202);
    const s = await c.waitFor(r.body.run_id, (b) => b.status === 'completed' || b.status === 'failed', 120_000);
    expect(s.error).toBeNull();
    const res = await c.get(`/runs/${r.body.run_id}/result`);
    const m = res.body.modeling;
    expect(m.metric).toBe('mae');
    expect(m.validation).toMatchObject({ scheme: 'time', folds: 3, time_column: 'date', gap: 2, test_fraction: 0.2, test_rows: 240, served_model_rows: 1200 });
    expect(m.validation.reason).toMatch(/^Time-ordered validation was asked for: .*'date'/);
    expect(m.features).not.toContain('note');
    expect(m.leaderboard.map((e: { model: string }) => e.model)).toEqual(['linear', 'baseline']);
    expect(m.leaderboard[0].cv_mean).toBeLessThan(m.leaderboard[1].cv_mean); // mae: lower is better
    expect(typeof m.test_score).toBe('number');
    expect(m.test_score).toBeGreaterThan(0);
    expect(res.body.report_html).toMatch(/Validation: <strong>forward-chaining in time<\/strong>, 3 folds, a gap of 2 rows/);
    expect(res.body.report_html).toMatch(/Trust the test score/);
  });

  test('an unknown metric is 422 listing the valid ones; unknown columns in the options are 422', async () => {
    const bad = await c.post('/runs/start', { dataset_id: sales, options: { metric: 'auc_pr' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    expect(bad.body.error.message).toMatch(/^metric: 'auc_pr' is not a metric; choose one of roc_auc, log_loss, .*mape$/);
    expect(bad.body.error.details.metrics).toContain('f1_macro');
    const col = await c.post('/runs/start', { dataset_id: sales, options: { ignore_columns: ['nope'], validation: { scheme: 'group', group_column: 'shop' } } });
    expect(col.status).toBe(422);
    expect(col.body.error.message).toBe("ignore_columns: column 'nope' does not exist; validation.group_column: column 'shop' does not exist");
    const task = await c.post('/runs/start', { dataset_id: sales, options: { task: 'regression', metric: 'roc_auc' } });
    expect(task.status).toBe(422);
    expect((await c.post('/runs/start', { dataset_id: sales, options: { validation: { scheme: 'group' } } })).status).toBe(400);
    expect((await c.post('/runs/start', { dataset_id: sales, options: { cv_folds: 3, validation: { folds: 4 } } })).status).toBe(400);
  });
});
