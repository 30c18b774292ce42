// bench:ml — Assay's model engine beside scikit-learn's HistGradientBoosting (and LightGBM for speed) on the same rows and folds, and our
// random forest beside ml-random-forest. Prints scores, fit times and ratios; quote the medians.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTable } from '../analysis/ingest/read-table.js';
import { automlTable } from './automl.js';
import { applyBinner, fitBinner } from '../analysis/ml/binning.js';
import { fitForest, predictForest } from '../analysis/ml/forest.js';
import { fitGbdt } from '../analysis/ml/gbdt.js';
import { loadFrame } from '../analysis/ml/load-frame.js';
import { prepareTraining } from '../analysis/ml/prepare-training.js';
import { seededRandom } from '../analysis/ml/random.js';
import { threadsFor, trainInPool } from '../analysis/ml/train-pool.js';
import { leaderboardOf, scoreFold, type FoldScore } from '../analysis/ml/train-models.js';

const python = process.env.BENCH_PYTHON ?? '.tools/bench/bin/python';
// libgomp's threads spin while they wait; on a shared, loaded machine that made scikit-learn's fits 10-30× slower
// than its own single-thread speed, so the peers wait passively (the setting that favours them here).
const peerEnv = { ...process.env, OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'passive' };
const peer = (mode: string, arg: string) => JSON.parse(execFileSync(python, ['bench/ml-peer.py', mode, arg], { maxBuffer: 1 << 26, env: peerEnv }).toString());
const median = (xs: number[]) => { const s = [...xs].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ml-'));
const vega = (f: string) => path.resolve('node_modules/vega-datasets/data', f);
// BENCH_ONLY=stage runs only the train-stage comparison (the 100k table is still generated): a quicker loop when
// working on the stage.
const stageOnly = process.env.BENCH_ONLY === 'stage';

peer('export', dir);
const sets: { name: string; file: string; target: string; task: 'classification' | 'regression' }[] = [
  { name: 'breast_cancer (sklearn)', file: path.join(dir, 'breast_cancer.csv'), target: 'label', task: 'classification' },
  { name: 'wine (sklearn)', file: path.join(dir, 'wine.csv'), target: 'label', task: 'classification' },
  { name: 'iris (sklearn)', file: path.join(dir, 'iris.csv'), target: 'label', task: 'classification' },
  { name: 'diabetes (sklearn)', file: path.join(dir, 'diabetes.csv'), target: 'label', task: 'regression' },
  { name: 'penguins (vega)', file: vega('penguins.json'), target: 'Species', task: 'classification' },
  { name: 'cars (vega)', file: vega('cars.json'), target: 'Miles_per_Gallon', task: 'regression' },
];

if (!stageOnly) console.log('bench:ml — 5-fold CV on the same rows, features and folds (Assay best model vs scikit-learn 1.5.2 HistGradientBoosting)');
if (!stageOnly) console.log('  dataset                    rows  metric     Assay best            sklearn HGB   Δ score   GBDT fit/fold Assay  sklearn');
for (const s of stageOnly ? [] : sets) {
  const parquet = path.join(dir, `${path.basename(s.file)}.parquet`);
  const manifest = await readTable({ inputPath: s.file, format: s.file.endsWith('.json') ? 'json' : 'csv', parquetOut: parquet });
  const { frame } = await loadFrame(parquet, manifest.columns.map((c) => c.name), { sampleRows: 1e9, seed: 1 });
  const t = prepareTraining({ frame, target: s.target, task: s.task, columns: manifest.columns, cvFolds: 5, seed: 1,
    // Shuffled folds over every row, as the scikit-learn side gets them.
    validation: { scheme: s.task === 'classification' ? 'stratified' : 'kfold', test_fraction: 0 } });
  const done: FoldScore[] = [];
  const gbdtFit: number[] = [];
  for (const name of t.names) for (let f = 0; f < 5; f++) {
    const t0 = performance.now();
    done.push(scoreFold(t, { model: name, params: {} }, f).score);
    if (name === 'gbdt') gbdtFit.push((performance.now() - t0) / 1000);
  }
  const best = leaderboardOf(t, done)[0];
  // The same kept rows (target present), in the same order, with our fold of each.
  const foldOf = new Array<number>(t.d.rows);
  t.folds.forEach(({ valid }, f) => valid.forEach((r) => { foldOf[r] = f; }));
  const kept: Record<string, unknown>[] = [];
  for (let r = 0; r < frame.rows; r++) {
    if (frame.columns[s.target][r] === null) continue;
    kept.push(Object.fromEntries([...t.pre.inputs.map((c) => [c.name, frame.columns[c.name][r]]), [s.target, frame.columns[s.target][r]]]));
  }
  const csv = path.join(dir, 'kept.json');
  const names = [...t.pre.inputs.map((c) => c.name), s.target];
  fs.writeFileSync(path.join(dir, 'kept.csv'), [names.map((n) => JSON.stringify(n)).join(','),
    ...kept.map((row) => names.map((n) => (row[n] === null ? '' : JSON.stringify(row[n]))).join(','))].join('\n'));
  fs.writeFileSync(csv, JSON.stringify({ csv: path.join(dir, 'kept.csv'), target: s.target, task: s.task, metric: t.metric, seed: 1, folds: foldOf,
    features: t.pre.inputs.map((c) => c.name), categorical: t.pre.inputs.filter((c) => !['integer', 'float'].includes(c.type)).map((c) => c.name) }));
  const p = peer('cv', csv) as { score: number; fit_s: number[] };
  console.log(`  ${s.name.padEnd(24)} ${String(t.d.rows).padStart(6)}  ${t.metric.padEnd(9)}  ${best.cv_mean.toFixed(4)} (${best.model.padEnd(13)})  ${p.score.toFixed(4)}      ${(best.cv_mean - p.score >= 0 ? '+' : '') + (best.cv_mean - p.score).toFixed(4)}   ${median(gbdtFit).toFixed(3)} s          ${median(p.fit_s).toFixed(3)} s`);
}

// Fit time on a 100k × 20 table: one GBDT fit of the whole table, median of 3, against scikit-learn's.
const ROWS = 100_000, F = 20;
const rand = seededRandom(7);
const cols: Record<string, number[]> = {};
for (let f = 0; f < F; f++) cols[`x${f}`] = Array.from({ length: ROWS }, () => rand() * 10);
const yv = Array.from({ length: ROWS }, (_, i) => (cols.x0[i] + Math.sin(cols.x1[i]) * 3 + (cols.x2[i] * cols.x3[i]) / 10 + rand() * 2 > 10 ? 1 : 0));
const big = path.join(dir, 'big.csv');
fs.writeFileSync(big, [[...Object.keys(cols), 'y'].join(','), ...yv.map((y, i) => [...Object.keys(cols).map((k) => cols[k][i].toFixed(6)), y].join(','))].join('\n'));
const inputs = Object.keys(cols).map((name) => ({ name, type: 'float' as const }));
const data = applyBinner(fitBinner(cols, inputs, 1), cols, ROWS);
const all = Int32Array.from({ length: ROWS }, (_, i) => i);
fs.writeFileSync(path.join(dir, 'big.json'), JSON.stringify({ csv: big, target: 'y', task: 'classification', seed: 1, features: Object.keys(cols), categorical: [] }));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// The machine is shared: our runs and the peers' alternate, and medians are quoted.
// CPU seconds (all threads of the process) beside wall seconds: on a loaded machine they show the work done.
const fitTimes = { one: [] as number[], two: [] as number[], sk: [] as number[], lgbm: [] as number[] };
const fitCpu = { one: [] as number[], two: [] as number[], sk: [] as number[], lgbm: [] as number[] };
const cpuSince = (c: NodeJS.CpuUsage) => { const u = process.cpuUsage(c); return (u.user + u.system) / 1e6; };
let iterations = 0, skIterations = 0, lgbmIterations = 0;
for (let k = 0; k < (stageOnly ? 0 : RUNS); k++) {
  for (const threads of [1, 2]) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    const m = fitGbdt(data, { yNum: new Float64Array(ROWS), yCls: Int32Array.from(yv), classes: 2 }, all, 'binary', {}, 1, { threads });
    (threads === 1 ? fitTimes.one : fitTimes.two).push((performance.now() - t0) / 1000); iterations = m.iterations;
    (threads === 1 ? fitCpu.one : fitCpu.two).push(cpuSince(c0));
  }
  const r = peer('fit', path.join(dir, 'big.json')) as { fit_s: number; fit_cpu: number; iterations: number; lightgbm_s: number; lightgbm_cpu: number; lightgbm_iterations: number };
  fitTimes.sk.push(r.fit_s); fitTimes.lgbm.push(r.lightgbm_s); fitCpu.sk.push(r.fit_cpu); fitCpu.lgbm.push(r.lightgbm_cpu); skIterations = r.iterations; lgbmIterations = r.lightgbm_iterations;
}
const sk = median(fitTimes.sk);
if (!stageOnly) console.log(`\n  GBDT fit, ${ROWS.toLocaleString('en-US')} × ${F} binary, defaults, ${os.availableParallelism()} cores (median of ${RUNS}, alternating):`);
const skCpu = median(fitCpu.sk);
const line = (label: string, wall: number[], cpu: number[], note: string) =>
  console.log(`    ${label.padEnd(22)}  ${median(wall).toFixed(2)} s wall  ${median(cpu).toFixed(2)} s CPU  ratio to scikit-learn ${(median(wall) / sk).toFixed(2)}× wall, ${(median(cpu) / skCpu).toFixed(2)}× CPU  ${note}`);
