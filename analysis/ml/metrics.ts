import { sortNumbers } from './sort-numbers.js';

export const METRICS = ['roc_auc', 'log_loss', 'accuracy', 'balanced_accuracy', 'macro_f1', 'r2', 'rmse', 'mae', 'mape'] as const;
export type Metric = (typeof METRICS)[number];
/** Names a caller may ask for in `options.metric` (`f1_macro` is the API's name for `macro_f1`). */
export const METRIC_OPTIONS = ['roc_auc', 'log_loss', 'accuracy', 'balanced_accuracy', 'f1_macro', 'macro_f1', 'r2', 'rmse', 'mae', 'mape'] as const;
export type MetricOption = (typeof METRIC_OPTIONS)[number];
export const CLASSIFICATION_METRICS: readonly Metric[] = ['roc_auc', 'log_loss', 'accuracy', 'balanced_accuracy', 'macro_f1'];
export const REGRESSION_METRICS: readonly Metric[] = ['r2', 'rmse', 'mae', 'mape'];
/** The engine's name for a metric a caller asked for. */
export const metricNamed = (m: MetricOption): Metric => (m === 'f1_macro' ? 'macro_f1' : m);
/** Whether a larger value of the metric is better (for ranking the leaderboard); errors and losses are lower-is-better. */
export const higherIsBetter = (m: Metric) => m !== 'rmse' && m !== 'mae' && m !== 'mape' && m !== 'log_loss';

/** Area under the ROC curve (rank statistic, ties averaged). `score` is P(class 1). */
export function rocAuc(yTrue: ArrayLike<number>, score: ArrayLike<number>): number {
  // Midranks without sorting row indices by a comparator (~50 ms per 100k rows, and the leakage check runs it on
  // every numeric column): sort all scores and the positives' scores natively, then give each positive the
  // midrank of its tie group. Ranks are half-integers, so the sum is exact and equals the row-by-row one.
  const n = yTrue.length;
  const all = new Float64Array(n);
  let pos = 0;
  for (let i = 0; i < n; i++) { all[i] = score[i]; if (yTrue[i] === 1) pos++; }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return 0.5;
  const p = new Float64Array(pos);
  for (let i = 0, k = 0; i < n; i++) if (yTrue[i] === 1) p[k++] = score[i];
  sortNumbers(all); sortNumbers(p);
  let sum = 0;
  for (let k = 0, i = 0; k < pos;) {
    const x = p[k];
    while (i < n && all[i] < x) i++;
    let j = i;
    while (j < n && all[j] === x) j++;
    let c = k;
    while (c < pos && p[c] === x) c++;
    sum += (c - k) * ((i + j - 1) / 2 + 1);
    k = c;
  }
  return (sum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++;
  return yTrue.length ? ok / yTrue.length : 0;
}

export function macroF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: number): number {
  let total = 0;
  for (let c = 0; c < classes; c++) {
    let tp = 0, fp = 0, fn = 0;
    for (let i = 0; i < yTrue.length; i++) {
      if (yPred[i] === c && yTrue[i] === c) tp++;
      else if (yPred[i] === c) fp++;
      else if (yTrue[i] === c) fn++;
    }
    total += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return total / classes;
}

export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < yTrue.length; i++) mean += yTrue[i];
  mean /= yTrue.length;
  let ssRes = 0, ssTot = 0;
  for (let i = 0; i < yTrue.length; i++) { ssRes += (yTrue[i] - yPred[i]) ** 2; ssTot += (yTrue[i] - mean) ** 2; }
  return ssTot === 0 ? 0 : 1 - ssRes / ssTot;
}

export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += (yTrue[i] - yPred[i]) ** 2;
  return Math.sqrt(s / Math.max(1, yTrue.length));
}

export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i] - yPred[i]);
  return s / Math.max(1, yTrue.length);
}

/** Mean absolute percentage error (a fraction, 0.1 = 10%), over the rows whose true value is not 0. */
export function mape(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let s = 0, n = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] !== 0) { s += Math.abs((yTrue[i] - yPred[i]) / yTrue[i]); n++; }
  return n ? s / n : 0;
}

/** Mean recall over the classes that occur in `yTrue`. */
export function balancedAccuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: number): number {
  const hit = new Array<number>(classes).fill(0), seen = new Array<number>(classes).fill(0);
  for (let i = 0; i < yTrue.length; i++) { seen[yTrue[i]]++; if (yPred[i] === yTrue[i]) hit[yTrue[i]]++; }
  const present = seen.map((n, c) => (n ? hit[c] / n : -1)).filter((r) => r >= 0);
  return present.length ? present.reduce((a, b) => a + b, 0) / present.length : 0;
}

/** Mean negative log-likelihood of the true class; `prob` is row-major class probabilities, clipped at 1e-15. */
export function logLoss(yTrue: ArrayLike<number>, prob: ArrayLike<number>, classes: number): number {
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s -= Math.log(Math.min(1, Math.max(1e-15, prob[i * classes + yTrue[i]])));
  return s / Math.max(1, yTrue.length);
}
