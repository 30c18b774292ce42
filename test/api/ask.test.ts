// POST /datasets/:id/ask on the real stack: upload a CSV, ask in words, check the rows against the same
// computation done here in JavaScript; refusals, scoping, dataset states, and the optional LLM endpoint.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApi } from '../../api/start-api.js';
import { seededRandom } from '../../analysis/ml/random.js';
import { ApiClient } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

interface Order { date: string; region: string; product: string; units: number; price: number | null; revenue: number }

/** 600 orders over 2024, every 40th without a unit price. */
function orders(): Order[] {
  const rand = seededRandom(14);
  const regions = ['North', 'South', 'East', 'West'], products = ['Widget', 'Gadget', 'Gizmo'];
  return Array.from({ length: 600 }, (_, i) => {
    const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(rand() * 366) * 86_400_000).toISOString().slice(0, 10);
    const units = 1 + Math.floor(rand() * 10);
    const price = Math.round((5 + rand() * 20) * 100) / 100;
    return { date: day, region: regions[Math.floor(rand() * 4)], product: products[Math.floor(rand() * 3)], units, price: i % 40 === 0 ? null : price, revenue: Math.round(units * price * 100) / 100 };
  });
}
const csv = (rows: Order[]) => ['order_date,region,product,units,unit_price,revenue', ...rows.map((r) => `${r.date},${r.region},${r.product},${r.units},${r.price ?? ''},${r.revenue}`)].join('\n') + '\n';
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => sum(xs) / xs.length;
function pearson(xs: number[], ys: number[]): number {
  const mx = mean(xs), my = mean(ys);
  const cov = sum(xs.map((x, i) => (x - mx) * (ys[i] - my)));
  return cov / Math.sqrt(sum(xs.map((x) => (x - mx) ** 2)) * sum(ys.map((y) => (y - my) ** 2)));
}

/** A stand-in for an OpenAI-compatible endpoint: answers with whatever `reply` holds, and counts its calls. */
const fake = { reply: '' as string, calls: 0, lastBody: null as any };
const llmServer = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    fake.calls++;
    fake.lastBody = JSON.parse(body);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: fake.reply } }] }));
  });
});

const data = orders();
let stack: Stack;
let withLlm: { port: number; close: () => Promise<void> };
let alice: ApiClient, mallory: ApiClient, aliceLlm: ApiClient;
let ds: string;
const ask = (question: string, client = alice, id = ds) => client.post(`/datasets/${id}/ask`, { question });

beforeAll(async () => {
  stack = await startStack({ db: 'postgres' });
  await new Promise<void>((r) => llmServer.listen(0, '127.0.0.1', () => r()));
  // A second API on the same database and storage, with the LLM endpoint configured (it is off by default).
  const url = `http://127.0.0.1:${(llmServer.address() as AddressInfo).port}/v1`;
  withLlm = await startApi({ ...stack.env, NLQ_LLM_URL: url, NLQ_LLM_MODEL: 'fake-model' }, stack.db, stack.storage, pino({ level: 'silent' }));
  alice = new ApiClient(stack.base);
  mallory = new ApiClient(stack.base);
  await alice.register();
  await mallory.register();
  aliceLlm = new ApiClient(`http://127.0.0.1:${withLlm.port}`, alice.token);
  const up = await alice.upload('orders.csv', csv(data));
  expect(up.status).toBe(201);
  expect(up.body.status).toBe('ready');
  ds = up.body.dataset_id;
});
afterAll(async () => {
  await withLlm?.close();
  llmServer.close();
  await stack?.close();
});

