import { argmaxRows } from './scoring.js';

export type Diagnostics =
  | { kind: 'classification'; held_out_rows: number; labels: string[]; confusion: number[][];
      roc: { fpr: number[]; tpr: number[] } | null; pr: { recall: number[]; precision: number[] } | null }
  | { kind: 'regression'; held_out_rows: number; rmse: number; mae: number; points: { actual: number; predicted: number }[] };

const MAX_CURVE_POINTS = 100;
const MAX_SCATTER_POINTS = 500;

/** ROC and precision–recall curves from scores of the positive class, thinned to at most 100 points. */
function curves(y: number[], score: number[]) {
  const order = score.map((s, i) => [s, y[i]] as const).sort((a, b) => b[0] - a[0]);
  const P = y.filter((v) => v === 1).length, N = y.length - P;
  if (P === 0 || N === 0) return { roc: null, pr: null };
  const fpr = [0], tpr = [0], recall: number[] = [], precision: number[] = [];
  let tp = 0, fp = 0;
  for (let i = 0; i < order.length; i++) {
    if (order[i][1] === 1) tp++; else fp++;
    if (i + 1 < order.length && order[i + 1][0] === order[i][0]) continue; // ties move together
    fpr.push(fp / N); tpr.push(tp / P); recall.push(tp / P); precision.push(tp / (tp + fp));
  }
  const thin = (xs: number[]) => (xs.length <= MAX_CURVE_POINTS ? xs : Array.from({ length: MAX_CURVE_POINTS }, (_, i) => xs[Math.round((i / (MAX_CURVE_POINTS - 1)) * (xs.length - 1))]));
  return { roc: { fpr: thin(fpr), tpr: thin(tpr) }, pr: { recall: thin(recall), precision: thin(precision) } };
}

/** Confusion matrix and curves (classification) or errors and a predicted-vs-actual sample (regression) on held-out rows. */
export function diagnose(pred: Float64Array, yNum: number[], yCls: number[], classes: string[]): Diagnostics {
  const n = Math.max(yNum.length, yCls.length);
  if (classes.length === 0) {
    let se = 0, ae = 0;
    for (let i = 0; i < n; i++) { se += (pred[i] - yNum[i]) ** 2; ae += Math.abs(pred[i] - yNum[i]); }
    const step = Math.max(1, Math.ceil(n / MAX_SCATTER_POINTS));
    const points = [];
    for (let i = 0; i < n; i += step) points.push({ actual: yNum[i], predicted: pred[i] });
    return { kind: 'regression', held_out_rows: n, rmse: Math.sqrt(se / n), mae: ae / n, points };
  }
  const K = classes.length;
  const predicted = argmaxRows(pred, n, K);
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (let i = 0; i < n; i++) confusion[yCls[i]][predicted[i]]++;
  const { roc, pr } = K === 2 ? curves(yCls, Array.from({ length: n }, (_, i) => pred[i * 2 + 1])) : { roc: null, pr: null };
  return { kind: 'classification', held_out_rows: n, labels: classes, confusion, roc, pr };
}
