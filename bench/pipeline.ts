// bench:pipeline — suggestions (a full profile plus the extra facts) and a pipeline of every suggested step on a
// 1M × 12 table once it is read (normalised Parquet copy exists): the work GET /datasets/:id/suggestions and the
// pipeline activity do.
// Usage: npm run bench:pipeline [-- --rows 1000000 --runs 3]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTable } from '../analysis/ingest/read-table.js';
import { applyPipeline } from '../analysis/pipeline/apply.js';
import { parseSteps } from '../analysis/pipeline/steps.js';
import { suggestForTable } from '../analysis/pipeline/suggest-table.js';
import { writeLongTable } from './eda-data.js';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const ROWS = arg('rows', 1_000_000), RUNS = arg('runs', 3);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pipeline-'));
const median = (xs: number[]) => { const s = [...xs].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };

const csv = path.join(dir, 'long.csv'), parquet = path.join(dir, 'long.parquet'), out = path.join(dir, 'out.parquet');
writeLongTable(csv, ROWS);
const manifest = await readTable({ inputPath: csv, format: 'csv', parquetOut: parquet });
fs.rmSync(csv);
const suggestS: number[] = [], applyS: number[] = [];
let last: { steps: string[]; effects: string[] } = { steps: [], effects: [] };
let peak = 0;
for (let r = 0; r < RUNS; r++) {
  const t0 = performance.now();
  const s = await suggestForTable(parquet, manifest.columns);
  const t1 = performance.now();
  const parsed = parseSteps(s.steps);
  if (!parsed.ok) throw new Error(parsed.message);
  const res = await applyPipeline(parquet, out, manifest.columns, parsed.steps);
  applyS.push((performance.now() - t1) / 1000);
  suggestS.push((t1 - t0) / 1000);
  peak = Math.max(peak, process.memoryUsage().rss);
  last = { steps: s.steps.map((x) => `${x.step}${'column' in x ? ` ${x.column}` : ''} (${x.confidence})`), effects: res.effects.map((e) => `${e.step} ${e.column ?? ''}: ${e.ms} ms, ${e.values_changed} values`) };
}
console.log(`bench:pipeline — ${ROWS.toLocaleString('en-US')} × 12, median of ${RUNS} (runs: suggest ${suggestS.map((x) => x.toFixed(2)).join(', ')} s; apply ${applyS.map((x) => x.toFixed(2)).join(', ')} s)`);
console.log(`  suggestions (profile + facts): ${median(suggestS).toFixed(2)} s`);
console.log(`  pipeline of ${last.steps.length} suggested steps, Parquet in → Parquet out: ${median(applyS).toFixed(2)} s; peak RSS ${(peak / 1024 ** 3).toFixed(2)} GB`);
console.log(`  steps: ${last.steps.join('; ')}`);
for (const e of last.effects) console.log(`    ${e}`);
fs.rmSync(dir, { recursive: true, force: true });
