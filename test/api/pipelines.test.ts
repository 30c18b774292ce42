// Suggestions and pipelines on the real stack: Temporal, PostgreSQL, storage, workers and the API.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiClient } from '../helpers/client.js';
import { messyCsv } from '../helpers/messy.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let alice: ApiClient;
let mallory: ApiClient;
let original: string;
const csv = messyCsv();

/** The CSV's rows, as written, with exact repeats removed (first kept): what deduplicate must leave. */
const header = csv.split('\n')[0].split(',');
const unique = [...new Set(csv.trim().split('\n').slice(1))].map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
const allRows = csv.trim().split('\n').length - 1;

async function poll(u: ApiClient, id: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await u.get(`/pipelines/${id}`);
    if (r.status !== 200) throw new Error(`GET /pipelines/${id}: ${r.status} ${r.text}`);
    if (r.body.status !== 'running') return r.body;
    if (Date.now() > deadline) throw new Error(`pipeline ${id} still running: ${r.text}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

beforeAll(async () => {
  // A 4 MB quota: the messy table, its versions and a run's artifacts (report, PDF, model) fit; the quota test below fills it.
  stack = await startStack({ db: 'postgres', env: { STORAGE_QUOTA_MB: '4' } });
  alice = new ApiClient(stack.base);
  mallory = new ApiClient(stack.base);
  await alice.register();
  await mallory.register();
  const up = await alice.upload('messy.csv', csv);
  expect(up.status).toBe(201);
  original = up.body.dataset_id;
}, 120_000);
afterAll(async () => { await stack?.close(); });

describe('GET /datasets/:id/suggestions', () => {
  let body: any;
  beforeAll(async () => {
    const r = await alice.get(`/datasets/${original}/suggestions`);
    expect(r.status).toBe(200);
    body = r.body;
  });
  test('proposes each step the messy table calls for, with a confidence and a reason quoting the figure', () => {
    const by = (step: string, column?: string) => body.steps.find((s: any) => s.step === step && (column === undefined || s.column === column));
    expect(by('deduplicate').reason).toContain(`${allRows - unique.length} of ${allRows} rows`);
    expect(by('drop_column', 'const').reason).toContain('single value');
    expect(by('drop_column', 'id').reason).toContain('identifier');
    expect(by('parse_dates', 'signup').reason).toContain('parse as dates');
    expect(by('impute', 'age')).toMatchObject({ params: { strategy: 'median' } });
    expect(by('impute', 'city')).toMatchObject({ params: { strategy: 'mode' } });
    expect(by('cap_outliers', 'income').reason).toContain('beyond 3 IQR');
    expect(by('log_transform', 'income').reason).toMatch(/skewness \d/);
    expect(by('encode_rare', 'city').reason).toMatch(/16 of \d+ categories under 1\.0%/);
    for (const s of body.steps) expect(s.confidence).toBeGreaterThan(0), expect(s.confidence).toBeLessThanOrEqual(1);
    expect(body.basis).toEqual({ rows: allRows, cols: 9, profiled: 'all_rows' });
  });
  test('recommends forward-in-time validation, grouped folds, the target and a balanced metric', () => {
    const msgs = body.recommendations.map((r: any) => r.message).join('\n');
    expect(msgs).toContain("Rows are ordered by 'day'");
    expect(msgs).toContain("'customer_id' repeats");
    expect(msgs).toMatch(/Target 'churn' is imbalanced 1:\d+/);
  });
  test('a second ask is answered from the cache, identically', async () => {
    const again = await alice.get(`/datasets/${original}/suggestions`);
    expect(again.body).toEqual(body);
  });
  test("another user's dataset is 404, an unknown target 422", async () => {
    expect((await mallory.get(`/datasets/${original}/suggestions`)).status).toBe(404);
    const bad = await alice.get(`/datasets/${original}/suggestions?target=nope`);
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain("unknown column 'nope'");
  });
});

describe('POST /pipelines/run with the suggested steps', () => {
  let started: any;
  let done: any;
  let out: string;
  beforeAll(async () => {
    const steps = (await alice.get(`/datasets/${original}/suggestions`)).body.steps;
    const r = await alice.post('/pipelines/run', { dataset_id: original, steps });
    expect(r.status).toBe(202);
    started = r.body;
    done = await poll(alice, started.pipeline_id);
    out = done.output_dataset_id;
  }, 90_000);

  test('answers 202 with the workflow id, then completes with an output dataset', () => {
    expect(started).toEqual({ pipeline_id: expect.any(String), workflow_id: `pipeline-${started.pipeline_id}`, status: 'running' });
    expect(done).toMatchObject({ status: 'completed', dataset_id: original, error: null, output_dataset_id: expect.any(String) });
  });

  test("each step's effect is recorded with exact figures", () => {
    const e = (step: string, column?: string) => done.steps.find((s: any) => s.step === step && (column === undefined || s.column === column)).effect;
    expect(e('deduplicate')).toMatchObject({ rows_before: allRows, rows_after: unique.length, values_changed: 0, columns_removed: [] });
    expect(e('drop_column', 'id')).toMatchObject({ columns_removed: ['id'], rows_after: unique.length });
    expect(e('drop_column', 'const')).toMatchObject({ columns_removed: ['const'] });
    // ISO text read as dates prints the same; only 'unknown' (now empty) differs.
    expect(e('parse_dates', 'signup')).toMatchObject({ columns_changed: ['signup'], values_changed: unique.filter((r) => r.signup === 'unknown').length });
    expect(e('impute', 'age')).toMatchObject({ values_changed: unique.filter((r) => r.age === '').length, columns_changed: ['age'] });
    expect(e('impute', 'city')).toMatchObject({ values_changed: unique.filter((r) => r.city === '').length });
    expect(e('encode_rare', 'city')).toMatchObject({ values_changed: 16 });
    expect(e('log_transform', 'income').columns_changed).toEqual(['income']);
    for (const s of done.steps) expect(s.effect.note.length).toBeGreaterThan(10);
  });

  test('the log has a line per step and the write', () => {
    const lines = done.logs.map((l: any) => l.message);
    expect(lines[0]).toMatch(new RegExp(`^read ${allRows} rows × 9 columns of messy\\.csv \\(version 1\\)$`));
    for (const [i, s] of done.steps.entries()) expect(lines.some((m: string) => m.startsWith(`step ${i + 1}/${done.steps.length} ${s.step}`))).toBe(true);
    expect(lines.at(-1)).toMatch(new RegExp(`^wrote messy v2 \\(dataset ${out}, version 2\\): ${unique.length} rows × 7 columns`));
  });

  test('the new version is a dataset like any other: exact rows, the columns and types the steps left', async () => {
    const ds = await alice.get(`/datasets/${out}`);
    expect(ds.status).toBe(200);
    expect(ds.body).toMatchObject({ name: 'messy v2', status: 'ready', rows: unique.length, cols: 7, format: 'parquet', rows_estimated: false });
    const types = Object.fromEntries(ds.body.columns.map((c: any) => [c.name, c.type]));
    expect(types).toMatchObject({ signup: 'datetime', income: 'float', city: 'categorical', age: 'integer' });
    expect(types).not.toHaveProperty('id');
    expect(types).not.toHaveProperty('const');
    const preview = await alice.get(`/datasets/${out}/preview?n=5`);
    expect(preview.status).toBe(200);
    expect(preview.body.first_rows).toHaveLength(5);
    expect(preview.body.first_rows[0].income).toBeCloseTo(Math.log1p(Number(unique[0].income)), 6);
  });

  test('versions: the upload is version 1, the output version 2 with its parent and steps, from either end', async () => {
    const a = await alice.get(`/datasets/${original}/versions`);
    const b = await alice.get(`/datasets/${out}/versions`);
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(a.body.items.map((v: any) => [v.id, v.version, v.parent_id])).toEqual([[original, 1, null], [out, 2, original]]);
    expect(a.body.items[0].steps).toBeNull();
    expect(a.body.items[1]).toMatchObject({ pipeline_id: started.pipeline_id, rows: unique.length, cols: 7 });
    expect(a.body.items[1].steps.map((s: any) => s.step)).toEqual(done.steps.map((s: any) => s.step));
  });

  test('suggestions on version 2 no longer propose the steps that made it', async () => {
    const r = await alice.get(`/datasets/${out}/suggestions`);
    expect(r.status).toBe(200);
    const proposed = r.body.steps.map((s: any) => `${s.step} ${s.column ?? ''}`.trim());
    for (const gone of ['deduplicate', 'drop_column const', 'drop_column id', 'parse_dates signup', 'impute age', 'impute city', 'encode_rare city']) expect(proposed).not.toContain(gone);
    expect(r.body.basis).toEqual({ rows: unique.length, cols: 7, profiled: 'all_rows' });
  });

  test('a pipeline on version 2 makes version 3, whose parent is version 2', async () => {
    const r = await alice.post('/pipelines/run', { dataset_id: out, steps: [{ step: 'drop_column', column: 'customer_id' }] });
    expect(r.status).toBe(202);
    // Opened while it runs: the stream carries the log as it is written and ends with the final status.
    const events = await alice.get(`/pipelines/${r.body.pipeline_id}/events`);
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const frames = events.text.trim().split('\n\n').map((f) => Object.fromEntries(f.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)])));
    const logs = frames.filter((f) => f.event === 'log');
    expect(logs.map((f) => f.id)).toEqual(logs.map((_, i) => String(i + 1)));
    expect(logs.map((f) => JSON.parse(f.data).message)).toEqual([
      expect.stringMatching(/^read \d+ rows × 7 columns of messy-v2\.parquet \(version 2\)$/), expect.stringMatching(/^step 1\/1 drop_column 'customer_id': Dropped/), expect.stringMatching(/^wrote messy v3/)]);
    const last = frames.at(-1)!;
    expect(last.event).toBe('status');
    expect(JSON.parse(last.data)).toMatchObject({ status: 'completed', steps_done: 1, output_dataset_id: expect.any(String), error: null });
    // Resuming after the second line gives the third and the status only.
    const resumed = await alice.req('GET', `/pipelines/${r.body.pipeline_id}/events`, undefined, { 'Last-Event-ID': '2' });
    expect(resumed.text.match(/^id: .*$/gm)).toEqual(['id: 3', 'id: 3.1']);
    const p = await poll(alice, r.body.pipeline_id);
    expect(p.status).toBe('completed');
    const v = (await alice.get(`/datasets/${original}/versions`)).body.items;
    expect(v.map((x: any) => [x.version, x.parent_id])).toEqual([[1, null], [2, original], [3, out]]);
    expect(v[2]).toMatchObject({ name: 'messy v3', cols: 6, rows: unique.length });
  });

  test('a run starts from the new version and completes', async () => {
    const r = await alice.post('/runs/start', { dataset_id: out, options: { target: 'churn', models: ['linear'], time_budget_s: 10, cv_folds: 3 } });
    expect(r.status).toBe(202);
    const s = await alice.waitFor(r.body.run_id, (x) => ['completed', 'failed'].includes(x.status), 240_000);
    expect(s.status).toBe('completed');
    const result = await alice.get(`/runs/${r.body.run_id}/result`);
    expect(result.status).toBe(200);
    expect(result.text).toContain('churn');
  }, 260_000);

  test("another user cannot see the pipeline, run one on the dataset, or list its versions", async () => {
    expect((await mallory.get(`/pipelines/${started.pipeline_id}`)).status).toBe(404);
    expect((await mallory.get(`/datasets/${out}/versions`)).status).toBe(404);
    const r = await mallory.post('/pipelines/run', { dataset_id: original, steps: [{ step: 'deduplicate' }] });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });
});

describe('bad steps are 422 naming what was wrong', () => {
  const cases: [string, unknown[], RegExp][] = [
    ['an unknown step', [{ step: 'normalise', column: 'age' }], /steps\.0\.step: unknown step "normalise"; known steps: deduplicate/],
    ['an unknown column', [{ step: 'impute', column: 'agee', params: { strategy: 'median' } }], /steps\.0 \(impute\): unknown column 'agee'/],
    ['a bad param', [{ step: 'encode_rare', column: 'city', params: { threshold: 3 } }], /steps\.0\.params\.threshold: .*\(step 'encode_rare'\)/],
    ['an unknown param', [{ step: 'log_transform', column: 'income', params: { base: 10 } }], /steps\.0\.params: .*base/],
    ['a step on the wrong type', [{ step: 'log_transform', column: 'city' }], /'city' is categorical; this step needs a numeric column/],
    ['a column dropped earlier', [{ step: 'drop_column', column: 'age' }, { step: 'cap_outliers', column: 'age' }], /steps\.1 \(cap_outliers\): unknown column 'age' \(dropped by an earlier step\)/],
    ['no steps', [], /steps: give 1 to 50 steps/],
  ];
  test.each(cases)('%s', async (_name, steps, message) => {
    const r = await alice.post('/pipelines/run', { dataset_id: original, steps });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('VALIDATION_ERROR');
    expect(r.body.error.message).toMatch(message);
  });
  test('a dataset id that is not an id is 422, and no pipeline row is left by any refusal', async () => {
    const r = await alice.post('/pipelines/run', { dataset_id: 'x', steps: [{ step: 'deduplicate' }] });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toMatch(/^dataset_id: /);
    const rows = await stack.db.selectFrom('pipelines').select('id').where('dataset_id', '=', original).where('status', '!=', 'completed').execute();
    expect(rows).toEqual([]);
  });
});

test('steps the data defeats fail the pipeline at once (not retried), with a readable error and no new version', async () => {
  const r = await alice.post('/pipelines/run', { dataset_id: original, steps: [{ step: 'deduplicate' }, { step: 'parse_dates', column: 'city' }] });
  expect(r.status).toBe(202);
  const p = await poll(alice, r.body.pipeline_id);
  expect(p).toMatchObject({ status: 'failed', error_code: 'INVALID_OPTIONS', output_dataset_id: null });
  expect(p.error).toContain("'city' does not hold dates in a form Assay recognises");
  expect(p.steps[0].effect).toMatchObject({ rows_after: unique.length });
  expect(p.steps[1].effect).toBeNull();
  expect(p.logs.at(-1).message).toMatch(/^failed: 'city' does not hold dates/);
  // One attempt: the table was read once, not once per retry.
  expect(p.logs.filter((l: any) => l.message.startsWith('read ')).length).toBe(1);
  const attempts = await stack.db.selectFrom('datasets').select('id').where('id', '=', (await stack.db.selectFrom('pipelines').select('output_dataset_id').where('id', '=', r.body.pipeline_id).executeTakeFirstOrThrow()).output_dataset_id).execute();
  expect(attempts).toEqual([]);
});

test('the storage quota counts the version to come (the input\'s size stands in for it): 413 past it, no pipeline started', async () => {
  const carol = new ApiClient(stack.base);
  await carol.register();
  const d = (await carol.upload('small.csv', 'a,b\n1,2\n3,4\n')).body.dataset_id;
  // Make the upload count as 2.3 MB: with its version that would be 4.6 MB, past the 4 MB quota.
  await stack.db.updateTable('datasets').set({ size_bytes: 2300 * 1024 }).where('id', '=', d).execute();
  const r = await carol.post('/pipelines/run', { dataset_id: d, steps: [{ step: 'deduplicate' }] });
  expect(r.status).toBe(413);
  expect(r.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { quota_bytes: 4 * 1024 * 1024, held_bytes: 2300 * 1024, needed_bytes: 2300 * 1024 } });
  expect(await stack.db.selectFrom('pipelines').select('id').where('dataset_id', '=', d).execute()).toEqual([]);
});

test('two pipelines of one lineage finishing together take distinct version numbers', async () => {
  const steps = [{ step: 'drop_column', column: 'const' }];
  const started = await Promise.all([0, 1].map(() => alice.post('/pipelines/run', { dataset_id: original, steps })));
  expect(started.map((r) => r.status)).toEqual([202, 202]);
  const done = await Promise.all(started.map((r) => poll(alice, r.body.pipeline_id)));
  expect(done.map((p) => p.status)).toEqual(['completed', 'completed']);
  const items = (await alice.get(`/datasets/${original}/versions`)).body.items as { id: string; version: number; parent_id: string | null }[];
  const mine = items.filter((v) => done.some((p) => p.output_dataset_id === v.id));
  expect(mine).toHaveLength(2);
  expect(new Set(items.map((v) => v.version)).size).toBe(items.length);
  expect(mine.every((v) => v.parent_id === original)).toBe(true);
});
