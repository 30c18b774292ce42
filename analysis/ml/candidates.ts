import { fitForest, predictForest, type ForestModel } from './forest.js';
import { fitGbdt, predictGbdt, type GbdtModel } from './gbdt.js';
import { fitRidge, fitSoftmax, predictLinear, type LinearModel } from './linear.js';
import type { Prepared } from './preprocess.js';

export const MODEL_NAMES = ['baseline', 'linear', 'gbdt', 'random_forest'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
export type Task = 'classification' | 'regression';

/** The constant model every candidate must beat: class priors, or the mean. */
export type BaselineModel = { kind: 'baseline'; priors?: number[]; mean?: number };
export type FittedModel = LinearModel | BaselineModel | GbdtModel | ForestModel;

/** Prepared rows with their targets: `yNum` for regression, class indices `yCls` for classification. */
export interface FitData extends Prepared { yNum: Float64Array; yCls: Int32Array; classes: string[] }

export interface FitOptions { seed: number; weights?: Float64Array | null; deadline?: number }

/** Fits one named candidate on the rows in `idx`. */
export function fitCandidate(name: ModelName, task: Task, d: FitData, idx: Int32Array, o: FitOptions): FittedModel {
  const targets = { yNum: d.yNum, yCls: d.yCls, classes: d.classes.length };
  switch (name) {
    case 'baseline': {
      if (task === 'regression') {
        let s = 0; for (let k = 0; k < idx.length; k++) s += d.yNum[idx[k]];
        return { kind: 'baseline', mean: s / idx.length };
      }
      const priors = new Array<number>(d.classes.length).fill(0);
      for (let k = 0; k < idx.length; k++) priors[d.yCls[idx[k]]]++;
      return { kind: 'baseline', priors: priors.map((c) => c / idx.length) };
    }
    case 'linear':
      return task === 'regression' ? fitRidge(d.X, d.yNum, idx, d.width, 1)
        : fitSoftmax(d.X, d.yCls, idx, d.width, d.classes, { deadline: o.deadline });
    case 'gbdt':
      return fitGbdt(d.binned, targets, idx, task === 'regression' ? 'squared_error' : d.classes.length === 2 ? 'binary' : 'multiclass', {}, o.seed,
        { weights: o.weights, deadline: o.deadline });
    case 'random_forest':
      return fitForest(d.binned, targets, idx, task === 'classification', {}, o.seed, { weights: o.weights, deadline: o.deadline });
  }
}

/** Predicts for rows `idx`: values for regression, row-major class probabilities for classification. */
export function predictCandidate(m: FittedModel, d: Prepared & { classes: string[] }, idx: ArrayLike<number>): Float64Array {
  switch (m.kind) {
    case 'gbdt': return predictGbdt(m, d.binned, idx);
    case 'forest': return predictForest(m, d.binned, idx);
    case 'ridge': case 'softmax': return predictLinear(m, d.X, idx, d.width);
    default: {
      if (m.mean !== undefined) return new Float64Array(idx.length).fill(m.mean);
      const K = m.priors!.length, out = new Float64Array(idx.length * K);
      for (let k = 0; k < idx.length; k++) for (let c = 0; c < K; c++) out[k * K + c] = m.priors![c];
      return out;
    }
  }
}

/** Whether a fit stopped adding trees because its deadline passed. */
export const stoppedEarly = (m: FittedModel) => (m.kind === 'gbdt' || m.kind === 'forest') && m.stopped === 'deadline';
