import { higherIsBetter, type Metric } from './metrics.js';

/** A train score this far above the cross-validated one (in the metric's units) can be overfitting. */
export const OVERFIT_GAP = 0.1;
/** For errors (RMSE, MAE, MAPE, log loss), lower is better: a cross-validated error this many times the training error can be. */
export const OVERFIT_RATIO = 1.5;
/** … and only when the gap is this many fold standard deviations: a gap the folds themselves show is noise. */
export const OVERFIT_SPREADS = 3;

/**
 * Whether a model overfits: its training score beats the cross-validated one by a large margin (0.1 in the
 * metric's units, or 1.5× for errors) that is also large against the spread of the fold scores (3 σ). A
 * flexible model always scores better on rows it has seen; only a gap the folds cannot explain is a warning.
 * QA's overfitting check and model selection both use this rule.
 */
export function isOverfit(metric: Metric, train: number, cvMean: number, cvStd: number): boolean {
  if (!Number.isFinite(train)) return false;
  if (higherIsBetter(metric)) {
    const gap = train - cvMean;
    return gap > OVERFIT_GAP && gap > OVERFIT_SPREADS * cvStd;
  }
  const gap = cvMean - train;
  return train > 0 && cvMean / train > OVERFIT_RATIO && gap > OVERFIT_SPREADS * cvStd;
}

export interface Rankable { model: string; cv_mean: number; cv_std: number; overfit?: boolean }

/**
 * Picks the model to serve from a ranked leaderboard: the leader, unless it overfits and a sound model (not
 * the baseline) scores within one of the leader's fold standard deviations, i.e. within noise. Returns the
 * leaderboard with the chosen row first and, when it changed, why.
 */
export function chooseModel<E extends Rankable>(ranked: E[]): { leaderboard: E[]; note: string | null } {
  const leader = ranked[0];
  if (!leader?.overfit) return { leaderboard: ranked, note: null };
  const sound = ranked.find((e) => !e.overfit && e.model !== 'baseline' && Math.abs(e.cv_mean - leader.cv_mean) <= leader.cv_std);
  if (!sound) return { leaderboard: ranked, note: null };
  return {
    leaderboard: [sound, ...ranked.filter((e) => e !== sound)],
    note: `${leader.model} scored best (${leader.cv_mean.toFixed(4)}) but overfits (its training score is far above it, beyond the fold spread); ${sound.model} (${sound.cv_mean.toFixed(4)}) is within one fold standard deviation and sound, so it was chosen.`,
  };
}
