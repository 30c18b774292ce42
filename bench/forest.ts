// bench:forest — deep-tree costs on a small table: vega's movies (regression on 'IMDB Rating', 5-fold CV as the
// search runs it) for the forest (defaults and the search's variants), GBDT, prediction and TreeSHAP, plus a
// forest on 100,000 × 20 and a multiclass forest. Prints medians of RUNS and a hash of every fitted tree, so a change
// meant to leave the trees as they are can be checked against the run before it.
// Usage: node --import tsx bench/forest.ts [runs]   (BENCH_PART=movies|big|all)
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTable } from '../analysis/ingest/read-table.js';
import { applyBinner, fitBinner } from '../analysis/ml/binning.js';
import { fitCandidate, predictCandidate, type FittedModel, type ModelName } from '../analysis/ml/candidates.js';
import { fitForest, FOREST_DEFAULTS } from '../analysis/ml/forest.js';
import { loadFrame } from '../analysis/ml/load-frame.js';
import { fitSeed, prepareTraining } from '../analysis/ml/prepare-training.js';
import { seededRandom } from '../analysis/ml/random.js';
import { scorePredictions } from '../analysis/ml/scoring.js';
import { FOREST_VARIANTS, type TrialParams } from '../analysis/ml/search-space.js';
import { explainRows } from '../analysis/ml/shap.js';
import type { Tree } from '../analysis/ml/tree.js';

const RUNS = Number(process.argv[2] ?? 3);
const part = process.env.BENCH_PART ?? 'all';
const median = (xs: number[]) => { const s = [...xs].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };
const cpuSince = (c: NodeJS.CpuUsage) => { const u = process.cpuUsage(c); return (u.user + u.system) / 1e6; };
const treesOf = (m: FittedModel): Tree[] => (m.kind === 'forest' ? m.trees : m.kind === 'gbdt' ? m.trees.flat() : []);
const hashTrees = (h: ReturnType<typeof createHash>, m: FittedModel) => { for (const t of treesOf(m)) h.update(JSON.stringify(t)); };
const nodes = (m: FittedModel) => treesOf(m).reduce((s, t) => s + t.feature.length, 0);

