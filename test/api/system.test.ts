import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildOpenApiDocument } from '../../api/openapi-spec.js';
import { ApiClient } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => { stack = await startStack({ db: 'pglite', s3: true }); });
afterAll(async () => { await stack?.close(); });

test('/health reports db, temporal and storage', async () => {
  const r = await new ApiClient(stack.base).get('/health');
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ status: 'ok', version: '0.1.0', checks: { db: 'ok', temporal: 'ok', storage: 'ok' } });
  expect(r.body.uptime_s).toEqual(expect.any(Number));
});

test('/metrics is Prometheus text with request counters and runs by status', async () => {
  const c = new ApiClient(stack.base);
  await c.get('/health');
  const r = await c.get('/metrics');
  expect(r.headers.get('content-type')).toMatch(/text\/plain/);
  expect(r.text).toMatch(/assay_http_requests_total\{method="GET",route="\/health",status="200"\} \d+/);
  expect(r.text).toMatch(/assay_runs\{status="completed"\} \d+/);
});

test('/metrics counts errors under the status actually sent, not 404', async () => {
  const c = new ApiClient(stack.base);
  await c.get('/runs'); // no token: 401
  await c.post('/auth/login', { email: 'not-an-email' }); // 400
  const r = await c.get('/metrics');
  expect(r.text).toMatch(/assay_http_requests_total\{method="GET",route="\/runs",status="401"\} [1-9]/);
  expect(r.text).toMatch(/assay_http_requests_total\{method="POST",route="\/auth\/login",status="400"\} [1-9]/);
  expect(r.text).not.toMatch(/route="\/runs",status="404"/);
});

test('/openapi.json documents every route with schemas', async () => {
  const doc = (await new ApiClient(stack.base).get('/openapi.json')).body;
  expect(doc.openapi).toBe('3.0.3');
  const ops = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, o]) => Object.keys(o).map((m) => `${m.toUpperCase()} ${p}`));
  for (const route of [
    'POST /auth/register', 'POST /auth/login', 'GET /auth/me', 'POST /projects', 'GET /projects', 'POST /datasets/upload', 'GET /datasets',
    'GET /datasets/{id}', 'GET /datasets/{id}/preview', 'DELETE /datasets/{id}', 'POST /runs/start', 'GET /runs', 'GET /runs/{id}/status',
    'POST /runs/{id}/clarify', 'POST /runs/{id}/cancel', 'POST /runs/{id}/retry', 'GET /runs/{id}/result', 'GET /runs/{id}/timeline',
    'GET /runs/{id}/artifacts', 'GET /runs/{id}/events', 'GET /runs/{id}/logs', 'GET /models', 'GET /models/{id}', 'POST /models/{id}/predict',
    'GET /reports/{id}', 'GET /reports/{id}/download', 'GET /admin/users', 'GET /admin/stats', 'GET /admin/logs', 'GET /health', 'GET /metrics',
    'GET /openapi.json', 'GET /docs',
  ]) expect(ops).toContain(route);
  const start = doc.paths['/runs/start'].post;
  expect(start.requestBody.content['application/json'].schema.properties.options.properties.cv_folds).toMatchObject({ minimum: 2, maximum: 10 });
  expect(start.security).toEqual([{ bearer: [] }]);
});

test('every operation in /openapi.json has a unique camelCase operationId, and npm run client sees the same document', async () => {
  const doc = (await new ApiClient(stack.base).get('/openapi.json')).body as { paths: Record<string, Record<string, { operationId?: string }>> };
  const ops = Object.entries(doc.paths).flatMap(([p, o]) => Object.entries(o).map(([m, op]) => ({ route: `${m.toUpperCase()} ${p}`, id: op.operationId })));
  expect(ops.filter((o) => !o.id || !/^[a-z][a-zA-Z0-9]*$/.test(o.id))).toEqual([]);
  const ids = ops.map((o) => o.id);
  expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  expect(doc.paths['/runs/start'].post.operationId).toBe('startRun');
  expect(doc.paths['/runs/{id}/clarify'].post.operationId).toBe('answerClarification');
  expect(doc.paths['/datasets'].get.operationId).toBe('listDatasets');
  // The client is generated from the in-process build; it must not drift from what a server answers.
  expect(buildOpenApiDocument()).toEqual(doc);
});

test('/docs and the web app are served', async () => {
  const c = new ApiClient(stack.base);
  expect((await c.get('/docs')).text).toContain('Assay API');
  expect((await c.get('/')).text).toContain('<div id="app"></div>');
});

test('unknown routes answer 404 in the error shape', async () => {
  const r = await new ApiClient(stack.base).get('/nope');
  expect(r.status).toBe(404);
  expect(r.body.error.code).toBe('NOT_FOUND');
});

test('with S3 storage, artifacts download from presigned S3 links', async () => {
  const c = new ApiClient(stack.base);
  await c.register();
  const ds = (await c.upload('s3.csv', 'x,y,label\n1,2,a\n2,3,b\n3,1,a\n4,4,b\n5,2,a\n6,6,b\n')).body.dataset_id;
  const run = (await c.post('/runs/start', { dataset_id: ds, options: { target: 'label', cv_folds: 2 } })).body.run_id;
  await c.waitFor(run, (s) => s.status === 'completed');
  const items = (await c.get(`/runs/${run}/artifacts`)).body.items;
  for (const a of items) {
    expect(a.download_url).toContain('X-Amz-Signature');
    const res = await fetch(a.download_url);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(a.size);
  }
});

test('a wrong or unknown method on a known path is 405 with the Allow header, never a 5xx', async () => {
  const c = new ApiClient(stack.base);
  const wrong = await c.req('DELETE', '/health');
  expect(wrong.status).toBe(405);
  expect(wrong.body.error.message).toBe('DELETE is not allowed on /health; allowed: HEAD, GET.');
  expect(wrong.headers.get('allow')).toBe('HEAD, GET');
  const { request } = await import('node:http');
  const unknown = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${stack.base}/projects`, { method: 'TRACE' }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
  expect(unknown.status).toBe(405);
  expect(JSON.parse(unknown.body).error.code).toBe('VALIDATION_ERROR');
});

test('text PostgreSQL cannot store is refused with a 400 naming the field', async () => {
  const c = new ApiClient(stack.base);
  const r = await c.req('POST', '/auth/register', '{"name":"a\\u0000b","email":"nul@example.com","password":"long enough pw"}');
  expect(r.status).toBe(400);
  expect(r.body.error.message).toBe('name: must not contain NUL or unpaired surrogate characters');
  const s = await c.req('POST', '/auth/register', '{"name":"\\udb29x","email":"sur@example.com","password":"long enough pw"}');
  expect(s.status).toBe(400);
});

test('/health answers 503 naming the dependency that is down', async () => {
  const broken = await startStack({ db: 'pglite', s3: true, env: { S3_BUCKET: 'no-such-bucket-anywhere' } });
  try {
    const r = await new ApiClient(broken.base).get('/health');
    expect(r.status).toBe(503);
    expect(r.body.status).toBe('degraded');
    expect(r.body.checks).toMatchObject({ db: 'ok', temporal: 'ok' });
    expect(r.body.checks.storage).toMatch(/^down: /);
  } finally {
    await broken.close();
  }
});
