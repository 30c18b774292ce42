import { ESLint } from 'eslint';
import { expect, test } from 'vitest';

const eslint = new ESLint();
const lint = async (code: string, filePath: string) => (await eslint.lintText(code, { filePath }))[0].messages.map((m) => m.message);

test('lint forbids Node built-ins and activity code in workflows/', async () => {
  expect(await lint("import fs from 'node:fs';\nexport const x = fs;\n", 'workflows/bad.ts')).toEqual([expect.stringMatching(/Workflows must not use Node built-ins/)]);
  expect(await lint("import { ingestActivity } from '../activities/ingest.js';\nexport const x = ingestActivity;\n", 'workflows/bad.ts'))
    .toEqual([expect.stringMatching(/Workflows import activity types only/)]);
  expect(await lint("import type { Activities } from '../activities/index.js';\nexport type X = Activities;\n", 'workflows/ok.ts')).toEqual([]);
  expect(await lint("import fs from 'node:fs';\nexport const x = fs;\n", 'activities/ok.ts')).toEqual([]);
});