describe('answers, checked against the same computation in the test', () => {
  test('total revenue per region: one row per region, sums right, a bar chart', async () => {
    const r = await ask('total revenue per region');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ answered_by: 'reader', columns: ['region', 'sum_revenue'] });
    expect(r.body.interpretation).toMatch(/^Total revenue per region/);
    expect(r.body.sql).toMatch(/^SELECT "region" AS "region", sum\(/);
    const expected = Object.fromEntries(['North', 'South', 'East', 'West'].map((g) => [g, sum(data.filter((o) => o.region === g).map((o) => o.revenue))]));
    expect(r.body.rows).toHaveLength(4);
    for (const row of r.body.rows) expect(row.sum_revenue).toBeCloseTo(expected[row.region], 6);
    // Highest first.
    expect(r.body.rows.map((x: any) => x.sum_revenue)).toEqual([...r.body.rows.map((x: any) => x.sum_revenue)].sort((a, b) => b - a));
    expect(r.body.chart).toMatchObject({ mark: 'bar', encoding: { x: { field: 'region' }, y: { field: 'sum_revenue' } }, data: { values: r.body.rows } });
  });

  test('a filter on a value and a number, bound as parameters: a single number, no chart', async () => {
    const r = await ask('average unit price for widgets with more than 5 units');
    expect(r.status).toBe(200);
    const picked = data.filter((o) => o.product === 'Widget' && o.units > 5 && o.price !== null).map((o) => o.price!);
    expect(r.body.rows).toHaveLength(1);
    expect(r.body.rows[0].avg_unit_price).toBeCloseTo(mean(picked), 9);
    expect(r.body.params).toHaveLength(2);
    expect(r.body.params).toEqual(expect.arrayContaining(['Widget', 5]));
    expect(r.body.sql).toContain('$1');
    expect(r.body.sql).not.toContain('Widget');
    expect(r.body.chart).toBeNull();
  });

  test('top k: the two products with the most units, in order', async () => {
    const r = await ask('top 2 products by total units');
    expect(r.status).toBe(200);
    const totals = ['Widget', 'Gadget', 'Gizmo'].map((p) => ({ product: p, sum_units: sum(data.filter((o) => o.product === p).map((o) => o.units)) })).sort((a, b) => b.sum_units - a.sum_units);
    expect(r.body.rows).toEqual(totals.slice(0, 2));
  });

  test('a trend by month: twelve months in order, a line chart', async () => {
    const r = await ask('monthly revenue');
    expect(r.status).toBe(200);
    expect(r.body.rows).toHaveLength(12);
    for (const row of r.body.rows) {
      const month = String(row.month).slice(0, 7);
      expect(row.sum_revenue).toBeCloseTo(sum(data.filter((o) => o.date.startsWith(month)).map((o) => o.revenue)), 6);
    }
    expect(r.body.rows.map((x: any) => x.month)).toEqual([...r.body.rows.map((x: any) => x.month)].sort());
    expect(r.body.chart).toMatchObject({ mark: { type: 'line' }, encoding: { x: { field: 'month', type: 'temporal' } } });
  });

  test('correlation: Pearson r as computed here, with a scatter of the pairs', async () => {
    const r = await ask('correlation between units and revenue');
    expect(r.status).toBe(200);
    expect(r.body.rows[0].correlation).toBeCloseTo(pearson(data.map((o) => o.units), data.map((o) => o.revenue)), 9);
    expect(r.body.rows[0].rows_used).toBe(600);
    expect(r.body.chart.mark).toMatchObject({ type: 'point' });
    expect(r.body.chart.data.values).toHaveLength(500);
  });

  test('distribution: a histogram whose bins hold every priced row', async () => {
    const r = await ask('distribution of unit price in 8 bins');
    expect(r.status).toBe(200);
    expect(r.body.rows.length).toBeLessThanOrEqual(8);
    expect(sum(r.body.rows.map((x: any) => x.count))).toBe(data.filter((o) => o.price !== null).length);
    expect(r.body.rows[0].bin_start).toBeCloseTo(Math.min(...data.filter((o) => o.price !== null).map((o) => o.price!)), 9);
    expect(r.body.chart).toMatchObject({ mark: 'bar', encoding: { x: { bin: { binned: true } } } });
  });

  test('missing values, distinct counts and shares', async () => {
    expect((await ask('how many missing values in unit price')).body.rows).toEqual([{ missing_unit_price: 15 }]);
    expect((await ask('how many different products')).body.rows).toEqual([{ count_distinct_product: 3 }]);
    const share = await ask('what percent of orders are from the north region');
    expect(share.body.rows[0].percent).toBeCloseTo((100 * data.filter((o) => o.region === 'North').length) / 600, 9);
    const byRegion = await ask('share of orders by region');
    expect(sum(byRegion.body.rows.map((x: any) => x.percent))).toBeCloseTo(100, 9);
  });

  test('a hostile value is data, not SQL', async () => {
    const r = await ask('how many rows where product is "x\'); DROP TABLE data; --"');
    expect(r.status).toBe(200);
    expect(r.body.rows).toEqual([{ count: 0 }]);
    expect(r.body.params).toEqual(["x'); DROP TABLE data; --"]);
    expect((await ask('how many rows are there')).body.rows).toEqual([{ count: 600 }]);
  });
});

