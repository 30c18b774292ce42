// The typed client against a real API (Temporal, Postgres, storage): what the web app and the CLI rely on.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AssayApiError, AssayUnreachableError, createAssayClient, toFormData, unwrap, type Answer } from '../../client/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => { stack = await startStack({ db: 'pglite' }); });
afterAll(async () => { await stack?.close(); });

const signUp = async () => {
  const anon = createAssayClient({ baseUrl: stack.base });
  const email = `c-${Math.random().toString(36).slice(2)}@example.com`;
  return unwrap(anon.POST('/auth/register', { body: { name: 'Client', email, password: 'correct horse battery' } }));
};

test('a token signs the calls; uploads go as multipart; answers are the typed bodies', async () => {
  const { access_token, user } = await signUp();
  let token: string | undefined = access_token;
  const api = createAssayClient({ baseUrl: `${stack.base}/`, token: () => token });
  const me = await unwrap(api.GET('/auth/me'));
  expect(me).toMatchObject({ id: user.id, role: 'user' });

  const file = new File(['x,y\n1,2\n3,4\n5,7\n'], 'tiny.csv', { type: 'text/csv' });
  const up = await unwrap(api.POST('/datasets/upload', { body: { file }, bodySerializer: toFormData }));
  expect(up).toMatchObject({ name: 'tiny', rows: 3, cols: 2 }); // the file's name travelled (the stem names the dataset)
  expect(up.columns.map((c) => c.name)).toEqual(['x', 'y']);

  const list: Answer<'listDatasets'> = await unwrap(api.GET('/datasets', { params: { query: { limit: 10 } } }));
  expect(list.items.map((d) => d.id)).toEqual([up.dataset_id]);

  token = undefined; // the function is read per request: signing out takes effect at once
  const err = await unwrap(api.GET('/datasets')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AssayApiError);
  expect(err).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
});

test("errors carry the API's code, message, details and request id", async () => {
  const { access_token } = await signUp();
  const api = createAssayClient({ baseUrl: stack.base, token: access_token });
  const missing = await unwrap(api.GET('/runs/{id}/status', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } })).catch((e: unknown) => e);
  expect(missing).toBeInstanceOf(AssayApiError);
  expect(missing).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  expect((missing as AssayApiError).requestId).toEqual(expect.any(String));

  const bad = await unwrap(api.POST('/runs/start', { body: { dataset_id: 'not-a-uuid' } })).catch((e: unknown) => e) as AssayApiError;
  expect(bad.status).toBe(400);
  expect(bad.code).toBe('VALIDATION_ERROR');
  expect(bad.message).toMatch(/dataset_id/);
});

test('a server that is not there is an AssayUnreachableError, not an API error', async () => {
  const api = createAssayClient({ baseUrl: 'http://127.0.0.1:9' });
  const err = await unwrap(api.GET('/health')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AssayUnreachableError);
  expect((err as Error).message).toMatch(/Cannot reach the Assay API at http:\/\/127\.0\.0\.1:9/);
});
