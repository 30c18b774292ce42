import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiClient } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => { stack = await startStack({ db: 'pglite' }); });
afterAll(async () => { await stack?.close(); });

describe('auth', () => {
  test('register answers 201 with a bearer token and the user; the email is then taken (409)', async () => {
    const c = new ApiClient(stack.base);
    const r = await c.post('/auth/register', { name: 'Ada', email: 'Ada@Example.com', password: 'long enough pw' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ token_type: 'bearer', user: { name: 'Ada', email: 'ada@example.com', role: 'user' } });
    expect(r.body.access_token).toEqual(expect.any(String));
    expect(r.body.user).not.toHaveProperty('password_hash');
    const again = await c.post('/auth/register', { name: 'Ada', email: 'ada@example.com', password: 'long enough pw' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
  });

  test('login answers the same shape; a wrong password is 401', async () => {
    const c = new ApiClient(stack.base);
    await c.post('/auth/register', { name: 'Bo', email: 'bo@example.com', password: 'long enough pw' });
    const ok = await c.post('/auth/login', { email: 'bo@example.com', password: 'long enough pw' });
    expect(ok.status).toBe(200);
    expect(ok.body.user.email).toBe('bo@example.com');
    const bad = await c.post('/auth/login', { email: 'bo@example.com', password: 'wrong password' });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toMatchObject({ code: 'UNAUTHORIZED', message: 'Wrong email or password.' });
  });

  test('/auth/me needs a valid token', async () => {
    const c = new ApiClient(stack.base);
    expect((await c.get('/auth/me')).status).toBe(401);
    c.token = 'not-a-jwt';
    expect((await c.get('/auth/me')).body.error.code).toBe('UNAUTHORIZED');
    const u = await c.register();
    const me = await c.get('/auth/me');
    expect(me.body).toMatchObject({ id: u.user.id, email: u.user.email, role: 'user' });
    expect(me.body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  test('malformed bodies are 400 VALIDATION_ERROR naming the field', async () => {
    const c = new ApiClient(stack.base);
    const short = await c.post('/auth/register', { name: 'X', email: 'x@example.com', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/^password: /);
    const email = await c.post('/auth/register', { name: 'X', email: 'nope', password: 'long enough pw' });
    expect(email.body.error.message).toMatch(/^email: /);
    const notJson = await c.req('POST', '/auth/login', '{"email":', {});
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('VALIDATION_ERROR');
    const extra = await c.post('/auth/login', { email: 'x@example.com', password: 'p', admin: true });
    expect(extra.status).toBe(400);
  });
});

describe('projects', () => {
  test('create and list are per user', async () => {
    const a = new ApiClient(stack.base);
    const b = new ApiClient(stack.base);
    await a.register();
    await b.register();
    const p = await a.post('/projects', { name: '<b>Churn</b>', description: 'Q3' });
    expect(p.status).toBe(201);
    expect(p.body).toMatchObject({ name: '<b>Churn</b>', description: 'Q3' });
    expect((await a.get('/projects')).body.items.map((x: { id: string }) => x.id)).toContain(p.body.id);
    expect((await b.get('/projects')).body.items).toEqual([]);
    expect((await a.post('/projects', { name: '' })).status).toBe(400);
  });
});
