// A table of 3,000 columns is profiled column by column and reported in a page of sane size. How fast is bench:eda's
// business (`--wide-cols 3000 --wide-rows 10000`): speed goes in benchmarks, not timed tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readTable, type TableManifest } from '../../../analysis/ingest/read-table.js';
import { profileTable } from '../../../analysis/profile/profile-table.js';
import type { EdaResult } from '../../../analysis/profile/types.js';
import { REPORT_MAX_BYTES } from '../../../analysis/qa/check-report.js';
import { renderReportHtml } from '../../../analysis/report/render-html.js';
import { DEFAULT_THEME } from '../../../analysis/report/theme.js';
import { softwareVersions } from '../../../analysis/report/versions.js';

const COLS = 3000, ROWS = 10_000;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wide-profile-'));
/**
 * Every fourth column categorical (17 levels), the rest numbers; a few cells missing. Levels are letters: text with digits
 * in every value is probed for 18 date forms at ingest, which over 750 columns is ingest's cost to cut, not the profile's.
 */
const names = Array.from({ length: COLS }, (_, j) => (j % 4 === 3 ? `cat_${j}` : `num_${j}`));
let manifest: TableManifest;
let eda: EdaResult;

beforeAll(async () => {
  const csv = path.join(tmp, 'wide.csv'), parquet = path.join(tmp, 'wide.parquet');
  const fd = fs.openSync(csv, 'w');
  let buf = `${names.join(',')}\n`;
  for (let i = 0; i < ROWS; i++) {
    buf += names.map((n, j) => ((i + j) % 53 === 0 ? '' : n.startsWith('cat') ? `level_${String.fromCharCode(97 + ((i * (j + 1)) % 17))}` : String(((i * 7919 + j * 104729) % 100_000) / 100))).join(',') + '\n';
    if (buf.length > 1 << 20) { fs.writeSync(fd, buf); buf = ''; }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
  manifest = await readTable({ inputPath: csv, format: 'csv', parquetOut: parquet });
  eda = await profileTable(parquet, manifest.columns, { done: [] });
}, 900_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('a 3,000 × 10,000 table: every column is read and profiled with its type', () => {
  expect(manifest.cols).toBe(COLS);
  expect(eda.dataset).toMatchObject({ rows: ROWS, cols: COLS });
  expect(eda.columns.map((c) => c.name)).toEqual(names);
  for (const c of eda.columns) {
    expect(c.type).toBe(c.name.startsWith('cat') ? 'categorical' : 'float');
    expect(c.count + c.missing).toBe(ROWS);
    if (c.type === 'float') expect(c.histogram?.length).toBeGreaterThan(0);
    else expect(c.top_values?.length).toBe(Math.min(10, c.distinct));
  }
  expect(eda.correlations.columns).toHaveLength(50);
});

test('its report lists all 3,000 columns (cards, then the summary table) and stays under the size budget', async () => {
  const page = await renderReportHtml({
    title: 'Assay report: wide', dataset: { name: 'wide', filename: 'wide.csv', sha256: 'ab'.repeat(32) }, eda, modeling: null, findings: [], warnings: [],
    run: { run_id: 'r1', workflow_id: 'run-r1', temporal_ui_url: 'http://localhost:8233', namespace: 'default', options: {} },
    versions: softwareVersions(), theme: DEFAULT_THEME, logo: null, generatedAt: '2026-01-01T00:00:00Z',
  });
  const bytes = Buffer.byteLength(page);
  console.log(`3,000-column report: ${(bytes / 1024).toFixed(0)} KB`);
  expect(bytes).toBeLessThan(REPORT_MAX_BYTES);
  expect(page).toContain(`The table has ${COLS} columns`);
  const missing = names.filter((n) => !page.includes(`>${n}<`));
  expect(missing).toEqual([]);
}, 300_000);