describe('honest about what was read: ignored words, adjectives, months, two groups', () => {
  test('a word the reader does not understand is named, and an answer over all rows says so', async () => {
    const r = await ask('average units of japanese orders');
    expect(r.status).toBe(200);
    // "orders" names the dataset's rows (orders.csv); "japanese" matches no value, so nothing was filtered.
    expect(r.body.ignored_words).toEqual(['japanese']);
    expect(r.body.interpretation).toBe("Average units; ignoring: 'japanese' (not understood, so it filtered nothing: this answer is over all rows).");
    expect(r.body.rows[0].avg_units).toBeCloseTo(mean(data.map((o) => o.units)), 9);
    const plain = await ask('average units');
    expect(plain.body.ignored_words).toEqual([]);
    expect(plain.body.interpretation).toBe('Average units.');
  });

  test('an adjective of a value filters by it: "northern" is North', async () => {
    const r = await ask('total revenue in the northern region');
    expect(r.status).toBe(200);
    expect(r.body.query.filters).toEqual([{ column: 'region', op: '=', value: 'North' }]);
    expect(r.body.ignored_words).toEqual([]);
    expect(r.body.rows[0].sum_revenue).toBeCloseTo(sum(data.filter((o) => o.region === 'North').map((o) => o.revenue)), 6);
  });

  test('month names: a month of any year, a month of a year, a span of months', async () => {
    const inMarch = await ask('total revenue in march');
    expect(inMarch.status).toBe(200);
    expect(inMarch.body.interpretation).toBe('Total revenue, for rows where the month of order_date is March.');
    expect(inMarch.body.rows[0].sum_revenue).toBeCloseTo(sum(data.filter((o) => o.date.slice(5, 7) === '03').map((o) => o.revenue)), 6);
    const feb = await ask('how many orders in february 2024');
    expect(feb.body.rows).toEqual([{ count: data.filter((o) => o.date.startsWith('2024-02')).length }]);
    const half = await ask('total revenue between january and june');
    expect(half.body.rows[0].sum_revenue).toBeCloseTo(sum(data.filter((o) => Number(o.date.slice(5, 7)) <= 6).map((o) => o.revenue)), 6);
    const winter = await ask('how many orders between november and february');
    expect(winter.body.rows).toEqual([{ count: data.filter((o) => [11, 12, 1, 2].includes(Number(o.date.slice(5, 7)))).length }]);
  });

  test('by region and product: every pair, summed right, bars coloured by product', async () => {
    const r = await ask('total revenue by region and product');
    expect(r.status).toBe(200);
    expect(r.body.columns).toEqual(['region', 'product', 'sum_revenue']);
    expect(r.body.rows).toHaveLength(12);
    for (const row of r.body.rows) {
      expect(row.sum_revenue).toBeCloseTo(sum(data.filter((o) => o.region === row.region && o.product === row.product).map((o) => o.revenue)), 6);
    }
    expect(r.body.chart).toMatchObject({ mark: 'bar', encoding: { x: { field: 'region' }, color: { field: 'product' } } });
    const refused = await ask('distribution of units by region and product');
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toMatchObject({ reason: 'unreadable', group_columns: ['region', 'product'] });
  });
});

