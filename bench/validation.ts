// Why the validation scheme matters: on a time-ordered table, shuffled k-fold CV against forward-chaining
// CV against the score on the latest rows (never seen by selection). `npm run bench:validation`.
import type { Frame } from '../analysis/ml/load-frame.js';
import { seededRandom } from '../analysis/ml/random.js';
import { trainModels } from '../analysis/ml/train-models.js';

/** Daily rows whose level wanders (a random walk) plus a price effect: yesterday tells much, the far future little. */
function wanderingSales(days: number, seed: number): Frame {
  const rand = seededRandom(seed);
  const date: string[] = [], price: number[] = [], promo: number[] = [], sales: number[] = [];
  let level = 100;
  for (let d = 0; d < days; d++) {
    level += (rand() - 0.5) * 6;
    const p = 5 + rand() * 5, q = rand() < 0.3 ? 1 : 0;
    date.push(new Date(Date.UTC(2018, 0, 1) + d * 86_400_000).toISOString().slice(0, 10));
    price.push(p); promo.push(q); sales.push(level - 4 * p + 10 * q + (rand() - 0.5) * 4);
  }
  return { rows: days, columns: { date, price, promo, sales } };
}

const frame = wanderingSales(3000, 3);
const columns = [{ name: 'date', type: 'datetime' as const }, { name: 'price', type: 'float' as const }, { name: 'promo', type: 'integer' as const }, { name: 'sales', type: 'float' as const }];
const base = { frame, target: 'sales', task: 'regression' as const, columns, cvFolds: 5, seed: 1, models: ['baseline' as const, 'linear' as const, 'gbdt' as const] };
const rows: string[][] = [];
for (const [label, validation] of [
  ['shuffled k-fold, no test split (before)', { scheme: 'kfold' as const, test_fraction: 0 }],
  ['shuffled k-fold + random 20% test', { scheme: 'kfold' as const }],
  ['time (auto), latest 20% as test', { scheme: 'auto' as const }],
] as const) {
  const t0 = performance.now();
  const r = await trainModels({ ...base, validation });
  const best = r.leaderboard[0];
  rows.push([label, r.validation.scheme, best.model, best.cv_mean.toFixed(3), r.test_score === null ? '—' : r.test_score.toFixed(3), ((performance.now() - t0) / 1000).toFixed(1)]);
}
console.log('| validation | scheme | chosen | CV R² | test R² | s |\n| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