if (!stageOnly) line('Assay, 1 thread', fitTimes.one, fitCpu.one, `(${iterations} iterations)`);
if (!stageOnly) line('Assay, 2 threads', fitTimes.two, fitCpu.two, `(${iterations} iterations)`);
if (!stageOnly) line('scikit-learn HGB', fitTimes.sk, fitCpu.sk, `(${skIterations} iterations, OpenMP threads)`);
if (!stageOnly) line('LightGBM 4.6', fitTimes.lgbm, fitCpu.lgbm, `(${lgbmIterations} iterations, OpenMP threads)`);

// The train stage with GBDT only, as the `train` activity runs it (pool of worker threads, default validation:
// stratified 5-fold CV beside a 20% test split, refit, permutation importance, TreeSHAP, partial dependence),
// against the same work by scikit-learn and LightGBM on the same rows, folds and test split.
if (process.env.BENCH_STAGE !== '0') {
  const bigParquet = path.join(dir, 'big.parquet');
  const bigManifest = await readTable({ inputPath: big, format: 'csv', parquetOut: bigParquet });
  const { frame: bigFrame } = await loadFrame(bigParquet, bigManifest.columns.map((c) => c.name), { sampleRows: ROWS, seed: 1 });
  const options = { frame: bigFrame, target: 'y', task: 'classification' as const, columns: bigManifest.columns, cvFolds: 5, seed: 1, models: ['gbdt' as const] };
  const plan = prepareTraining(options);
  const foldOf = new Array<number>(plan.d.rows).fill(-1);
  plan.folds.forEach(({ valid }, f) => valid.forEach((r) => { foldOf[r] = f; }));
  const stageSpec = path.join(dir, 'stage.json');
  fs.writeFileSync(stageSpec, JSON.stringify({ csv: big, target: 'y', task: 'classification', seed: 1, features: Object.keys(cols), categorical: [],
    folds: foldOf, positive: Number(plan.d.classes[1]) }));
  const stage = { ours: [] as number[], sk: [] as number[], lgbm: [] as number[] };
  const stageCpu = { ours: [] as number[], sk: [] as number[], lgbm: [] as number[] };
  let ourCv = 0, ourTest = 0, skCv = 0, skTest = 0, lgbmCv = 0, lgbmTest = 0, skShap = false;
  for (let k = 0; k < RUNS; k++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    const result = await trainInPool(options).result;
    stage.ours.push((performance.now() - t0) / 1000); stageCpu.ours.push(cpuSince(c0));
    ourCv = result.leaderboard.find((e) => e.model === 'gbdt')!.cv_mean; ourTest = result.test_score ?? NaN;
    const r = peer('stage', stageSpec) as Record<'sklearn' | 'lightgbm', { s: number; cpu: number; cv: number; test: number; shap: boolean }>;
    skShap = r.sklearn.shap;
    stage.sk.push(r.sklearn.s); stage.lgbm.push(r.lightgbm.s); stageCpu.sk.push(r.sklearn.cpu); stageCpu.lgbm.push(r.lightgbm.cpu);
    ({ cv: skCv, test: skTest } = r.sklearn); ({ cv: lgbmCv, test: lgbmTest } = r.lightgbm);
  }
  const skStage = median(stage.sk);
  console.log(`\n  train stage, GBDT only, ${ROWS.toLocaleString('en-US')} × ${F} binary: 5-fold CV + test split + refit + permutation importance + SHAP + PD (median of ${RUNS}, alternating):`);
  const skStageCpu = median(stageCpu.sk);
  const stageLine = (label: string, wall: number[], cpu: number[], cv: number, test: number, note: string) =>
    console.log(`    ${label.padEnd(30)}  ${median(wall).toFixed(2)} s wall  ${median(cpu).toFixed(2)} s CPU  ratio to scikit-learn ${(median(wall) / skStage).toFixed(2)}× wall, ${(median(cpu) / skStageCpu).toFixed(2)}× CPU  CV ROC AUC ${cv.toFixed(4)}  test ${test.toFixed(4)}${note}`);
  stageLine(`Assay (train pool, ${threadsFor(options)} threads)`, stage.ours, stageCpu.ours, ourCv, ourTest, '');
  stageLine('scikit-learn HGB', stage.sk, stageCpu.sk, skCv, skTest, skShap ? '  (SHAP by the shap package\'s TreeExplainer)' : '  (no SHAP: the shap package is not installed)');
  stageLine('LightGBM 4.6', stage.lgbm, stageCpu.lgbm, lgbmCv, lgbmTest, '  (SHAP by its pred_contrib)');
}

