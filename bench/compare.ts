// bench:compare — comparing two versions of a 1M × 12 table once both are read (normalised Parquet copies exist),
// the work the compare activity does after its datasets' reads are reused.
// Usage: npm run bench:compare [-- --rows 1000000 --runs 3]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compareTables } from '../analysis/compare/compare-tables.js';
import { renderCompareHtml } from '../analysis/compare/render-report.js';
import { readTable } from '../analysis/ingest/read-table.js';
import { DEFAULT_THEME } from '../analysis/report/theme.js';
import { writeLongTable } from './eda-data.js';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const ROWS = arg('rows', 1_000_000), RUNS = arg('runs', 3);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-compare-'));
const median = (xs: number[]) => { const s = [...xs].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };

const sides = [];
for (const [name, o] of [['a', {}], ['b', { seed: 12, drift: true }]] as const) {
  const csv = path.join(dir, `${name}.csv`), parquetPath = path.join(dir, `${name}.parquet`);
  writeLongTable(csv, ROWS, o);
  const t0 = performance.now();
  const manifest = await readTable({ inputPath: csv, format: 'csv', parquetOut: parquetPath });
  console.log(`  read ${name}: ${((performance.now() - t0) / 1000).toFixed(2)} s (${(fs.statSync(csv).size / 1048576).toFixed(0)} MB CSV; not part of the figure)`);
  fs.rmSync(csv);
  sides.push({ parquetPath, manifest });
}
const times: number[] = [], renders: number[] = [];
let drifted: string[] = [];
for (let r = 0; r < RUNS; r++) {
  const t0 = performance.now();
  const cmp = await compareTables(sides[0], sides[1]);
  const t1 = performance.now();
  await renderCompareHtml({ compare_id: 'bench', workflow_id: 'compare-bench', comparison: cmp, theme: DEFAULT_THEME, versions: {}, generatedAt: new Date().toISOString(),
    dataset_a: { id: 'a', name: 'a', filename: 'a.csv', sha256: '' }, dataset_b: { id: 'b', name: 'b', filename: 'b.csv', sha256: '' } });
  times.push((t1 - t0) / 1000);
  renders.push((performance.now() - t1) / 1000);
  drifted = cmp.summary.drifted_columns;
}
console.log(`bench:compare — ${ROWS.toLocaleString('en-US')} × 12 vs ${ROWS.toLocaleString('en-US')} × 12, median of ${RUNS}`);
console.log(`  compare ${median(times).toFixed(2)} s (runs: ${times.map((t) => t.toFixed(2)).join(', ')}), report ${median(renders).toFixed(2)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
console.log(`  drifted: ${drifted.join(', ') || 'none'}`);
fs.rmSync(dir, { recursive: true, force: true });
