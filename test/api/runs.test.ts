import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tablesPrefix } from '../../activities/dataset-table.js';
import { ApiClient, VEGA } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let c: ApiClient;
let penguins: string;
beforeAll(async () => {
  stack = await startStack({ db: 'postgres', env: { CLARIFY_TIMEOUT_S: '600', SSE_KEEPALIVE_S: '1' } });
  c = new ApiClient(stack.base);
  await c.register();
  penguins = (await c.uploadFile(VEGA('penguins.json'))).body.dataset_id;
});
afterAll(async () => { await stack?.close(); });

const start = (client: ApiClient, body: unknown, headers?: Record<string, string>) => client.post('/runs/start', body, headers);

describe('a run from start to result', () => {
  let runId: string;
  test('start answers 202 with the workflow id, and the run completes', async () => {
    const r = await start(c, { dataset_id: penguins, options: { target: 'Species', cv_folds: 3, seed: 7 } });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ workflow_id: `run-${r.body.run_id}`, status: 'queued' });
    runId = r.body.run_id;
    const s = await c.waitFor(runId, (b) => b.status === 'completed');
    expect(s).toMatchObject({ run_id: runId, stage: 'finalize', progress: 100, question: null, error: null });
    // The status carries the latest lines (training logs a line per fold); the whole log is at /logs.
    const logs = (await c.get(`/runs/${runId}/logs`)).body.items;
    expect(logs.map((l: { message: string }) => l.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^ingest: (read|reused the earlier read of) 344 rows × 7 columns/)]));
  });

  test('result.json has the dataset, EDA, leaderboard, report and timings', async () => {
    const r = await c.get(`/runs/${runId}/result`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ run_id: runId, status: 'completed', dataset: { rows: 344, cols: 7 } });
    expect(r.body.modeling).toMatchObject({ task: 'classification', target: 'Species', metric: 'macro_f1' });
    // Each family's best trial, and an ensemble of them when it beats the best one by more than noise.
    const models = r.body.modeling.leaderboard.map((e: { model: string }) => e.model).sort();
    expect(models.filter((m: string) => m !== 'ensemble')).toEqual(['baseline', 'gbdt', 'linear', 'random_forest']);
    expect(r.body.modeling.leaderboard[0].cv_mean).toBeGreaterThan(0.9);
    expect(r.body.report_html).toMatch(/^<!doctype html>/);
    expect(Object.keys(r.body.timings)).toEqual(['ingest', 'profile', 'train', 'report', 'qa']);
    expect(r.body.timings.ingest.attempts).toBe(1);
    // The ensemble's score is cross-validated like the others', so it needs no warning of its own.
    expect(r.body.warnings).toEqual(["Task inferred as classification from 'Species' (categorical); set options.task to choose otherwise."]);
  });

  test('the timeline comes from the workflow history', async () => {
    const t = await c.get(`/runs/${runId}/timeline`);
    const kinds = t.body.events.map((e: { kind: string; stage: string | null }) => `${e.kind}:${e.stage ?? ''}`);
    expect(kinds[0]).toBe('workflow_started:');
    for (const s of ['ingest', 'profile', 'train', 'report', 'qa', 'finalize']) expect(kinds).toContain(`stage_completed:${s}`);
    expect(kinds.at(-1)).toBe('workflow_completed:');
    expect(t.body.events.find((e: { kind: string }) => e.kind === 'stage_started').attempt).toBe(1);
  });

  test('every artifact downloads through its signed link without a token; a tampered link is refused', async () => {
    const a = await c.get(`/runs/${runId}/artifacts`);
    const names = a.body.items.map((x: { filename: string }) => x.filename);
    expect(names).toEqual(expect.arrayContaining(['data.parquet', 'manifest.json', 'eda.json', 'modeling.json', 'report.html', 'critique.json', 'result.json']));
    for (const item of a.body.items) {
      expect(new Date(item.expires_at).getTime()).toBeGreaterThan(Date.now());
      const res = await fetch(item.download_url);
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBe(item.size);
    }
    const tampered = await fetch(a.body.items[0].download_url.replace(/sig=./, 'sig=A'));
    expect(tampered.status).toBe(403);
  });

  test('logs come as JSON or text', async () => {
    const j = await c.get(`/runs/${runId}/logs`);
    expect(j.body.items[0]).toMatchObject({ level: 'info', message: expect.any(String) });
    const t = await c.get(`/runs/${runId}/logs?format=text`);
    expect(t.headers.get('content-type')).toMatch(/text\/plain/);
    expect(t.text).toMatch(/INFO finalize: run completed/);
  });

  test('the model is listed, described and predicts; bad rows are 422 naming the columns', async () => {
    const models = (await c.get('/models')).body.items;
    const m = models.find((x: { run_id: string }) => x.run_id === runId);
    const result = (await c.get(`/runs/${runId}/result`)).body;
    expect(m).toMatchObject({ name: result.modeling.leaderboard[0].model, task: 'classification', target: 'Species', version: expect.any(Number) });
    const detail = await c.get(`/models/${m.id}`);
    expect(detail.body.features).toContainEqual(expect.objectContaining({ name: 'Beak Length (mm)', type: 'float' }));
    expect(detail.body.features).toContainEqual(expect.objectContaining({ name: 'Island', categories: expect.arrayContaining(['Biscoe', 'Dream', 'Torgersen']) }));
    expect(detail.body.importances[0]).toMatchObject({ feature: expect.any(String), importance: expect.any(Number) });
    const row = { Island: 'Biscoe', 'Beak Length (mm)': 46, 'Beak Depth (mm)': 14, 'Flipper Length (mm)': 215, 'Body Mass (g)': 5000, Sex: 'MALE' };
    const p = await c.post(`/models/${m.id}/predict`, { rows: [row] });
    expect(p.status).toBe(200);
    expect(p.body.predictions).toEqual(['Gentoo']);
    expect(Object.values(p.body.probabilities[0]).reduce((a: number, b) => a + (b as number), 0)).toBeCloseTo(1, 9);
    expect(p.body.drift.map((d: { feature: string }) => d.feature)).toContain('Island');
    const arts = (await c.get(`/runs/${runId}/artifacts`)).body.items;
    expect(arts.map((x: { id: string }) => x.id)).toContain(p.body.artifact_id);
    const bad = await c.post(`/models/${m.id}/predict`, { rows: [{ Island: 'Biscoe', 'Beak Length (mm)': 'long' }] });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toBe("rows: missing columns: Beak Depth (mm), Flipper Length (mm), Body Mass (g), Sex; 'Beak Length (mm)' must be a number");
    expect(bad.body.error.details.missing).toEqual(['Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex']);
  });

  test('predict takes a CSV upload, explains per row with ?explain=true and warns about drifted inputs', async () => {
    const m = (await c.get('/models')).body.items.find((x: { run_id: string }) => x.run_id === runId);
    const header = 'Island,Beak Length (mm),Beak Depth (mm),Flipper Length (mm),Body Mass (g),Sex,extra';
    const lines = Array.from({ length: 120 }, (_, i) => `Biscoe,${46 + (i % 5)},14,${215 + (i % 7)},${9000 + i},FEMALE,x`); // drift is judged from 100 rows
    const fd = new FormData();
    fd.append('file', new Blob([[header, ...lines].join('\n')], { type: 'text/csv' }), 'rows.csv');
    const p = await c.req('POST', `/models/${m.id}/predict?explain=true`, fd);
    expect(p.status).toBe(200);
    expect(p.body.predictions).toHaveLength(120);
    const e = p.body.explanations.rows[0];
    expect(Object.keys(e.contributions).sort()).toEqual(['Beak Depth (mm)', 'Beak Length (mm)', 'Body Mass (g)', 'Flipper Length (mm)', 'Island', 'Sex']);
    expect(e).toMatchObject({ base_value: expect.any(Number), class: expect.any(String) });
    // Every penguin here weighs 9 kg: far outside what the model was trained on.
    expect(p.body.drift.find((d: { feature: string }) => d.feature === 'Body Mass (g)')).toMatchObject({ drifted: true });
    expect(p.body.warnings.join(' ')).toMatch(/Input drift on 'Body Mass \(g\)': PSI \d+\.\d+/);

    const notCsv = new FormData();
    notCsv.append('file', new Blob(['Island\n'], { type: 'text/csv' }), 'empty.csv');
    const empty = await c.req('POST', `/models/${m.id}/predict`, notCsv);
    expect(empty.status).toBe(422);
    expect(empty.body.error.message).toMatch(/^file: The CSV has a header but no rows to predict\.$/);
  });

  test('the report is served as HTML and downloads as HTML or PDF', async () => {
    const result = (await c.get(`/runs/${runId}/result`)).body;
    const html = await c.get(`/reports/${result.report_id}`);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(html.text).toContain('<h2 id="h-models">Models</h2>');
    const dl = await c.get(`/reports/${result.report_id}/download?format=html`);
    expect(dl.status).toBe(302);
    const file = await fetch(dl.headers.get('location')!);
    expect(await file.text()).toBe(html.text);
    const pdf = await c.get(`/reports/${result.report_id}/download?format=pdf`);
    expect(pdf.status).toBe(302);
    const pdfFile = await fetch(pdf.headers.get('location')!);
    expect(pdfFile.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdfFile.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const artifacts = (await c.get(`/runs/${runId}/artifacts`)).body.items.map((a: { filename: string }) => a.filename);
    expect(artifacts).toEqual(expect.arrayContaining(['report.html', 'report.pdf', 'critique.json']));
  });

  test('cancel and clarify on a finished run are 409', async () => {
    expect((await c.post(`/runs/${runId}/cancel`)).status).toBe(409);
    expect((await c.post(`/runs/${runId}/clarify`, { target: 'Species' })).status).toBe(409);
    expect((await c.post(`/runs/${runId}/retry`)).status).toBe(409);
  });
});

