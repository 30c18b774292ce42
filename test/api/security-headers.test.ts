import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { cors, securityHeaders } from '../../api/security-headers.js';

let server: ReturnType<Koa['listen']>;
let base: string;
beforeAll(async () => {
  const app = new Koa();
  app.use(securityHeaders()).use(cors(['https://app.example'])).use((ctx) => { ctx.body = { ok: true }; });
  server = app.listen(0);
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => { server.close(); });

test('CORS answers a configured origin, preflight included, and no other', async () => {
  const ok = await fetch(`${base}/x`, { headers: { origin: 'https://app.example' } });
  expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
  expect(ok.headers.get('vary')).toMatch(/Origin/);
  const pre = await fetch(`${base}/x`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
  expect(pre.status).toBe(204);
  expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  expect(pre.headers.get('access-control-allow-credentials')).toBeNull(); // bearer tokens, never cookies
  const other = await fetch(`${base}/x`, { headers: { origin: 'https://evil.example' } });
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
  expect(other.headers.get('x-content-type-options')).toBe('nosniff');
});
