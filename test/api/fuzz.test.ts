// Hostile clients: schemathesis generates requests from our own /openapi.json; no answer may be a 5xx, and
// every answer must fit the schema the document declares for it (errors included).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { findExecutable } from '../../scripts/services/process.js';
import { ApiClient, VEGA } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack({ db: 'postgres' });
  const c = new ApiClient(stack.base);
  token = (await c.register()).access_token;
  await c.uploadFile(VEGA('penguins.json'));
});
afterAll(async () => { await stack?.close(); });

test('generated requests to every route never get a server error or an answer that breaks its schema', async () => {
  const run = await promisify(execFile)(findExecutable('schemathesis'), [
    'run', `${stack.base}/openapi.json`, '-H', `Authorization: Bearer ${token}`, '--checks', 'not_a_server_error,response_schema_conformance',
    '--max-examples', '40', '--seed', '20261123', '--exclude-path', '/runs/{id}/events',
  ], { maxBuffer: 32 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }).catch((e: { stdout: string; code: number }) => ({ stdout: e.stdout, code: e.code }));
  const summary = run.stdout.split('\n').filter((l) => /Server error|\[5\d\d\]|curl -X|generated/.test(l)).join('\n');
  expect(summary).toMatch(/(\d+) generated, \1 passed/); // every generated case passed both checks
  expect(summary).not.toMatch(/Server error|\[5\d\d\]/);
  expect(run.stdout).not.toMatch(/Response violates schema|does not conform/i);
}, 300_000);
