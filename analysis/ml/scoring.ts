import type { FitData } from './candidates.js';
import { accuracy, balancedAccuracy, logLoss, macroF1, mae, mape, r2, rmse, rocAuc, type Metric } from './metrics.js';

/** The most probable class per row of row-major probabilities. */
export function argmaxRows(pred: Float64Array, rows: number, K: number): number[] {
  return Array.from({ length: rows }, (_, k) => { let best = 0; for (let c = 1; c < K; c++) if (pred[k * K + c] > pred[k * K + best]) best = c; return best; });
}

/** Scores predictions for rows `idx` (values, or row-major class probabilities) by `metric`. */
export function scorePredictions(metric: Metric, d: Pick<FitData, 'yNum' | 'yCls' | 'classes'>, pred: Float64Array, idx: ArrayLike<number>): number {
  const K = d.classes.length;
  if (metric === 'r2' || metric === 'rmse' || metric === 'mae' || metric === 'mape') {
    const yNum = Array.from(idx, (r) => d.yNum[r]);
    return metric === 'r2' ? r2(yNum, pred) : metric === 'rmse' ? rmse(yNum, pred) : metric === 'mae' ? mae(yNum, pred) : mape(yNum, pred);
  }
  const yTrue = Array.from(idx, (r) => d.yCls[r]);
  if (metric === 'roc_auc') {
    if (K === 2) return rocAuc(yTrue, Array.from(idx, (_, k) => pred[k * K + 1]));
    // More than two classes: the mean one-vs-rest AUC.
    let s = 0;
    for (let c = 0; c < K; c++) s += rocAuc(yTrue.map((y) => (y === c ? 1 : 0)), Array.from(idx, (_, k) => pred[k * K + c]));
    return s / K;
  }
  if (metric === 'log_loss') return logLoss(yTrue, pred, K);
  const yPred = argmaxRows(pred, idx.length, K);
  return metric === 'accuracy' ? accuracy(yTrue, yPred) : metric === 'balanced_accuracy' ? balancedAccuracy(yTrue, yPred, K) : macroF1(yTrue, yPred, K);
}
