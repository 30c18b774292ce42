import { afterAll, beforeAll, expect, test } from 'vitest';
import { createAdmin } from '../../api/admin-accounts.js';
import { ApiClient, VEGA } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
const owner = () => new ApiClient(stack.base);
let alice: ApiClient;
let mallory: ApiClient;
let admin: ApiClient;
const ids: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({ db: 'postgres' });
  alice = owner();
  mallory = owner();
  admin = owner();
  await alice.register();
  await mallory.register();
  await admin.register('root@example.com', 'Root');
  await createAdmin(stack.db, { email: 'root@example.com', name: 'Root' });
  ids.project = (await alice.post('/projects', { name: 'secret' })).body.id;
  ids.dataset = (await alice.uploadFile(VEGA('penguins.json'))).body.dataset_id;
  ids.run = (await alice.post('/runs/start', { dataset_id: ids.dataset, options: { target: 'Species', cv_folds: 2 } })).body.run_id;
  await alice.waitFor(ids.run, (s) => s.status === 'completed');
  const result = (await alice.get(`/runs/${ids.run}/result`)).body;
  ids.report = result.report_id;
  ids.model = result.modeling.best_model_id;
  const other = (await alice.uploadFile(VEGA('cars.json'))).body.dataset_id;
  const cmp = await alice.post('/datasets/compare', { dataset_a: ids.dataset, dataset_b: other });
  expect(cmp.status).toBe(200);
  ids.compare = cmp.body.compare_id;
});
afterAll(async () => { await stack?.close(); });

const routes: [string, string, unknown?][] = [
  ['GET', '/datasets/:dataset'], ['GET', '/datasets/:dataset/preview'], ['DELETE', '/datasets/:dataset'],
  ['GET', '/runs/:run/status'], ['POST', '/runs/:run/clarify', { target: 'Species' }], ['POST', '/runs/:run/cancel'], ['POST', '/runs/:run/retry'],
  ['GET', '/runs/:run/result'], ['GET', '/runs/:run/timeline'], ['GET', '/runs/:run/artifacts'], ['GET', '/runs/:run/events'], ['GET', '/runs/:run/logs'],
  ['GET', '/models/:model'], ['POST', '/models/:model/predict', { rows: [{}] }], ['GET', '/models/:model/export'],
  ['GET', '/reports/:report'], ['GET', '/reports/:report/download'],
  ['GET', '/datasets/compare/:compare'], ['GET', '/datasets/compare/:compare/report'],
];
// Routes without an id of someone else's to try: public ones, admin ones, and the caller's own lists and creations.
const publicRoutes = ['GET /', 'GET /docs', 'GET /docs/scalar.js', 'GET /openapi.json', 'GET /health', 'GET /metrics', 'GET /files', 'POST /auth/register', 'POST /auth/login'];
const adminRoutes = ['GET /admin/users', 'GET /admin/stats', 'GET /admin/logs'];
const ownRoutes = ['GET /auth/me', 'GET /projects', 'POST /projects', 'GET /datasets', 'POST /datasets/upload', 'POST /datasets/compare', 'GET /runs', 'POST /runs/start', 'GET /models'];

test('every route the API registers is in one of the tables of this file (a new route must say how it is scoped)', async () => {
  const doc = (await alice.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  const registered = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
  const tabled = [...routes.map(([m, p]) => `${m} ${p.replace(/:\w+/g, '{id}')}`), ...publicRoutes, ...adminRoutes, ...ownRoutes].sort();
  expect(registered).toEqual(tabled);
});

test.each(adminRoutes)('%s is 403 for a user and 200 for an admin', async (route) => {
  const path = route.split(' ')[1];
  expect((await mallory.get(path)).status).toBe(403);
  expect((await admin.get(path)).status).toBe(200);
});

const fill = (path: string) => path.replace(/:(\w+)/g, (_, k: string) => ids[k]);

test.each(routes)("%s %s with another user's id answers 404 and changes nothing", async (method, path, body) => {
  const r = await mallory.req(method, fill(path), body);
  expect(r.status).toBe(404);
  expect(r.body.error.code).toBe('NOT_FOUND');
});

test.each(routes)('%s %s without a token answers 401', async (method, path, body) => {
  const r = await new ApiClient(stack.base).req(method, fill(path), body);
  expect(r.status).toBe(401);
});

test('starting a run on another user\'s dataset or in their project is 404', async () => {
  expect((await mallory.post('/runs/start', { dataset_id: ids.dataset })).status).toBe(404);
  const mine = (await mallory.upload('m.csv', 'a,b\n1,2\n3,4\n')).body.dataset_id;
  expect((await mallory.post('/runs/start', { dataset_id: mine, project_id: ids.project })).status).toBe(404);
  expect((await mallory.upload('m.csv', 'a,b\n1,2\n', { project_id: ids.project })).status).toBe(404);
});

test("comparing another user's dataset is 404, whichever side it is on", async () => {
  const mine = (await mallory.upload('m.csv', 'a,b\n1,2\n3,4\n')).body.dataset_id;
  for (const body of [{ dataset_a: ids.dataset, dataset_b: mine }, { dataset_a: mine, dataset_b: ids.dataset }]) {
    const r = await mallory.post('/datasets/compare', body);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  }
});

test('lists show only the caller\'s rows', async () => {
  for (const path of ['/datasets', '/runs', '/models', '/projects']) {
    const items = (await mallory.get(path)).body.items as { id: string }[];
    expect(items.map((i) => i.id)).not.toContain(ids.dataset);
    expect(items.map((i) => i.id)).not.toContain(ids.run);
    expect(items.map((i) => i.id)).not.toContain(ids.model);
    expect(items.map((i) => i.id)).not.toContain(ids.project);
  }
  expect((await alice.get('/datasets/' + ids.dataset)).status).toBe(200);
});

test('the owner\'s data survived the other user\'s attempts', async () => {
  expect((await alice.get(`/datasets/${ids.dataset}`)).status).toBe(200);
  expect((await alice.get(`/runs/${ids.run}/status`)).body.status).toBe('completed');
});

test('admins may read everyone\'s runs but not act on them', async () => {
  expect((await admin.get(`/runs/${ids.run}/status`)).status).toBe(200);
  expect((await admin.get('/runs')).body.items.map((r: { id: string }) => r.id)).toContain(ids.run);
  expect((await admin.post(`/runs/${ids.run}/cancel`)).status).toBe(404);
  const stats = (await admin.get('/admin/stats')).body;
  expect(stats.users).toBe(3);
  expect(stats.runs_by_status.completed).toBe(1);
  expect(stats.mean_stage_duration_ms.train).toEqual(expect.any(Number));
  const logs = (await admin.get(`/admin/logs?run_id=${ids.run}`)).body.items;
  expect(logs.length).toBeGreaterThan(5);
  expect((await admin.get('/admin/users')).body.items.map((u: { email: string }) => u.email)).toContain('root@example.com');
});
