// bench:train — one CV fit of Assay's linear model against scikit-learn's, same 100k × 11 table, same process tree.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTable } from '../analysis/ingest/read-table.js';
import { loadFrame } from '../analysis/ml/load-frame.js';
import { seededRandom } from '../analysis/ml/random.js';
import { trainModels } from '../analysis/ml/train-models.js';

const ROWS = 100_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-train-'));
const csv = path.join(dir, 'table.csv');
const rand = seededRandom(1);
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
const lines = ['a,b,c,d,e,f,g,h,cat1,cat2,flag,label'];
for (let i = 0; i < ROWS; i++) {
  const x = Array.from({ length: 8 }, gauss);
  const c1 = 'abcdefghij'[Math.floor(rand() * 10)], c2 = 'xyz'[Math.floor(rand() * 3)];
  const y = x[0] + 0.5 * x[1] + ('abc'.includes(c1) ? 1 : 0) + gauss() > 0.5 ? 'yes' : 'no';
  lines.push(`${x.map((v) => v.toFixed(4)).join(',')},${c1},${c2},${rand() < 0.3},${y}`);
}
fs.writeFileSync(csv, lines.join('\n') + '\n');

const median = (xs: number[]) => { const s = [...xs].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };
const parquet = path.join(dir, 'table.parquet');
const manifest = await readTable({ inputPath: csv, format: 'csv', parquetOut: parquet });
const { frame } = await loadFrame(parquet, manifest.columns.map((c) => c.name), { sampleRows: ROWS, seed: 1 });
const ours: number[] = [];
let last = performance.now();
const result = await trainModels({
  frame, target: 'label', task: 'classification', columns: manifest.columns, cvFolds: 5, seed: 1, models: ['linear'],
  onFold: async (done) => { if (done.at(-1)!.model === 'linear') ours.push((performance.now() - last) / 1000); last = performance.now(); },
});
const auc = result.leaderboard.find((e) => e.model === 'linear')!.cv_mean;

const python = process.env.BENCH_PYTHON ?? '.tools/bench/bin/python';
const peer = JSON.parse(execFileSync(python, ['bench/train-peer.py', csv, 'label']).toString()) as { fold_s: number[]; auc: number };
fs.rmSync(dir, { recursive: true, force: true });

console.log(`bench:train — ${ROWS.toLocaleString('en-US')} rows × 11 features, binary target, 5-fold CV (median fit per fold)`);
console.log(`  Assay linear (softmax GD, 300 iterations)   ${median(ours).toFixed(2)} s   ROC AUC ${auc.toFixed(4)}`);
console.log(`  scikit-learn LogisticRegression (lbfgs)     ${median(peer.fold_s).toFixed(2)} s   ROC AUC ${peer.auc.toFixed(4)}`);
console.log(`  ratio (Assay / scikit-learn)                ${(median(ours) / median(peer.fold_s)).toFixed(1)}×`);
