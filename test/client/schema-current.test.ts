import fs from 'node:fs';
import { expect, test } from 'vitest';
import { CLIENT_SCHEMA_PATH, clientSchemaSource } from '../../scripts/client-schema.js';

test('the committed client/schema.d.ts is what `npm run client` generates from the current routes', async () => {
  const fresh = await clientSchemaSource();
  const committed = fs.readFileSync(CLIENT_SCHEMA_PATH, 'utf8');
  // On failure: run `npm run client` and commit client/schema.d.ts.
  expect(committed === fresh, 'client/schema.d.ts is stale: run `npm run client`').toBe(true);
  expect(fresh).toContain('startRun: {');
});
