import { expect, test } from 'vitest';
import { DEFAULT_JWT_SECRET, loadEnv, taskQueues } from '../../config/env.js';

test('defaults match the documented configuration', () => {
  const env = loadEnv({});
  expect(env).toMatchObject({ PORT: 8080, MAX_UPLOAD_MB: 512, MAX_ACTIVE_RUNS_PER_USER: 3, TEMPORAL_ADDRESS: 'localhost:7233' });
  expect(taskQueues(env)).toEqual({ analysis: 'assay-analysis', modeling: 'assay-modeling' });
});

test('production refuses the default secret', () => {
  expect(() => loadEnv({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET must be set in production/);
  expect(() => loadEnv({ NODE_ENV: 'production', JWT_SECRET: DEFAULT_JWT_SECRET })).toThrow();
  expect(loadEnv({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }).NODE_ENV).toBe('production');
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
  expect(loadEnv({}).CHROMIUM_PATH).toBe('/usr/bin/chromium');
});
