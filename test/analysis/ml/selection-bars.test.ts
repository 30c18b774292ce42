import { describe, expect, test } from 'vitest';
import type { OutOfFold } from '../../../analysis/ml/ensemble.js';
import { prepareTraining } from '../../../analysis/ml/prepare-training.js';
import { seededRandom } from '../../../analysis/ml/random.js';
import { scorePredictions } from '../../../analysis/ml/scoring.js';
import { trialKey, type TrialSpec } from '../../../analysis/ml/search-space.js';
import { beyondNoise, chooseServed, leaderboardOf, type FoldScore, type LeaderboardEntry, type TrialRecord } from '../../../analysis/ml/train-models.js';
import type { ModelName } from '../../../analysis/ml/candidates.js';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
/** One trial's fold scores and its record, as the search logs them. */
function trial(model: ModelName, params: TrialSpec['params'], folds: number[]): { scores: FoldScore[]; record: TrialRecord } {
  const key = trialKey({ model, params });
  return {
    scores: folds.map((score, fold) => ({ model, fold, score, key, params })),
    record: { model, params, key, cv_mean: mean(folds), cv_std: std(folds), seconds: 1 },
  };
}

describe('selection bars', () => {
  test('a family tried twice does not lead on a lower noise bar than the family tried twenty times', () => {
    // The GBDT's defaults and 19 tuned trials that did no better; the forest's defaults and one tuned trial that beats
    // the best defaults by 0.015, about 1.6 standard errors: beyond the bar of 2 trials, within that of 22.
    const trials = [
      trial('gbdt', {}, [0.29, 0.30, 0.31, 0.32, 0.33]),
      ...Array.from({ length: 19 }, (_, i) => trial('gbdt', { maxLeaves: 4 + i }, [0.28, 0.29, 0.30, 0.31, 0.32])),
      trial('random_forest', {}, [0.27, 0.28, 0.29, 0.30, 0.31]),
      trial('random_forest', { minSamplesLeaf: 3 }, [0.295, 0.31, 0.325, 0.34, 0.355]),
    ];
    const lucky = trials.at(-1)!.record;
    const fold = (t: ReturnType<typeof trial>) => ({ cv_mean: t.record.cv_mean, cv_std: t.record.cv_std, folds: t.scores.map((s) => s.score) });
    expect(beyondNoise('r2', fold(trials.at(-1)!), trials[0].record, 2)).toBe(true); // the forest's own two trials would let it lead
    expect(beyondNoise('r2', fold(trials.at(-1)!), trials[0].record, 22)).toBe(false);
    const board = leaderboardOf({ names: ['gbdt', 'random_forest'], metric: 'r2', folds: { length: 5 } }, trials.flatMap((t) => t.scores), trials.map((t) => t.record));
    expect(board.map((e) => [e.model, e.params])).toEqual([['gbdt', {}], ['random_forest', {}]]);
    expect(board.find((e) => e.cv_mean === lucky.cv_mean)).toBeUndefined();
  });

  test('a tuned trial far ahead of the defaults still leads, whatever the number of trials', () => {
    const trials = [
      trial('gbdt', {}, [0.29, 0.30, 0.31, 0.32, 0.33]),
      ...Array.from({ length: 19 }, (_, i) => trial('gbdt', { maxLeaves: 4 + i }, [0.28, 0.29, 0.30, 0.31, 0.32])),
      trial('gbdt', { maxLeaves: 40 }, [0.38, 0.39, 0.40, 0.41, 0.42]),
    ];
    const board = leaderboardOf({ names: ['gbdt'], metric: 'r2', folds: { length: 5 } }, trials.flatMap((t) => t.scores), trials.map((t) => t.record));
    expect(board[0]).toMatchObject({ model: 'gbdt', params: { maxLeaves: 40 } });
  });

  test('the ensemble is served when its cross-validated score beats the best single trial\'s, even by less than a noise bar', () => {
    // Two candidates whose errors are strongly correlated: the blend gains a little over each.
    const rand = seededRandom(11);
    const n = 600;
    const x = Array.from({ length: n }, () => rand() * 4);
    const y = x.map((v) => 2 * v + (rand() - 0.5));
    const t = prepareTraining({ frame: { rows: n, columns: { x, y } }, target: 'y', task: 'regression', cvFolds: 5, seed: 1,
      columns: [{ name: 'x', type: 'float' }, { name: 'y', type: 'float' }], validation: { scheme: 'kfold', test_fraction: 0 } });
    const shared = Array.from({ length: n }, () => rand() - 0.5), ownA = Array.from({ length: n }, () => rand() - 0.5), ownB = Array.from({ length: n }, () => rand() - 0.5);
    const candidate = (model: ModelName, own: number[]): OutOfFold => ({ spec: { model, params: {} }, key: trialKey({ model, params: {} }),
      folds: t.folds.map((f) => Float64Array.from(f.valid, (r) => t.d.yNum[r] + 1.2 * shared[r] + 0.5 * own[r])) });
    const oofs = [candidate('gbdt', ownA), candidate('linear', ownB)];
    const board: LeaderboardEntry[] = oofs.map((c) => {
      const folds = t.folds.map((f, i) => scorePredictions('r2', t.d, c.folds[i], f.valid));
      return { model: c.spec.model, params: {}, cv_mean: mean(folds), cv_std: std(folds), folds };
    }).sort((a, b) => b.cv_mean - a.cv_mean);
    const served = chooseServed(t, board, [], oofs, board);
    const ensemble = served[0];
    expect(ensemble.model).toBe('ensemble');
    expect(ensemble.members!.map((m) => m.model).sort()).toEqual(['gbdt', 'linear']);
    // Its honest score beats the best single trial's, but by less than √(2 ln 2) standard errors: the old bar refused it.
    expect(ensemble.cv_mean).toBeGreaterThan(board[0].cv_mean);
    expect(beyondNoise('r2', ensemble as Required<Pick<LeaderboardEntry, 'cv_mean' | 'cv_std' | 'folds'>>, board[0], 2)).toBe(false);
  });
});
