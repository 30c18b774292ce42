import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { compareTables } from '../../../analysis/compare/compare-tables.js';
import { renderCompareHtml } from '../../../analysis/compare/render-report.js';
import { readTable } from '../../../analysis/ingest/read-table.js';
import { DEFAULT_THEME } from '../../../analysis/report/theme.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'compare-report-'));
const HOSTILE = '<img src=x onerror=alert(1)>';

async function side(name: string, csv: string) {
  fs.writeFileSync(path.join(tmp, `${name}.csv`), csv);
  const parquetPath = path.join(tmp, `${name}.parquet`);
  return { parquetPath, manifest: await readTable({ inputPath: path.join(tmp, `${name}.csv`), format: 'csv', parquetOut: parquetPath }) };
}

test('the report states the rule, shows the PSI chart and schema changes, and escapes hostile names and values', async () => {
  const rowsA = Array.from({ length: 200 }, (_, i) => `${i % 10},${i % 3 ? 'x' : '<b>y</b>'},1`).join('\n');
  const rowsB = Array.from({ length: 200 }, (_, i) => `${(i % 10) + 8},${i % 2 ? 'x' : '<b>y</b>'},2`).join('\n');
  const a = await side('a', `"${HOSTILE}",cat,gone\n${rowsA}\n`);
  const b = await side('b', `"${HOSTILE}",cat,"</td><script>x</script>"\n${rowsB}\n`);
  const comparison = await compareTables(a, b);
  expect(comparison.summary.drifted_columns).toContain(HOSTILE);
  const page = await renderCompareHtml({
    compare_id: 'c1', workflow_id: 'compare-c1', comparison, theme: DEFAULT_THEME, versions: { assay: 'test' }, generatedAt: '2026-01-01T00:00:00Z',
    dataset_a: { id: 'a', name: 'v1 <old>', filename: 'v1.csv', sha256: 'aa' }, dataset_b: { id: 'b', name: 'v2', filename: 'v2.csv', sha256: 'bb' },
  });
  expect(page).not.toContain(HOSTILE);
  expect(page).not.toContain('<script>');
  expect(page).not.toContain('<b>y</b>');
  expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
  expect(page).toContain('v1 &lt;old&gt;');
  expect(page).toContain('p &lt; 0.05');
  expect(page).toMatch(/<svg role="img" aria-label="Bar chart of the population stability index/);
  expect(page).toContain('removed');
  expect(page).toContain('added');
});