describe('refusals', () => {
  test('an unreadable question is a 422 with three phrasings over the real columns, each of which answers', async () => {
    const r = await ask('what is the meaning of life');
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { reason: 'unreadable' } });
    const tries: string[] = r.body.error.details.try;
    expect(tries).toHaveLength(3);
    for (const t of tries) {
      expect(t).toMatch(/units|unit_price|revenue|region|product|order_date/);
      expect((await ask(t)).status).toBe(200);
    }
  });

  test('an unknown column is a 422 naming the near matches', async () => {
    const r = await ask('average revenu by regoin');
    expect(r.status).toBe(200); // typos are forgiven…
    const u = await ask('average profit by region');
    expect(u.status).toBe(422); // …a column that is not there is named
    expect(u.body.error.details).toMatchObject({ reason: 'unknown_column', column: 'profit', near: expect.any(Array) });
    expect(u.body.error.details.near).toHaveLength(3);
    expect(u.body.error.message).toMatch(/No column is called 'profit'/);
  });

  test('an empty or oversized question is a 400', async () => {
    expect((await ask('   ')).status).toBe(400);
    expect((await ask('x'.repeat(501))).status).toBe(400);
  });

  test("another user's dataset is a 404", async () => {
    const r = await ask('how many rows are there', mallory);
    expect(r.status).toBe(404);
  });

  test('a dataset still being read is a 409 after the wait; a failed one a 422', async () => {
    await stack.db.updateTable('datasets').set({ status: 'reading' }).where('id', '=', ds).execute();
    try {
      const r = await ask('how many rows are there');
      expect(r.status).toBe(409);
      expect(r.body.error.details).toMatchObject({ status: 'reading', retry_after_s: 5 });
      await stack.db.updateTable('datasets').set({ status: 'failed', error: 'The file has no rows.' }).where('id', '=', ds).execute();
      const f = await ask('how many rows are there');
      expect(f.status).toBe(422);
      expect(f.body.error).toMatchObject({ code: 'UNPROCESSABLE_DATASET', message: 'The file has no rows.' });
    } finally {
      await stack.db.updateTable('datasets').set({ status: 'ready', error: null }).where('id', '=', ds).execute();
    }
  });

  test('the route is in the OpenAPI document with its request and answer schemas', async () => {
    const op = (await alice.get('/openapi.json')).body.paths['/datasets/{id}/ask'].post;
    expect(op.requestBody.content['application/json'].schema.required).toEqual(['question']);
    expect(Object.keys(op.responses['200'].content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['interpretation', 'sql', 'columns', 'rows', 'chart']));
  });
});

describe('the optional LLM endpoint (NLQ_LLM_URL)', () => {
  const HARD = 'tell me something interesting about the baskets out east';
  test('is not called for questions the reader reads, nor at all when unset', async () => {
    fake.calls = 0;
    expect((await ask('how many rows are there', aliceLlm)).body.answered_by).toBe('reader');
    expect((await ask('what is the meaning of life')).status).toBe(422);
    expect(fake.calls).toBe(0);
  });

  test('turns a question the reader cannot read into a query form, validated and run like the reader\'s', async () => {
    fake.calls = 0;
    fake.reply = JSON.stringify({ measures: [{ fn: 'max', column: 'units' }], filters: [{ column: 'region', op: '=', value: 'East' }] });
    expect((await ask(HARD)).status).toBe(422); // the reader alone cannot read it
    const r = await ask(HARD, aliceLlm);
    expect(r.status).toBe(200);
    expect(fake.calls).toBe(1);
    expect(fake.lastBody.model).toBe('fake-model');
    expect(fake.lastBody.messages[1].content).toContain('"unit_price" (float');
    expect(r.body).toMatchObject({ answered_by: 'llm', rows: [{ max_units: Math.max(...data.filter((o) => o.region === 'East').map((o) => o.units)) }] });
  });

  test('SQL, garbage, or a form naming an unknown column from the model is a 422, never run', async () => {
    for (const [reply, pattern] of [
      ['SELECT * FROM data; DROP TABLE data', /not answer with a JSON query form/],
      [JSON.stringify({ sql: 'SELECT 1' }), /query form was refused/],
      [JSON.stringify({ measures: [{ fn: 'avg', column: 'profit' }], filters: [] }), /No column is called 'profit'/],
      ['{"measures": [', /not answer with a JSON query form/],
    ] as const) {
      fake.reply = reply;
      const r = await ask(HARD, aliceLlm);
      expect(r.status).toBe(422);
      expect(r.body.error.details.try).toHaveLength(3);
      expect(r.body.error.details.llm).toMatch(pattern);
    }
  });
});
