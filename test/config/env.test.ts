import { expect, test } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnv, taskQueues } from '../../config/env.js';
import { jwtSecretOf } from '../../config/secrets.js';

test('defaults match the documented configuration', () => {
  const env = loadEnv({});
  expect(env).toMatchObject({ PORT: 8080, MAX_UPLOAD_MB: 512, MAX_ACTIVE_RUNS_PER_USER: 3, TEMPORAL_ADDRESS: 'localhost:7233' });
  expect(taskQueues(env)).toEqual({ analysis: 'assay-analysis', modeling: 'assay-modeling' });
});

test('production needs JWT_SECRET; a short secret is refused anywhere', () => {
  expect(() => loadEnv({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET must be set in production/);
  expect(() => loadEnv({ JWT_SECRET: 'assay-dev-secret-change-me' })).toThrow(/JWT_SECRET: must be at least 32 characters/);
  expect(loadEnv({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }).NODE_ENV).toBe('production');
});

test('without JWT_SECRET a random secret is made once, kept private in DATA_DIR and reused', () => {
  const dirs = [fs.mkdtempSync(path.join(os.tmpdir(), 'assay-secret-')), fs.mkdtempSync(path.join(os.tmpdir(), 'assay-secret-'))];
  try {
    const first = jwtSecretOf({ DATA_DIR: dirs[0], JWT_SECRET: undefined });
    expect(first.length).toBeGreaterThanOrEqual(48);
    const file = path.join(dirs[0], 'secrets', 'jwt-secret');
    expect(fs.readFileSync(file, 'utf8')).toBe(first);
    expect(fs.statSync(file).mode & 0o077).toBe(0); // nobody but the owner can read it
    expect(jwtSecretOf({ DATA_DIR: dirs[0], JWT_SECRET: undefined })).toBe(first);
    expect(jwtSecretOf({ DATA_DIR: dirs[1], JWT_SECRET: undefined })).not.toBe(first); // each installation its own
    expect(jwtSecretOf({ DATA_DIR: dirs[1], JWT_SECRET: 'y'.repeat(40) })).toBe('y'.repeat(40));
  } finally {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
});

test('the Temporal UI link follows TEMPORAL_UI_PORT unless TEMPORAL_UI_URL is set', () => {
  expect(loadEnv({}).TEMPORAL_UI_URL).toBe('http://localhost:8233');
  expect(loadEnv({ TEMPORAL_UI_PORT: '9999' }).TEMPORAL_UI_URL).toBe('http://localhost:9999');
  expect(loadEnv({ TEMPORAL_UI_PORT: '9999', TEMPORAL_UI_URL: 'https://temporal.example.com' }).TEMPORAL_UI_URL).toBe('https://temporal.example.com');
});

test('bad values are named', () => {
  expect(() => loadEnv({ PORT: 'eighty', MAX_ACTIVE_RUNS_PER_USER: '-1' })).toThrow(/PORT: .*; MAX_ACTIVE_RUNS_PER_USER: /);
});

test('running the API or a worker on its own requires PostgreSQL', async () => {
  const { requireSharedDatabase } = await import('../../config/env.js');
  expect(() => requireSharedDatabase({ DATABASE_URL: undefined }, 'npm run api')).toThrow(/npm run api on its own needs DATABASE_URL/);
  expect(() => requireSharedDatabase({ DATABASE_URL: 'postgres://x/y' }, 'npm run api')).not.toThrow();
});

test('report theme variables: hex colours and a safe font list, empty meaning unset', async () => {
  const { reportSettings } = await import('../../config/env.js');
  expect(reportSettings(loadEnv({ REPORT_PRIMARY: '#7c3aed', REPORT_BG: '', REPORT_FONT_FAMILY: 'Georgia, "Times New Roman", serif' })).theme)
    .toMatchObject({ primary: '#7c3aed', bg: undefined, fontFamily: 'Georgia, "Times New Roman", serif' });
  expect(() => loadEnv({ REPORT_PRIMARY: 'red' })).toThrow(/REPORT_PRIMARY: must be a hex colour like #1d4ed8/);
  // Inserted into the report's CSS: a value that could close the rule is refused.
  expect(() => loadEnv({ REPORT_FONT_FAMILY: 'x;}</style><script>' })).toThrow(/REPORT_FONT_FAMILY: may hold only font names/);
  expect(loadEnv({}).CHROMIUM_PATH).toBeUndefined(); // found at run time: system, then npm
});
