import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seededRandom } from '../../analysis/ml/random.js';
import { ApiClient } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

const HOSTILE = '<img src=x onerror=alert(1)>';

/** Two versions of one table: B shifts `amount`, re-mixes `colour`, drops `gone`, adds `added`, turns `code` into text. */
function version(v: 1 | 2, rows = 3000): string {
  const rand = seededRandom(v === 1 ? 5 : 6);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const mix = v === 1 ? [0.6, 0.3] : [0.2, 0.3];
  const head = v === 1 ? `id,amount,colour,stable,gone,code,"${HOSTILE}"` : `id,amount,colour,stable,code,"${HOSTILE}",added`;
  const lines = [head];
  for (let i = 0; i < rows; i++) {
    const u = rand();
    const colour = u < mix[0] ? 'red' : u < mix[0] + mix[1] ? 'green' : 'blue';
    const amount = (100 + 10 * gauss() + (v === 2 ? 8 : 0)).toFixed(2);
    const code = 10 + Math.floor(rand() * 5);
    const cells = [String(i + 1), amount, colour, gauss().toFixed(3)];
    if (v === 1) cells.push(String(i % 7), String(code), gauss().toFixed(2));
    else cells.push(`C${code}`, gauss().toFixed(2), String(i % 3));
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

let stack: Stack;
let alice: ApiClient;
let mallory: ApiClient;
const ids: Record<string, string> = {};
let first: { status: number; body: any };

beforeAll(async () => {
  stack = await startStack({ db: 'postgres' });
  alice = new ApiClient(stack.base);
  mallory = new ApiClient(stack.base);
  await alice.register();
  await mallory.register();
  ids.a = (await alice.upload('sales-v1.csv', version(1))).body.dataset_id;
  ids.b = (await alice.upload('sales-v2.csv', version(2))).body.dataset_id;
  first = await alice.post('/datasets/compare', { dataset_a: ids.a, dataset_b: ids.b });
});
afterAll(async () => { await stack?.close(); });

describe('POST /datasets/compare', () => {
  test('answers 200 with drift per column, the rule, and the schema changes', () => {
    expect(first.status).toBe(200);
    const body = first.body;
    expect(body).toMatchObject({ status: 'completed', report_id: body.compare_id, rows_a: 3000, rows_b: 3000 });
    expect(body.dataset_a).toMatchObject({ id: ids.a, filename: 'sales-v1.csv', rows: 3000, cols: 7 });
    expect(body.rule).toMatch(/p < 0\.05/);
    expect(body.thresholds).toEqual({ p_value_below: 0.05, psi_at_least: 0.2, effect_at_least: 0.1 });
    expect(body.schema_changes).toEqual({
      added: [{ name: 'added', type: expect.any(String) }], removed: [{ name: 'gone', type: expect.any(String) }],
      type_changed: [{ name: 'code', type_a: 'integer', type_b: 'categorical' }],
    });
    const by = Object.fromEntries((body.columns as { name: string }[]).map((c) => [c.name, c])) as Record<string, any>;
    expect(Object.keys(by).sort()).toEqual(['amount', 'code', 'colour', 'id', 'stable', HOSTILE].sort());
    expect([...body.summary.drifted_columns].sort()).toEqual(['amount', 'code', 'colour']);
    expect(by.amount).toMatchObject({ test: 'ks', drifted: true, type_a: 'float', type_b: 'float', missing_pct_a: 0, missing_pct_b: 0 });
    expect(by.amount.mean_b - by.amount.mean_a).toBeGreaterThan(6);
    expect(by.amount.psi).toBeGreaterThan(0.2);
    expect(by.colour).toMatchObject({ test: 'chi_square', dof: 2, drifted: true, distinct_a: 3, distinct_b: 3 });
    expect(by.colour.p_value).toBeLessThan(1e-10);
    expect(by.stable).toMatchObject({ drifted: false });
    expect(by[HOSTILE]).toMatchObject({ drifted: false });
    for (const c of Object.values(by)) expect(typeof c.psi).toBe('number');
  });

  test('GET /datasets/compare/:id answers the same body', async () => {
    const r = await alice.get(`/datasets/compare/${first.body.compare_id}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(first.body);
  });

  test('the report is HTML under the run reports\' CSP, states the rule, and escapes a hostile column name', async () => {
    const r = await alice.get(`/datasets/compare/${first.body.report_id}/report`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(r.headers.get('content-security-policy')).toContain('sandbox');
    expect(r.text).toContain('sales-v1.csv');
    expect(r.text).not.toContain(HOSTILE);
    expect(r.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(r.text).toContain('p &lt; 0.05');
    expect(r.text).toContain('<svg');
  });

  test('past COMPARE_WAIT_S it answers 202 running; the GET then gives the result', async () => {
    stack.env.COMPARE_WAIT_S = 0;
    try {
      const r = await alice.post('/datasets/compare', { dataset_a: ids.b, dataset_b: ids.a });
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ status: 'running', workflow_id: `compare-${r.body.compare_id}` });
      let got = await alice.get(`/datasets/compare/${r.body.compare_id}`);
      for (let i = 0; i < 200 && got.status === 202; i++) {
        await new Promise((res) => setTimeout(res, 200));
        got = await alice.get(`/datasets/compare/${r.body.compare_id}`);
      }
      expect(got.status).toBe(200);
      expect(got.body.schema_changes.added).toEqual([{ name: 'gone', type: expect.any(String) }]); // B → A: the other way round
    } finally {
      stack.env.COMPARE_WAIT_S = 30;
    }
  });

  test('bad bodies are 400 naming the field; a dataset with itself is 422', async () => {
    const noB = await alice.post('/datasets/compare', { dataset_a: ids.a });
    expect(noB.status).toBe(400);
    expect(noB.body.error.message).toMatch(/dataset_b/);
    expect((await alice.post('/datasets/compare', { dataset_a: 'x', dataset_b: ids.b })).status).toBe(400);
    expect((await alice.post('/datasets/compare', { dataset_a: ids.a, dataset_b: ids.b, extra: 1 })).status).toBe(400);
    const self = await alice.post('/datasets/compare', { dataset_a: ids.a, dataset_b: ids.a });
    expect(self.status).toBe(422);
    expect(self.body.error.code).toBe('VALIDATION_ERROR');
  });

  test("another user's datasets and comparisons answer 404", async () => {
    const mine = (await mallory.upload('m.csv', 'a,b\n1,2\n3,4\n')).body.dataset_id;
    const r = await mallory.post('/datasets/compare', { dataset_a: mine, dataset_b: ids.b });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
    expect((await mallory.post('/datasets/compare', { dataset_a: ids.a, dataset_b: mine })).status).toBe(404);
    expect((await mallory.get(`/datasets/compare/${first.body.compare_id}`)).status).toBe(404);
    expect((await mallory.get(`/datasets/compare/${first.body.compare_id}/report`)).status).toBe(404);
  });

  test('an unreadable dataset answers 422 UNPROCESSABLE_DATASET naming it, and the GET says the same', async () => {
    const c = (await alice.upload('broken.csv', version(1, 50))).body.dataset_id;
    const row = await stack.db.selectFrom('datasets').select('storage_key').where('id', '=', c).executeTakeFirstOrThrow();
    await stack.storage.put(row.storage_key, Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x00, 0xd8, 0x00, 0x00]));
    // As if its full read had not happened yet (the upload's read made a normalised copy keyed by the old bytes).
    await stack.db.updateTable('datasets').set({ sha256: 'f'.repeat(64), status: 'reading' }).where('id', '=', c).execute();
    const r = await alice.post('/datasets/compare', { dataset_a: ids.a, dataset_b: c });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('UNPROCESSABLE_DATASET');
    expect(r.body.error.message).toMatch(/^Dataset B \(broken\.csv\) cannot be read/);
    const again = await alice.get(`/datasets/compare/${r.body.error.details.compare_id}`);
    expect(again.status).toBe(422);
  });
});