if (part === 'all' || part === 'movies') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-forest-'));
  const parquet = path.join(dir, 'movies.parquet');
  const manifest = await readTable({ inputPath: path.resolve('node_modules/vega-datasets/data/movies.json'), format: 'json', parquetOut: parquet });
  const columns = manifest.columns.filter((c) => !['IMDB Votes', 'Rotten Tomatoes Rating'].includes(c.name));
  const { frame } = await loadFrame(parquet, columns.map((c) => c.name), { sampleRows: 1e9, seed: 1 });
  const t = prepareTraining({ frame, target: 'IMDB Rating', task: 'regression', columns, cvFolds: 5, seed: 1, validation: { test_fraction: 0 } });
  console.log(`movies: ${t.d.rows} rows, ${t.d.binned.features} tree features, folds of ~${t.folds[0].train.length} training rows (median of ${RUNS})`);
  const cases: { label: string; model: ModelName; params: TrialParams }[] = [
    { label: 'forest defaults', model: 'random_forest', params: {} },
    ...FOREST_VARIANTS.map((p) => ({ label: `forest ${JSON.stringify(p)}`, model: 'random_forest' as const, params: p as TrialParams })),
    { label: 'gbdt defaults', model: 'gbdt', params: {} },
  ];
  for (const c of cases) {
    const fit: number[] = [], cpu: number[] = [], pred: number[] = [];
    let scores: number[] = [], hash = '', size = 0;
    for (let k = 0; k < RUNS; k++) {
      let wall = 0, used = 0, predWall = 0;
      const h = createHash('sha256');
      scores = []; size = 0;
      for (let f = 0; f < t.folds.length; f++) {
        const { train, valid } = t.folds[f];
        const t0 = performance.now(), c0 = process.cpuUsage();
        const m = fitCandidate(c.model, t.o.task, t.d, train, { seed: fitSeed(t.o.seed, c.model, f), weights: t.weights, params: c.params });
        wall += performance.now() - t0; used += cpuSince(c0);
        const t1 = performance.now();
        const oof = predictCandidate(m, t.d, valid);
        predWall += performance.now() - t1;
        scores.push(scorePredictions(t.metric, t.d, oof, valid));
        hashTrees(h, m); size += nodes(m);
      }
      fit.push(wall / 1000 / t.folds.length); cpu.push(used / t.folds.length); pred.push(predWall / 1000 / t.folds.length);
      hash = h.digest('hex').slice(0, 16);
    }
    const cv = scores.reduce((a, b) => a + b, 0) / scores.length;
    console.log(`  ${c.label.padEnd(52)} fit/fold ${median(fit).toFixed(3)} s wall ${median(cpu).toFixed(3)} s CPU  predict/fold ${(median(pred) * 1000).toFixed(1)} ms  ` +
      `nodes/fold ${Math.round(size / t.folds.length)}  CV R² ${cv.toFixed(4)}  trees ${hash}`);
  }
  // TreeSHAP of the default forest fitted on fold 0, on 50 held-out rows.
  const m = fitCandidate('random_forest', t.o.task, t.d, t.folds[0].train, { seed: fitSeed(t.o.seed, 'random_forest', 0), weights: t.weights });
  const rows = t.folds[0].valid.slice(0, 50);
  const shap: number[] = [];
  let phiHash = '';
  for (let k = 0; k < RUNS; k++) {
    const t0 = performance.now();
    const c = explainRows(m, t.pre, t.d, rows);
    shap.push((performance.now() - t0) / 1000);
    phiHash = createHash('sha256').update(Buffer.from(c.phi.buffer)).digest('hex').slice(0, 16);
  }
  console.log(`  TreeSHAP, default forest (${nodes(m)} nodes), 50 rows: ${median(shap).toFixed(3)} s  phi ${phiHash}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

if (part === 'all' || part === 'big') {
  // The same synthetic 100k × 20 table as bench/ml.ts (seed 7), as a regression on a noisy function and as 3 classes.
  const ROWS = 100_000, F = 20;
  const rand = seededRandom(7);
  const cols: Record<string, number[]> = {};
  for (let f = 0; f < F; f++) cols[`x${f}`] = Array.from({ length: ROWS }, () => rand() * 10);
  const yNum = Float64Array.from({ length: ROWS }, (_, i) => cols.x0[i] + Math.sin(cols.x1[i]) * 3 + (cols.x2[i] * cols.x3[i]) / 10 + rand() * 2);
  const yCls = Int32Array.from(yNum, (v) => (v < 8 ? 0 : v < 12 ? 1 : 2));
  const data = applyBinner(fitBinner(cols, Object.keys(cols).map((name) => ({ name, type: 'float' as const })), 1), cols, ROWS);
  const all = Int32Array.from({ length: ROWS }, (_, i) => i);
  for (const [label, cls, params] of [
    ['regression, 10 trees, defaults (all features, depth 24, at most 15,000 leaves a tree)', false, { trees: 10 }],
    ['regression, 10 trees, no leaf cap (the defaults before it)', false, { trees: 10, maxLeaves: Infinity }],
    ['3 classes, 10 trees, defaults (√features per split)', true, { trees: 10 }],
  ] as const) {
    const wall: number[] = [], cpu: number[] = [];
    let hash = '', size = 0;
    for (let k = 0; k < RUNS; k++) {
      const t0 = performance.now(), c0 = process.cpuUsage();
      const m = fitForest(data, { yNum, yCls, classes: 3 }, all, cls, { ...params }, 1);
      wall.push((performance.now() - t0) / 1000); cpu.push(cpuSince(c0));
      const h = createHash('sha256'); hashTrees(h, m); hash = h.digest('hex').slice(0, 16);
      size = nodes(m);
    }
    console.log(`forest on ${ROWS.toLocaleString('en-US')} × ${F}, ${label}: ${median(wall).toFixed(2)} s wall ${median(cpu).toFixed(2)} s CPU  ${size.toLocaleString('en-US')} nodes  trees ${hash}  (depth limit ${FOREST_DEFAULTS.maxDepth})`);
  }
}
