import Router from '@koa/router';
import { expect, test } from 'vitest';
import { RouteRegistry } from '../../api/route-registry.js';

const noop = async () => undefined;

test('a second route with the same operationId is refused when the app is built, naming both routes', () => {
  const r = new RouteRegistry();
  const router = new Router();
  r.add(router, { method: 'get', path: '/runs', operationId: 'listRuns', summary: 'List runs', tag: 'runs', auth: true }, noop);
  expect(() => r.add(router, { method: 'get', path: '/runs/all', operationId: 'listRuns', summary: 'Also runs', tag: 'runs', auth: true }, noop))
    .toThrow(/operationId 'listRuns' is used by GET \/runs and GET \/runs\/all/);
});

test('an operationId that is not camelCase is refused', () => {
  const r = new RouteRegistry();
  expect(() => r.add(new Router(), { method: 'post', path: '/runs/start', operationId: 'post-runs-start', summary: 'Start', tag: 'runs', auth: true }, noop))
    .toThrow(/not camelCase/);
});
