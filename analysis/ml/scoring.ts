import type { FitData } from './candidates.js';
import { accuracy, macroF1, r2, rocAuc, type Metric } from './metrics.js';

/** The most probable class per row of row-major probabilities. */
export function argmaxRows(pred: Float64Array, rows: number, K: number): number[] {
  return Array.from({ length: rows }, (_, k) => { let best = 0; for (let c = 1; c < K; c++) if (pred[k * K + c] > pred[k * K + best]) best = c; return best; });
}

/** Scores predictions for rows `idx` (values, or row-major class probabilities) by `metric`. */
export function scorePredictions(metric: Metric, d: Pick<FitData, 'yNum' | 'yCls' | 'classes'>, pred: Float64Array, idx: ArrayLike<number>): number {
  const K = d.classes.length;
  if (metric === 'r2') return r2(Array.from(idx, (r) => d.yNum[r]), pred);
  const yTrue = Array.from(idx, (r) => d.yCls[r]);
  if (metric === 'roc_auc') return rocAuc(yTrue, Array.from(idx, (_, k) => pred[k * K + 1]));
  const yPred = argmaxRows(pred, idx.length, K);
  return metric === 'accuracy' ? accuracy(yTrue, yPred) : macroF1(yTrue, yPred, K);
}
