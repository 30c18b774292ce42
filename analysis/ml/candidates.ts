import { fitForest, predictForest, type ForestModel, type ForestParams } from './forest.js';
import { fitGbdt, predictGbdt, type GbdtModel, type GbdtParams } from './gbdt.js';
import { fitRidge, fitSoftmax, predictLinear, type LinearModel } from './linear.js';
import type { Prepared } from './preprocess.js';
import type { TrialParams } from './search-space.js';

export const MODEL_NAMES = ['baseline', 'linear', 'gbdt', 'random_forest'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
export type Task = 'classification' | 'regression';

/** The constant model every candidate must beat: class priors, or the mean. */
export type BaselineModel = { kind: 'baseline'; priors?: number[]; mean?: number };
/** A weighted average of fitted members' predictions (probabilities for classification), from greedy ensemble selection. */
export interface EnsembleModel { kind: 'ensemble'; members: { name: ModelName; params: TrialParams; weight: number; model: FittedModel }[] }
export type FittedModel = LinearModel | BaselineModel | GbdtModel | ForestModel | EnsembleModel;
/** A leaderboard row's name: a model family, or the ensemble of several. */
export type EntryName = ModelName | 'ensemble';

/** Prepared rows with their targets: `yNum` for regression, class indices `yCls` for classification. */
export interface FitData extends Prepared { yNum: Float64Array; yCls: Int32Array; classes: string[] }

/** `params` are a trial's hyper-parameters; `{}` or none means the family's defaults. */
export interface FitOptions { seed: number; weights?: Float64Array | null; deadline?: number; params?: TrialParams }

/** Fits one named candidate on the rows in `idx`. */
export function fitCandidate(name: ModelName, task: Task, d: FitData, idx: Int32Array, o: FitOptions): FittedModel {
  const targets = { yNum: d.yNum, yCls: d.yCls, classes: d.classes.length };
  const p = o.params ?? {};
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
      return task === 'regression' ? fitRidge(d.X, d.yNum, idx, d.width, p.alpha ?? 1)
        : fitSoftmax(d.X, d.yCls, idx, d.width, d.classes, { deadline: o.deadline, l2: p.l2 });
    case 'gbdt':
      return fitGbdt(d.binned, targets, idx, task === 'regression' ? 'squared_error' : d.classes.length === 2 ? 'binary' : 'multiclass', gbdtParams(p), o.seed,
        { weights: o.weights, deadline: o.deadline });
    case 'random_forest':
      return fitForest(d.binned, targets, idx, task === 'classification', forestParams(p), o.seed, { weights: o.weights, deadline: o.deadline });
  }
}

const GBDT_KEYS = ['learningRate', 'maxIter', 'maxLeaves', 'maxDepth', 'minSamplesLeaf', 'l2', 'subsample', 'colsample'] as const;
const FOREST_KEYS = ['trees', 'maxDepth', 'minSamplesLeaf', 'maxLeaves', 'featureFraction'] as const;
const pick = <K extends string>(p: Record<string, unknown>, keys: readonly K[]) => Object.fromEntries(keys.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
const gbdtParams = (p: TrialParams): Partial<GbdtParams> => pick(p, GBDT_KEYS);
const forestParams = (p: TrialParams): Partial<ForestParams> => pick(p, FOREST_KEYS);

/** Predicts for rows `idx`: values for regression, row-major class probabilities for classification. */
export function predictCandidate(m: FittedModel, d: Prepared & { classes: string[] }, idx: ArrayLike<number>): Float64Array {
  switch (m.kind) {
    case 'gbdt': return predictGbdt(m, d.binned, idx);
    case 'forest': return predictForest(m, d.binned, idx);
    case 'ridge': case 'softmax': return predictLinear(m, d.X, idx, d.width);
    case 'ensemble': {
      let out: Float64Array | null = null;
      for (const member of m.members) {
        const p = predictCandidate(member.model, d, idx);
        out ??= new Float64Array(p.length);
        for (let i = 0; i < p.length; i++) out[i] += member.weight * p[i];
      }
      return out!;
    }
    default: {
      if (m.mean !== undefined) return new Float64Array(idx.length).fill(m.mean);
      const K = m.priors!.length, out = new Float64Array(idx.length * K);
      for (let k = 0; k < idx.length; k++) for (let c = 0; c < K; c++) out[k * K + c] = m.priors![c];
      return out;
    }
  }
}

/** Whether a fit stopped adding trees because its deadline passed. */
export const stoppedEarly = (m: FittedModel): boolean => (m.kind === 'ensemble' ? m.members.some((x) => stoppedEarly(x.model))
  : (m.kind === 'gbdt' || m.kind === 'forest') && m.stopped === 'deadline');
