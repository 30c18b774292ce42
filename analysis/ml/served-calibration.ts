// Calibration of the served model from the search's out-of-fold predictions: gathers the served entry's OOF (a
// trial's, or the ensemble's blend of its members') and lets calibration.ts decide.
import { decideCalibration, type CalibrationReport, type ServedOutOfFold } from './calibration.js';
import type { OutOfFold } from './ensemble.js';
import type { ModelName } from './candidates.js';
import type { Training } from './prepare-training.js';
import { trialKey } from './search-space.js';
import type { LeaderboardEntry } from './train-models.js';

/**
 * The served entry's out-of-fold predictions, fold by fold: its trial's, or for the ensemble its members' weighted
 * sum (what the ensemble predicts). Null when a needed trial's predictions are not at hand (a resumed stage keeps
 * only the trials it fitted itself).
 */
export function servedOutOfFold(t: Pick<Training, 'folds'>, best: LeaderboardEntry, oofs: OutOfFold[]): ServedOutOfFold | null {
  const find = (model: ModelName, params: LeaderboardEntry['params']) => oofs.find((o) => o.key === trialKey({ model, params: params ?? {} }));
  const valid = t.folds.map((f) => f.valid);
  if (best.model !== 'ensemble') {
    const o = find(best.model, best.params);
    return o && o.folds.length === valid.length ? { folds: o.folds, valid } : null;
  }
  const parts = (best.members ?? []).map((m) => ({ w: m.weight, o: find(m.model, m.params) }));
  if (!parts.length || parts.some((p) => !p.o || p.o.folds.length !== valid.length)) return null;
  const folds = valid.map((_, f) => {
    const out = new Float64Array(parts[0].o!.folds[f].length);
    for (const p of parts) { const src = p.o!.folds[f]; for (let i = 0; i < out.length; i++) out[i] += p.w * src[i]; }
    return out;
  });
  return { folds, valid };
}

/**
 * Whether and how to calibrate the served model (see `decideCalibration`). Null for regression: a regressor's
 * values have no probabilities to calibrate. The baseline's priors are calibrated by construction.
 */
export function calibrateServed(t: Pick<Training, 'folds' | 'd' | 'metric' | 'o'>, best: LeaderboardEntry, oofs: OutOfFold[]): CalibrationReport | null {
  if (t.o.task === 'regression') return null;
  const none = (reason: string): CalibrationReport => ({ method: null, applied: false, reason, params: null, oof: null, test: null });
  if (best.model === 'baseline') return none('Not calibrated: the baseline predicts the class frequencies, calibrated by construction.');
  const oof = servedOutOfFold(t, best, oofs);
  if (!oof) return none(`Not calibrated: the out-of-fold predictions of ${best.model} are not at hand (its folds were scored by an earlier attempt of the stage).`);
  return decideCalibration(oof, t.d.yCls, t.d, t.metric);
}
