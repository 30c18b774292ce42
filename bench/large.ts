// bench:large — a 3M-row table (vega's flights-3m: date, delay, distance, origin, destination) as a user meets it:
// the first 80% of its rows by date uploaded and analysed through the API and a worker (target `delay`), the last
// 20% uploaded and scored by a predict job with the served model, R² on those rows; LightGBM 4.6 with its defaults
// trained on the same 2.4M rows and scored on the same 600k (bench/large-peer.py). Prints what each stage took, how
// many rows each stage of training used, the validation Assay chose and the scores side by side.
//   npm run bench:large [-- budget_s]      (no budget: the default, 600 s for this table)
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { benchStack } from './stack.js';

const python = process.env.BENCH_PYTHON ?? '.tools/bench/bin/python';
const budget = process.argv[2] ? Number(process.argv[2]) : undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const src = path.resolve('node_modules/vega-datasets/data/flights-3m.parquet');

const stack = await benchStack('large', { MAX_UPLOAD_MB: '200' });
try {
  // The split: by date, so the test rows are later than every training row, as they would be in use.
  const dir = stack.dir;
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const cut = `(SELECT quantile_disc(date, 0.8) FROM read_parquet('${src}'))`;
  await duck.run(`COPY (SELECT * FROM read_parquet('${src}') WHERE date < ${cut} ORDER BY date) TO '${dir}/train.parquet' (FORMAT parquet)`);
  await duck.run(`COPY (SELECT * FROM read_parquet('${src}') WHERE date >= ${cut} ORDER BY date) TO '${dir}/test.parquet' (FORMAT parquet)`);
  for (const part of ['train', 'test']) await duck.run(`COPY (SELECT * FROM read_parquet('${dir}/${part}.parquet')) TO '${dir}/${part}.csv' (HEADER)`);
  const truth = (await duck.runAndReadAll(`SELECT delay FROM read_parquet('${dir}/test.parquet')`)).getRowsJS().map((r) => Number(r[0]));
  const trainRows = Number((await duck.runAndReadAll(`SELECT count(*) FROM read_parquet('${dir}/train.parquet')`)).getRowsJS()[0][0]);

  await stack.startApi();
  const worker = stack.spawnNode('worker', 'worker/main.ts');
  // The worker's peak resident memory (its threads included): what a machine running this table needs.
  const peakGb = () => { try { return Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${worker.pid}/status`, 'utf8'))![1]) / 1024 ** 2; } catch { return NaN; } };
  const base = stack.base;
  const reg = await (await fetch(`${base}/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench', email: `bench-${randomUUID().slice(0, 8)}@example.com`, password: 'correct horse battery' }) })).json() as { access_token: string };
  const auth = { authorization: `Bearer ${reg.access_token}` };
  const upload = async (file: string) => {
    const form = new FormData();
    form.append('file', new Blob([fs.readFileSync(file)]), path.basename(file));
    return (await (await fetch(`${base}/datasets/upload`, { method: 'POST', headers: auth, body: form })).json()) as { dataset_id: string };
  };
  const get = async (p: string) => (await fetch(`${base}${p}`, { headers: auth })).json() as Promise<Record<string, any>>;
  const t0 = Date.now();
  const train = await upload(path.join(dir, 'train.parquet'));
  const uploadS = (Date.now() - t0) / 1000;
  const started = await (await fetch(`${base}/runs/start`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ dataset_id: train.dataset_id, options: { target: 'delay', ...(budget ? { time_budget_s: budget } : {}) } }) })).json() as { run_id: string };
  for (;;) {
    const s = await get(`/runs/${started.run_id}/status`);
    if (['completed', 'failed', 'cancelled'].includes(s.status)) { if (s.status !== 'completed') throw new Error(`run ${s.status}: ${JSON.stringify(s)}`); break; }
    await sleep(2000);
  }
  const result = await get(`/runs/${started.run_id}/result`);
  const m = result.modeling;
  // The held-out later 20%, scored by a predict job with the served model.
  const test = await upload(path.join(dir, 'test.parquet'));
  const tj = Date.now();
  const job = await (await fetch(`${base}/models/${m.best_model_id}/predict-jobs`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ dataset_id: test.dataset_id }) })).json() as { job_id: string };
  for (;;) {
    const s = await get(`/predict-jobs/${job.job_id}`);
    if (s.status === 'completed') break;
    if (['failed', 'cancelled'].includes(s.status)) throw new Error(`predict job ${s.status}: ${s.error}`);
    await sleep(1000);
  }
  const jobS = (Date.now() - tj) / 1000;
  const link = await fetch(`${base}/predict-jobs/${job.job_id}/download`, { headers: auth, redirect: 'manual' });
  const csv = await (await fetch(link.headers.get('location')!)).text();
  const pred = csv.trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
  const mean = truth.reduce((a, b) => a + b, 0) / truth.length;
  let ssRes = 0, ssTot = 0;
  truth.forEach((y, i) => { ssRes += (y - pred[i]) ** 2; ssTot += (y - mean) ** 2; });
  const ours = 1 - ssRes / ssTot;
  const peer = JSON.parse(execFileSync(python, ['bench/large-peer.py', path.join(dir, 'train.csv'), path.join(dir, 'test.csv')], { maxBuffer: 1 << 26 }).toString().trim().split('\n').at(-1)!) as { r2: number; seconds: number; rows: number };
  const t = result.timings as Record<string, { duration_ms: number }>;
  console.log(`bench:large — flights-3m, first 80% by date (${trainRows.toLocaleString('en-US')} rows) to train, last 20% (${truth.length.toLocaleString('en-US')}) to score`);
  console.log(`  upload ${uploadS.toFixed(1)} s; stages: ${Object.entries(t).map(([k, v]) => `${k} ${(v.duration_ms / 1000).toFixed(1)} s`).join(', ')}`);
  console.log(`  budget ${m.search.time_budget_s} s (${m.search.budget_rule}); search stopped: ${m.search.stopped} after ${m.trials?.length ?? '?'} trials`);
  console.log(`  rows by stage: ${JSON.stringify(m.rows_by_stage)}; validation: ${m.validation.scheme}, ${m.validation.folds} folds, test ${m.validation.test_rows} rows`);
  console.log(`  train stage: loaded in ${m.search.load_seconds?.toFixed(1)} s, search ended at ${m.search.seconds?.toFixed(1)} s, stage ${m.search.stage_seconds?.toFixed(1)} s; trials: ${(m.trials ?? []).map((x: { model: string; cv_mean: number; seconds: number }) => `${x.model} ${x.cv_mean.toFixed(4)} (${x.seconds.toFixed(1)} s)`).join(', ')}`);
  console.log(`  served ${m.leaderboard[0].model}: cv ${m.leaderboard[0].cv_mean.toFixed(4)}, its own test_score ${m.test_score?.toFixed(4)}`);
  console.log(`  worker peak resident memory ${peakGb().toFixed(2)} GB`);
  console.log(`  R² on the later 600k rows: Assay ${ours.toFixed(4)} (predict job ${jobS.toFixed(1)} s)  LightGBM defaults on all ${peer.rows.toLocaleString('en-US')} training rows ${peer.r2.toFixed(4)} (fit ${peer.seconds.toFixed(1)} s)`);
} finally {
  await stack.cleanup();
}