if (stageOnly) { fs.rmSync(dir, { recursive: true, force: true }); process.exit(0); }

// Random forests on 2,000 rows × 10 features, 50 trees: ours against ml-random-forest.
const N = 2000;
const X = Array.from({ length: N }, () => Array.from({ length: 10 }, () => rand() * 10));
const yr = X.map((x) => (x[0] + x[1] * x[2] / 10 + rand() > 6 ? 1 : 0));
const rfCols: Record<string, number[]> = {};
for (let f = 0; f < 10; f++) rfCols[`f${f}`] = X.map((x) => x[f]);
const rfInputs = Object.keys(rfCols).map((name) => ({ name, type: 'float' as const }));
const rfData = applyBinner(fitBinner(rfCols, rfInputs, 1), rfCols, N);
const trainIdx = Int32Array.from({ length: 1600 }, (_, i) => i), testIdx = Array.from({ length: 400 }, (_, i) => 1600 + i);
let t0 = performance.now();
const forest = fitForest(rfData, { yNum: new Float64Array(N), yCls: Int32Array.from(yr), classes: 2 }, trainIdx, true, { trees: 50 }, 1);
const oursRf = (performance.now() - t0) / 1000;
const pr = predictForest(forest, rfData, testIdx);
const accOurs = testIdx.filter((r, k) => (pr[2 * k + 1] > 0.5 ? 1 : 0) === yr[r]).length / testIdx.length;
const { RandomForestClassifier } = await import('ml-random-forest');
t0 = performance.now();
const mlrf = new RandomForestClassifier({ nEstimators: 50, seed: 1 });
mlrf.train(X.slice(0, 1600), yr.slice(0, 1600));
const theirsRf = (performance.now() - t0) / 1000;
const pm = mlrf.predict(X.slice(1600)) as number[];
const accTheirs = pm.filter((v, k) => v === yr[1600 + k]).length / 400;
console.log(`  Random forest, 1,600 training rows × 10, 50 trees: Assay ${oursRf.toFixed(2)} s (accuracy ${accOurs.toFixed(3)})  ` +
  `ml-random-forest ${theirsRf.toFixed(2)} s (accuracy ${accTheirs.toFixed(3)})  speed-up ${(theirsRf / oursRf).toFixed(0)}×`);

// AutoML: Assay's search and ensemble against FLAML at equal wall time and LightGBM defaults, on a held-out 20%.
console.log('');
await automlTable(dir, Number(process.env.BENCH_BUDGET ?? 30));
fs.rmSync(dir, { recursive: true, force: true });
