// bench:eda — Assay's ingest + profile against pandas doing the same work on the same files, side by side.
// Usage: npm run bench:eda [-- --rows 1000000 --runs 3]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTable } from '../analysis/ingest/read-table.js';
import { profileTable } from '../analysis/profile/profile-table.js';
import { writeLongTable, writeWideTable } from './eda-data.js';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const ROWS = arg('rows', 1_000_000), WIDE_ROWS = arg('wide-rows', 100_000), RUNS = arg('runs', 3);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-eda-'));
const median = (xs: number[]) => { const s = [...xs].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };
const python = process.env.BENCH_PYTHON ?? '.tools/bench/bin/python';

async function ours(csv: string): Promise<{ times: number[]; ingest: number[]; alerts: number }> {
  const times: number[] = [], ingest: number[] = [];
  let alerts = 0;
  for (let r = 0; r < RUNS; r++) {
    const parquet = path.join(dir, `run${r}.parquet`);
    const t0 = performance.now();
    const m = await readTable({ inputPath: csv, format: 'csv', parquetOut: parquet });
    const t1 = performance.now();
    const eda = await profileTable(parquet, m.columns, { done: [] });
    times.push((performance.now() - t0) / 1000);
    ingest.push((t1 - t0) / 1000);
    alerts = eda.alerts.length;
    fs.rmSync(parquet);
  }
  return { times, ingest, alerts };
}

const tables = [
  { name: `${ROWS.toLocaleString('en-US')} × 12 mixed`, file: path.join(dir, 'long.csv'), write: (f: string) => writeLongTable(f, ROWS) },
  { name: `${WIDE_ROWS.toLocaleString('en-US')} × 200 numeric`, file: path.join(dir, 'wide.csv'), write: (f: string) => writeWideTable(f, WIDE_ROWS, 200) },
];
console.log(`bench:eda — ingest + full profile (Assay) vs read_csv + describe/isna/nunique/value_counts/histograms/Pearson/Spearman(100k sample) over the first 50 numeric columns/duplicated (pandas); median of ${RUNS}`);
for (const t of tables.filter((x) => !x.name.startsWith('0 '))) { // --rows 0 or --wide-rows 0 skips a table
  t.write(t.file);
  const mb = fs.statSync(t.file).size / 1048576;
  const a = await ours(t.file);
  const peer = JSON.parse(execFileSync(python, ['bench/eda-peer.py', t.file, String(RUNS)], { maxBuffer: 1 << 20 }).toString()) as { times_s: number[]; peak_rss_mb: number };
  const rss = process.resourceUsage().maxRSS / 1024; // this process's peak so far: ingest + profile of every table up to here
  console.log(`  ${t.name} (${mb.toFixed(0)} MB CSV)`);
  console.log(`    Assay   ${median(a.times).toFixed(2)} s (ingest ${median(a.ingest).toFixed(2)} s)   peak RSS so far ${rss.toFixed(0)} MB   ${a.alerts} alerts`);
  console.log(`    pandas  ${median(peer.times_s).toFixed(2)} s   peak RSS ${peer.peak_rss_mb.toFixed(0)} MB`);
  console.log(`    ratio (Assay / pandas) ${(median(a.times) / median(peer.times_s)).toFixed(2)}×`);
  fs.rmSync(t.file);
}
fs.rmSync(dir, { recursive: true, force: true });
