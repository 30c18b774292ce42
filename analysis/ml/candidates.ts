import { fitRidge, fitSoftmax, predictLinear, type LinearModel } from './linear.js';

export const MODEL_NAMES = ['baseline', 'linear'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
export type Task = 'classification' | 'regression';

/** The constant model every candidate must beat: class priors, or the mean. */
export type BaselineModel = { kind: 'baseline'; priors?: number[]; mean?: number };
export type FittedModel = LinearModel | BaselineModel;

export interface FitData { X: Float64Array; width: number; yNum: Float64Array; yCls: Int32Array; classes: string[] }

/** Fits one named candidate on the rows in `idx`. */
export function fitCandidate(name: ModelName, task: Task, d: FitData, idx: Int32Array): FittedModel {
  if (name === 'baseline') {
    if (task === 'regression') {
      let s = 0; for (let k = 0; k < idx.length; k++) s += d.yNum[idx[k]];
      return { kind: 'baseline', mean: s / idx.length };
    }
    const priors = new Array<number>(d.classes.length).fill(0);
    for (let k = 0; k < idx.length; k++) priors[d.yCls[idx[k]]]++;
    return { kind: 'baseline', priors: priors.map((c) => c / idx.length) };
  }
  return task === 'regression' ? fitRidge(d.X, d.yNum, idx, d.width, 1) : fitSoftmax(d.X, d.yCls, idx, d.width, d.classes);
}

/** Predicts for rows `idx`: values for regression, row-major class probabilities for classification. */
export function predictCandidate(m: FittedModel, d: Pick<FitData, 'X' | 'width' | 'classes'>, idx: ArrayLike<number>): Float64Array {
  if (m.kind !== 'baseline') return predictLinear(m, d.X, idx, d.width);
  if (m.mean !== undefined) return new Float64Array(idx.length).fill(m.mean);
  const K = m.priors!.length, out = new Float64Array(idx.length * K);
  for (let k = 0; k < idx.length; k++) for (let c = 0; c < K; c++) out[k * K + c] = m.priors![c];
  return out;
}
