import type { ModelName } from './candidates.js';
import type { ForestParams } from './forest.js';
import type { GbdtParams } from './gbdt.js';

/** Hyper-parameters of one trial; `{}` means the model's defaults. Plain JSON (crosses threads, heartbeats). */
export type TrialParams = Partial<GbdtParams> & Partial<ForestParams> & { alpha?: number; l2?: number };

/** One configuration to cross-validate. */
export interface TrialSpec { model: ModelName; params: TrialParams }

/** A stable key of a trial (model and params, keys sorted): finished folds are found by it after a restart. */
export function trialKey(s: TrialSpec): string {
  const keys = Object.keys(s.params).sort() as (keyof TrialParams)[];
  return `${s.model}:${keys.map((k) => `${k}=${s.params[k]}`).join(',')}`;
}

/** One searched dimension, mapped to [0, 1]: `log` dimensions move by ratios, integers are rounded. */
export interface Dimension { name: keyof GbdtParams; low: number; high: number; log: boolean; int: boolean }

/**
 * The GBDT space, after FLAML's LightGBM space: learning rate, leaves, rows per leaf, L2, row and column
 * subsampling, and the number of rounds (capped by early stopping on large folds).
 */
export function gbdtSpace(rows: number): Dimension[] {
  return [
    { name: 'maxIter', low: 4, high: Math.max(8, Math.min(2_000, rows)), log: true, int: true },
    { name: 'maxLeaves', low: 4, high: Math.max(8, Math.min(256, Math.floor(rows / 4))), log: true, int: true },
    { name: 'minSamplesLeaf', low: 2, high: Math.max(4, Math.min(128, Math.floor(rows / 20))), log: true, int: true },
    { name: 'learningRate', low: 1 / 512, high: 1, log: true, int: false },
    { name: 'l2', low: 1 / 1024, high: 1024, log: true, int: false },
    { name: 'subsample', low: 0.5, high: 1, log: false, int: false },
    { name: 'colsample', low: 0.3, high: 1, log: false, int: false },
  ];
}

/**
 * FLAML's low-cost starting point: few, small trees. The search grows them only while that pays, so a
 * table where four trees of four leaves are enough never pays for a thousand.
 */
export const GBDT_LOW_COST: Partial<GbdtParams> = { maxIter: 4, maxLeaves: 4, minSamplesLeaf: 20, learningRate: 0.1, l2: 1, subsample: 1, colsample: 1 };

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** A point of [0, 1]^d to parameters (rounded so that a key names what was really fitted). */
export function decode(space: Dimension[], x: number[]): Partial<GbdtParams> {
  const out: Record<string, number> = {};
  space.forEach((d, i) => {
    const u = clamp01(x[i]);
    let v = d.log ? Math.exp(Math.log(d.low) + u * (Math.log(d.high) - Math.log(d.low))) : d.low + u * (d.high - d.low);
    v = d.int ? Math.round(v) : Number(v.toPrecision(3));
    out[d.name] = v;
  });
  return out as Partial<GbdtParams>;
}

/** Parameters to a point of [0, 1]^d (missing ones at the low end). */
export function encode(space: Dimension[], p: Partial<GbdtParams>): number[] {
  return space.map((d) => {
    const v = (p[d.name] as number | undefined) ?? d.low;
    return clamp01(d.log ? (Math.log(v) - Math.log(d.low)) / (Math.log(d.high) - Math.log(d.low)) : (v - d.low) / (d.high - d.low));
  });
}

/** Ridge penalties tried for the linear model (regression): a log grid around the default of 1. */
export const RIDGE_ALPHAS = [0.01, 0.1, 10, 100];
/** L2 penalties tried for the softmax model (classification); the default is 1e-3. */
export const SOFTMAX_L2 = [1e-5, 1e-2, 1e-1];
/** Forest variants: smoother leaves and more features per split, the settings that matter most in practice. */
export const FOREST_VARIANTS: Partial<ForestParams>[] = [
  { minSamplesLeaf: 3, featureFraction: 0.5 },
  { minSamplesLeaf: 1, featureFraction: 1 },
  { minSamplesLeaf: 8, featureFraction: 'sqrt' },
];

/** The trial each model family starts with: its defaults (what Assay fitted before the search existed). */
export const defaultTrial = (model: ModelName): TrialSpec => ({ model, params: {} });

/** The light searches for the forest and the linear model, in the order they are tried. */
export function lightTrials(model: ModelName, task: 'classification' | 'regression'): TrialSpec[] {
  if (model === 'linear') return task === 'regression' ? RIDGE_ALPHAS.map((alpha) => ({ model, params: { alpha } })) : SOFTMAX_L2.map((l2) => ({ model, params: { l2 } }));
  if (model === 'random_forest') return FOREST_VARIANTS.map((p) => ({ model, params: p as TrialParams }));
  return [];
}

/** The light trials of several families, alternating between them (forest, linear, forest, …). */
export function interleaved(lists: TrialSpec[][]): TrialSpec[] {
  const out: TrialSpec[] = [];
  for (let i = 0; lists.some((l) => i < l.length); i++) for (const l of lists) if (i < l.length) out.push(l[i]);
  return out;
}
