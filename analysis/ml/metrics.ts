export const METRICS = ['roc_auc', 'accuracy', 'macro_f1', 'r2', 'rmse'] as const;
export type Metric = (typeof METRICS)[number];
/** Whether a larger value of the metric is better (for ranking the leaderboard). */
export const higherIsBetter = (m: Metric) => m !== 'rmse';

/** Area under the ROC curve (rank statistic, ties averaged). `score` is P(class 1). */
export function rocAuc(yTrue: ArrayLike<number>, score: ArrayLike<number>): number {
  const n = yTrue.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let pos = 0, sum = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === 1) { pos++; sum += ranks[i]; }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return 0.5;
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
