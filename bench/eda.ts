// bench:eda — Assay's ingest + profile against pandas doing the same work on the same files, side by side.
// Usage: npm run bench:eda [-- --rows 1000000 --wide-rows 100000 --wide-cols 200 --runs 3 --peer 1]
// --rows 0 or --wide-rows 0 skips that table; --peer 0 skips pandas (10M rows take pandas about 5 GB).
// Each Assay run is a child process of its own, so its peak RSS is that run's ingest + profile alone.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTable } from '../analysis/ingest/read-table.js';
import { profileTable } from '../analysis/profile/profile-table.js';
import { writeLongTable, writeWideTable } from './eda-data.js';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const ROWS = arg('rows', 1_000_000), WIDE_ROWS = arg('wide-rows', 100_000), WIDE_COLS = arg('wide-cols', 200), RUNS = arg('runs', 3), PEER = arg('peer', 1);
const median = (xs: number[]) => { const s = [...xs].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };
const python = process.env.BENCH_PYTHON ?? '.tools/bench/bin/python';

interface Ours { times: number[]; ingest: number[]; alerts: number; columns: number; peak_rss_mb: number }

/** The child's side: ingest + profile `csv` RUNS times, then print the times and this process's peak RSS as JSON. */
async function ours(csv: string, dir: string): Promise<Ours> {
  const times: number[] = [], ingest: number[] = [];
  let alerts = 0, columns = 0;
  for (let r = 0; r < RUNS; r++) {
    const parquet = path.join(dir, `run${r}.parquet`);
    const t0 = performance.now();
    const m = await readTable({ inputPath: csv, format: 'csv', parquetOut: parquet });
    const t1 = performance.now();
    const eda = await profileTable(parquet, m.columns, { done: [] });
    times.push((performance.now() - t0) / 1000);
    ingest.push((t1 - t0) / 1000);
    alerts = eda.alerts.length;
    columns = eda.columns.length;
    fs.rmSync(parquet);
  }
  return { times, ingest, alerts, columns, peak_rss_mb: process.resourceUsage().maxRSS / 1024 };
}

const child = process.argv.indexOf('--child');
if (child > 0) {
  const csv = process.argv[child + 1];
  process.stdout.write(JSON.stringify(await ours(csv, path.dirname(csv))));
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-eda-'));
  const tables = [
    { name: `${ROWS.toLocaleString('en-US')} × 12 mixed`, rows: ROWS, file: path.join(dir, 'long.csv'), write: (f: string) => writeLongTable(f, ROWS) },
    { name: `${WIDE_ROWS.toLocaleString('en-US')} × ${WIDE_COLS.toLocaleString('en-US')} numeric`, rows: WIDE_ROWS, file: path.join(dir, 'wide.csv'), write: (f: string) => writeWideTable(f, WIDE_ROWS, WIDE_COLS) },
  ];
  console.log(`bench:eda — ingest + full profile (Assay) vs read_csv + describe/isna/nunique/value_counts/histograms/Pearson/Spearman(100k sample) over the first 50 numeric columns/duplicated (pandas); median of ${RUNS}; ${os.cpus().length} cores`);
  try {
    for (const t of tables.filter((x) => x.rows > 0)) {
      t.write(t.file);
      const mb = fs.statSync(t.file).size / 1048576;
      // Runs alternate, Assay then pandas, so a change in the machine's load falls on both alike.
      const a: Ours = { times: [], ingest: [], alerts: 0, columns: 0, peak_rss_mb: 0 };
      const peer = { times_s: [] as number[], peak_rss_mb: 0, pandas: '' };
      for (let r = 0; r < RUNS; r++) {
        const o = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', 'bench/eda.ts', '--child', t.file, '--runs', '1'], { maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] }).toString()) as Ours;
        Object.assign(a, { times: [...a.times, ...o.times], ingest: [...a.ingest, ...o.ingest], alerts: o.alerts, columns: o.columns, peak_rss_mb: Math.max(a.peak_rss_mb, o.peak_rss_mb) });
        if (!PEER) continue;
        const p = JSON.parse(execFileSync(python, ['bench/eda-peer.py', t.file, '1'], { maxBuffer: 1 << 20 }).toString()) as typeof peer;
        Object.assign(peer, { times_s: [...peer.times_s, ...p.times_s], peak_rss_mb: Math.max(peer.peak_rss_mb, p.peak_rss_mb), pandas: p.pandas });
      }
      console.log(`  ${t.name} (${mb.toFixed(0)} MB CSV)`);
      console.log(`    Assay   ${median(a.times).toFixed(2)} s (ingest ${median(a.ingest).toFixed(2)} s, profile ${(median(a.times) - median(a.ingest)).toFixed(2)} s)   peak RSS ${a.peak_rss_mb.toFixed(0)} MB   ${a.columns} columns profiled, ${a.alerts} alerts   runs ${a.times.map((x) => x.toFixed(2)).join(' ')}`);
      if (PEER) {
        console.log(`    pandas ${peer.pandas}  ${median(peer.times_s).toFixed(2)} s   peak RSS ${peer.peak_rss_mb.toFixed(0)} MB   runs ${peer.times_s.map((x) => x.toFixed(2)).join(' ')}`);
        console.log(`    ratio (Assay / pandas) ${(median(a.times) / median(peer.times_s)).toFixed(2)}×`);
      }
      fs.rmSync(t.file);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
