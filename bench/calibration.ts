// Calibration of the served classifier: log loss and Brier before and after, out of fold (cross-fitted) and on the
// held-out 20% test split that training keeps aside, for every family's defaults (the model selection picks) and
// for a random forest chosen on macro F1 (the case of issue 13).
//   node --import tsx bench/calibration.ts
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTable } from '../analysis/ingest/read-table.js';
import type { ModelName } from '../analysis/ml/candidates.js';
import { loadFrame, type Frame } from '../analysis/ml/load-frame.js';
import type { MetricOption } from '../analysis/ml/metrics.js';
import { seededRandom } from '../analysis/ml/random.js';
import { trainModels } from '../analysis/ml/train-models.js';
import { sharpTable } from '../test/helpers/tables.js';

const python = process.env.BENCH_PYTHON ?? '.tools/bench/bin/python';
const vega = (f: string) => path.resolve('node_modules/vega-datasets/data', f);
type Columns = { name: string; type: 'float' | 'categorical' | 'integer' | 'boolean' | 'datetime' | 'text' }[];

/** Six classes, one of them rare (~1.5%), from five informative features and five of noise. */
function sixClasses(rows: number, seed: number): { frame: Frame; columns: Columns } {
  const rand = seededRandom(seed);
  const names = Array.from({ length: 10 }, (_, j) => `x${j}`);
  const cols: Record<string, unknown[]> = Object.fromEntries([...names, 'y'].map((n) => [n, []]));
  for (let i = 0; i < rows; i++) {
    const v = names.map(() => rand() * 2 - 1);
    names.forEach((n, j) => cols[n].push(v[j]));
    const z = [2 * v[0], 2 * v[1], 2 * v[2], 2 * v[3], 2 * v[4], 3 * (v[0] + v[1]) - 4.5];
    const e = z.map(Math.exp), s = e.reduce((a, b) => a + b);
    let u = rand() * s, k = 0;
    while (k < 5 && u > e[k]) { u -= e[k]; k++; }
    cols.y.push(`c${k}`);
  }
  return { frame: { rows, columns: cols }, columns: [...names.map((name) => ({ name, type: 'float' as const })), { name: 'y', type: 'categorical' as const }] };
}

async function fromFile(dir: string, file: string): Promise<{ frame: Frame; columns: Columns }> {
  const parquet = path.join(dir, `${path.basename(file)}.parquet`);
  const manifest = await readTable({ inputPath: file, format: file.endsWith('.json') ? 'json' : 'csv', parquetOut: parquet });
  const { frame } = await loadFrame(parquet, manifest.columns.map((c) => c.name), { sampleRows: 1e9, seed: 1 });
  return { frame, columns: manifest.columns as Columns };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-calib-'));
execFileSync(python, ['bench/ml-peer.py', 'export', dir]);
const sets: { name: string; target: string; load: () => Promise<{ frame: Frame; columns: Columns }> }[] = [
  { name: 'breast_cancer (sklearn)', target: 'label', load: () => fromFile(dir, path.join(dir, 'breast_cancer.csv')) },
  { name: 'wine (sklearn)', target: 'label', load: () => fromFile(dir, path.join(dir, 'wine.csv')) },
  { name: 'iris (sklearn)', target: 'label', load: () => fromFile(dir, path.join(dir, 'iris.csv')) },
  { name: 'penguins (vega)', target: 'Species', load: () => fromFile(dir, vega('penguins.json')) },
  { name: 'seattle-weather (vega)', target: 'weather', load: () => fromFile(dir, vega('seattle-weather.csv')) },
  { name: 'sharp, 2 classes (synth)', target: 'y', load: async () => sharpTable(3000, 7) },
  { name: '6 classes, 1 rare (synth)', target: 'y', load: async () => sixClasses(3000, 9) },
];
const configs: { label: string; models?: ModelName[]; metric?: MetricOption }[] = [
  { label: 'defaults' }, { label: 'forest, F1', models: ['random_forest'], metric: 'f1_macro' },
];
console.log('Calibration of the served model: log loss (Brier) before → after. OOF: cross-fitted on 5 folds of the non-test rows; test: the 20% held out by training.');
console.log('  dataset                    config      model          method       applied  OOF log loss        test log loss       test Brier');
const only = process.argv.slice(2);
for (const s of sets.filter((x) => !only.length || only.some((o) => x.name.startsWith(o)))) {
  const { frame, columns } = await s.load();
  for (const c of configs.filter((x) => !process.env.CONFIG || x.label === process.env.CONFIG)) {
    const r = await trainModels({ frame, target: s.target, task: 'classification', columns, cvFolds: 5, seed: 1, models: c.models, metric: c.metric,
      validation: { test_fraction: 0.2 } });
    const k = r.calibration;
    const pair = (a?: number, b?: number) => (a === undefined || b === undefined ? '—'.padEnd(18) : `${a.toFixed(4)} → ${b.toFixed(4)}`.padEnd(18));
    if (process.env.REASONS) console.log("     ", k?.reason);
    console.log(`  ${s.name.padEnd(26)} ${c.label.padEnd(11)} ${r.best_model.padEnd(14)} ${String(k?.method ?? '—').padEnd(12)} ${(k?.applied ? 'yes' : 'no').padEnd(8)} `
      + `${pair(k?.oof?.log_loss_before, k?.oof?.log_loss_after)}  ${pair(k?.test?.log_loss_before, k?.test?.log_loss_after)}  ${pair(k?.test?.brier_before, k?.test?.brier_after)}`);
  }
}
fs.rmSync(dir, { recursive: true, force: true });