describe('starting runs', () => {
  test('the same Idempotency-Key returns the same run', async () => {
    const u = new ApiClient(stack.base);
    await u.register();
    const ds = (await u.uploadFile(VEGA('penguins.json'))).body.dataset_id;
    const a = await start(u, { dataset_id: ds, options: { skip_modeling: true } }, { 'Idempotency-Key': 'abc-1' });
    const b = await start(u, { dataset_id: ds, options: { skip_modeling: true } }, { 'Idempotency-Key': 'abc-1' });
    expect(b.body.run_id).toBe(a.body.run_id);
    const other = await start(u, { dataset_id: ds, options: { skip_modeling: true } }, { 'Idempotency-Key': 'abc-2' });
    expect(other.body.run_id).not.toBe(a.body.run_id);
    await u.waitFor(a.body.run_id, (s) => s.status === 'completed');
    await u.waitFor(other.body.run_id, (s) => s.status === 'completed');
  });

  test('bad options are 400 or 422 naming the field; result is 409 while running', async () => {
    expect((await start(c, { dataset_id: penguins, options: { cv_folds: 11 } })).body.error.message).toMatch(/^options\.cv_folds: /);
    expect((await start(c, { dataset_id: penguins, options: { models: ['xgboost'] } })).status).toBe(400);
    expect((await start(c, { dataset_id: penguins, options: { colour: 'red' } })).status).toBe(400);
    const t = await start(c, { dataset_id: penguins, options: { target: 'x' } });
    expect(t.status).toBe(422);
    expect(t.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: "target: column 'x' does not exist" });
    const typed = await start(c, { dataset_id: penguins, options: { column_types: { Island: 'categorical', Nope: 'integer' } } });
    expect(typed.status).toBe(422);
    expect(typed.body.error.message).toBe("column_types: column 'Nope' does not exist");
    expect((await start(c, { dataset_id: penguins, options: { column_types: { Island: 'colour' } } })).status).toBe(400);
    expect((await start(c, { dataset_id: penguins, options: { alert_thresholds: { missing_pct: 2 } } })).status).toBe(400);
    expect((await start(c, { dataset_id: penguins, options: { alert_thresholds: { loud: 1 } } })).status).toBe(400);
    expect((await start(c, { dataset_id: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
  });
});

describe('clarify, cancel, limits', () => {
  test('without a clear target the run asks; clarify with a bad column is 422; a good answer trains on it', async () => {
    const u = new ApiClient(stack.base);
    await u.register();
    const cars = (await u.uploadFile(VEGA('cars.json'))).body.dataset_id;
    const run = (await start(u, { dataset_id: cars, options: { cv_folds: 3 } })).body.run_id;
    const s = await u.waitFor(run, (b) => b.status === 'awaiting_clarification');
    expect(s.stage).toBe('clarify');
    expect(s.question.kind).toBe('target');
    expect(s.question.options[0]).toMatchObject({ column: 'Origin', reason: expect.stringMatching(/last column/) });
    expect((await u.get(`/runs?status=awaiting_clarification`)).body.items.map((r: { id: string }) => r.id)).toEqual([run]);
    expect((await u.get(`/runs/${run}/result`)).status).toBe(409);
    expect((await u.post(`/runs/${run}/clarify`, { target: 'Nope' })).status).toBe(422);
    expect((await u.post(`/runs/${run}/clarify`, {})).status).toBe(400);
    const ok = await u.post(`/runs/${run}/clarify`, { target: 'Horsepower', task: 'regression' });
    expect(ok.status).toBe(202);
    await u.waitFor(run, (b) => b.status === 'completed');
    const result = (await u.get(`/runs/${run}/result`)).body;
    expect(result.modeling).toMatchObject({ target: 'Horsepower', task: 'regression', metric: 'r2' });
    expect(result.warnings).toContain('6 rows without a target value were left out.'); // modeling's warnings reach the result
  });

  test('a repeated identifier is offered as the folds\' grouping; taking it groups validation, declining it warns', async () => {
    const u = new ApiClient(stack.base);
    await u.register();
    // 20 stores × 12 days; no column is clearly the target, so the run asks, and store_id repeats.
    const lines = ['store_id,temp,promo,units,revenue'];
    for (let s = 0; s < 20; s++) for (let d = 0; d < 12; d++) {
      const temp = 10 + ((s * 7 + d * 3) % 15), units = 20 + s * 3 + ((d * 5) % 9);
      lines.push(`S${String(s).padStart(2, '0')},${temp},${d % 3 ? 'no' : 'yes'},${units},${(units * 4.5 + temp).toFixed(2)}`);
    }
    const ds = (await u.upload('stores.csv', lines.join('\n') + '\n')).body.dataset_id;
    const [grouped, plain] = [(await start(u, { dataset_id: ds, options: { cv_folds: 3 } })).body.run_id, (await start(u, { dataset_id: ds, options: { cv_folds: 3 } })).body.run_id];
    const s = await u.waitFor(grouped, (b) => b.status === 'awaiting_clarification');
    expect(s.question.group_options).toEqual([{ column: 'store_id', groups: 20, rows_per_group: 12 }]);
    expect(s.question.message).toMatch(/'store_id' \(20 values, 12 rows each\) repeats: answer with group_column/);
    expect((await u.post(`/runs/${grouped}/clarify`, { target: 'revenue', group_column: 'nope' })).status).toBe(422);
    expect((await u.post(`/runs/${grouped}/clarify`, { target: 'revenue', group_column: 'revenue' })).status).toBe(422);
    expect((await u.post(`/runs/${grouped}/clarify`, { target: 'revenue', task: 'regression', group_column: 'store_id' })).status).toBe(202);
    await u.waitFor(plain, (b) => b.status === 'awaiting_clarification');
    expect((await u.post(`/runs/${plain}/clarify`, { target: 'revenue', task: 'regression' })).status).toBe(202);
    await u.waitFor(grouped, (b) => b.status === 'completed');
    await u.waitFor(plain, (b) => b.status === 'completed');
    const g = (await u.get(`/runs/${grouped}/result`)).body, p = (await u.get(`/runs/${plain}/result`)).body;
    expect(g.modeling.validation).toMatchObject({ scheme: 'group', group_column: 'store_id' });
    expect(g.warnings.join(' ')).not.toMatch(/folds were not grouped/);
    expect(p.modeling.validation.scheme).toBe('kfold');
    expect(p.warnings).toContainEqual(expect.stringMatching(/^'store_id' repeats \(20 values, 12 rows each on average\) and folds were not grouped by it/));
  });

  test('more than MAX_ACTIVE_RUNS_PER_USER active runs is 429; cancel frees a slot and keeps partial artifacts', async () => {
    const u = new ApiClient(stack.base);
    await u.register();
    const cars = (await u.uploadFile(VEGA('cars.json'))).body.dataset_id;
    const runs: string[] = [];
    for (let i = 0; i < 3; i++) runs.push((await start(u, { dataset_id: cars })).body.run_id);
    const fourth = await start(u, { dataset_id: cars });
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe('RATE_LIMITED');
    for (const r of runs) await u.waitFor(r, (b) => b.status === 'awaiting_clarification');
    const cancel = await u.post(`/runs/${runs[0]}/cancel`);
    expect(cancel.status).toBe(202);
    await u.waitFor(runs[0], (b) => b.status === 'cancelled');
    const result = (await u.get(`/runs/${runs[0]}/result`)).body;
    expect(result).toMatchObject({ status: 'cancelled', error: 'Cancelled by request.' });
    const kept = (await u.get(`/runs/${runs[0]}/artifacts`)).body.items.map((a: { filename: string }) => a.filename);
    expect(kept).toEqual(expect.arrayContaining(['data.parquet', 'eda.json', 'result.json']));
    expect((await u.post(`/runs/${runs[0]}/cancel`)).status).toBe(409);
    expect((await start(u, { dataset_id: cars, options: { skip_modeling: true } })).status).toBe(202);
    for (const r of runs.slice(1)) await u.post(`/runs/${r}/clarify`, { skip_modeling: true });
  });

  test('an infrastructure failure parks the run in needs_attention; retry after the fix completes it', async () => {
    const u = new ApiClient(stack.base);
    await u.register();
    const ds = (await u.upload('ops.csv', 'a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n9,1,x\n2,3,y\n')).body.dataset_id;
    const row = await stack.db.selectFrom('datasets').selectAll().where('id', '=', ds).executeTakeFirstOrThrow();
    const saved = await stack.storage.get(row.storage_key);
    await stack.storage.delete(row.storage_key); // the object store "loses" the upload…
    await stack.storage.deletePrefix(tablesPrefix(row.user_id, row.sha256)); // …and the normalised copy the upload's read made
    const run = (await start(u, { dataset_id: ds, options: { target: 'label', cv_folds: 2 } })).body.run_id;
    const s = await u.waitFor(run, (b) => b.status === 'needs_attention');
    expect(s.stage).toBe('ingest');
    expect(s.error).toMatch(/ingest failed after 2 attempts/);
    expect((await u.post(`/runs/${run}/clarify`, { target: 'label' })).status).toBe(409);
    await stack.storage.put(row.storage_key, saved); // ops restore it
    expect((await u.post(`/runs/${run}/retry`)).status).toBe(202);
    await u.waitFor(run, (b) => b.status === 'completed');
    const timeline = (await u.get(`/runs/${run}/timeline`)).body.events.map((e: { kind: string; detail: string | null }) => `${e.kind}:${e.detail ?? ''}`);
    expect(timeline).toContain('update:retry');
  });

  test('a yes/no target comes back in the words the file used: classes, predictions and probability keys', async () => {
    const u = new ApiClient(stack.base);
    await u.register();
    const lines = Array.from({ length: 120 }, (_, i) => `${i % 10},${(i * 7) % 13},${i % 10 > 4 ? 'Yes' : 'No'}`);
    const ds = (await u.upload('churn.csv', ['tenure,calls,churned', ...lines].join('\n'))).body.dataset_id;
    const run = (await start(u, { dataset_id: ds, options: { target: 'churned', cv_folds: 2, models: ['linear'] } })).body.run_id;
    await u.waitFor(run, (b) => b.status === 'completed', 120_000);
    const model = (await u.get(`/runs/${run}/result`)).body.modeling.best_model_id;
    const p = await u.post(`/models/${model}/predict`, { rows: [{ tenure: 9, calls: 1 }, { tenure: 0, calls: 1 }] });
    expect(p.status).toBe(200);
    expect(p.body.predictions.every((x: string) => x === 'Yes' || x === 'No')).toBe(true); // never true/false
    expect(Object.keys(p.body.probabilities[0]).sort()).toEqual(['No', 'Yes']);
  });

  test('bad data inside a job fails it with a readable reason', async () => {
    const u = new ApiClient(stack.base);
    await u.register();
    const ds = (await u.upload('const.csv', 'a,label\n1,x\n2,x\n3,x\n4,x\n')).body.dataset_id;
    const run = (await start(u, { dataset_id: ds, options: { target: 'label' } })).body.run_id;
    const s = await u.waitFor(run, (b) => b.status === 'failed');
    expect(s.error).toBe("The target 'label' has a single value; there is nothing to predict.");
    const result = (await u.get(`/runs/${run}/result`)).body;
    expect(result).toMatchObject({ status: 'failed', error: s.error });
  });
});

describe('live status', () => {
  test('while a stage runs, status shows its last heartbeat and progress within the stage', async () => {
    const u = new ApiClient(stack.base);
    await u.register();
    const lines = ['x1,x2,x3,x4,c,label'];
    for (let i = 0; i < 60_000; i++) lines.push(`${Math.sin(i)},${Math.cos(i * 7)},${i % 97},${(i * 13) % 31},k${i % 40},${(Math.sin(i) + (i % 40) / 40) > 0.5 ? 'a' : 'b'}`);
    const ds = (await u.upload('wide.csv', lines.join('\n'))).body.dataset_id;
    const run = (await start(u, { dataset_id: ds, options: { target: 'label', cv_folds: 5 } })).body.run_id;
    const inTrain = await u.waitFor(run, (s) => s.stage === 'train' && s.heartbeat_at !== null && s.progress > 40 && s.progress < 80, 90_000);
    expect(Date.parse(inTrain.heartbeat_at)).toBeGreaterThan(Date.now() - 60_000);
    await u.post(`/runs/${run}/cancel`); // and cancelling mid-fit stops the training thread promptly
    await u.waitFor(run, (s) => s.status === 'cancelled', 30_000);
  }, 180_000);
});

describe('server-sent events', () => {
  test('a quiet stream (a run waiting for an answer) sends keep-alive comments', async () => {
    const u = new ApiClient(stack.base);
    await u.register();
    const cars = (await u.uploadFile(VEGA('cars.json'))).body.dataset_id;
    const run = (await start(u, { dataset_id: cars })).body.run_id;
    await u.waitFor(run, (s) => s.status === 'awaiting_clarification');
    const abort = new AbortController();
    const res = await fetch(`${stack.base}/runs/${run}/events`, { headers: { authorization: `Bearer ${u.token}` }, signal: abort.signal });
    const reader = res.body!.getReader();
    let text = '';
    const deadline = Date.now() + 10_000;
    while (!text.includes(': keep-alive') && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    expect(text).toMatch(/event: status\ndata: .*"awaiting_clarification"/);
    expect(text).toContain(': keep-alive\n\n');
    await u.post(`/runs/${run}/cancel`);
  });

  test('the stream sends status and log events until the run ends', async () => {
    const u = new ApiClient(stack.base);
    await u.register();
    const ds = (await u.uploadFile(VEGA('penguins.json'))).body.dataset_id;
    const run = (await start(u, { dataset_id: ds, options: { target: 'Sex', cv_folds: 2 } })).body.run_id;
    const res = await fetch(`${stack.base}/runs/${run}/events`, { headers: { authorization: `Bearer ${u.token}` } });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await res.text(); // the server closes the stream when the run ends
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({ event: m[1], data: JSON.parse(m[2]) }));
    expect(events.some((e) => e.event === 'log' && /finalize: run completed/.test(e.data.message))).toBe(true);
    expect(events.filter((e) => e.event === 'status').at(-1)!.data.status).toBe('completed');
  });

  test('every frame carries a growing id, and a reconnect with Last-Event-ID gets only what it missed', async () => {
    const u = new ApiClient(stack.base);
    await u.register();
    const ds = (await u.uploadFile(VEGA('penguins.json'))).body.dataset_id;
    const run = (await start(u, { dataset_id: ds, options: { skip_modeling: true } })).body.run_id;
    const read = async (lastEventId?: string) => {
      const headers: Record<string, string> = { authorization: `Bearer ${u.token}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) };
      const text = await (await fetch(`${stack.base}/runs/${run}/events`, { headers })).text();
      return text.split('\n\n').filter((f) => f && !f.startsWith(':')).map((f) => {
        const m = /^id: (\d+(?:\.\d+)?)\nevent: (\w+)\ndata: (.*)$/.exec(f);
        expect(m, `frame without an id line: ${f}`).not.toBeNull();
        return { id: m![1], event: m![2], data: JSON.parse(m![3]) };
      });
    };
    const frames = await read();
    const ids = frames.map((f) => f.id.split('.').map(Number) as [number, number?]);
    for (let i = 1; i < ids.length; i++) {
      const [a, b] = [ids[i - 1], ids[i]];
      expect(b[0] > a[0] || (b[0] === a[0] && (b[1] ?? 0) > (a[1] ?? 0)), `${frames[i - 1].id} then ${frames[i].id}`).toBe(true);
    }
    expect(frames.filter((f) => f.event === 'log').every((f) => /^\d+$/.test(f.id))).toBe(true);
    expect(frames.filter((f) => f.event === 'status').every((f) => /^\d+\.\d+$/.test(f.id))).toBe(true);
    const logs = frames.filter((f) => f.event === 'log');
    const middle = logs[Math.floor(logs.length / 2)];
    const resumed = await read(middle.id);
    expect(resumed.filter((f) => f.event === 'log').map((f) => f.data.message)).toEqual(logs.slice(logs.indexOf(middle) + 1).map((f) => f.data.message));
    expect(resumed.at(-1)).toMatchObject({ event: 'status', data: { status: 'completed' } });
  });
});

describe('a worker without Chromium', () => {
  let bare: Stack;
  beforeAll(async () => { bare = await startStack({ db: 'pglite', env: { CHROMIUM_PATH: '/nonexistent/chromium' } }); });
  afterAll(async () => { await bare?.close(); });

  test('completes the run with an HTML report; the PDF download says why it is absent', async () => {
    const u = new ApiClient(bare.base);
    await u.register();
    const ds = (await u.uploadFile(VEGA('penguins.json'))).body.dataset_id;
    const runId = (await start(u, { dataset_id: ds, options: { skip_modeling: true } })).body.run_id;
    await u.waitFor(runId, (b) => b.status === 'completed');
    const result = (await u.get(`/runs/${runId}/result`)).body;
    expect(result.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^No PDF was made: Chromium was not found at \/nonexistent\/chromium/)]));
    const pdf = await u.get(`/reports/${result.report_id}/download?format=pdf`);
    expect(pdf.status).toBe(404);
    expect(pdf.body.error.message).toMatch(/no PDF/);
  });
});
