import { expect, test } from 'vitest';
import { foldLogger, foldLogLine, foldMetric } from '../../activities/fold-log.js';
import type { FoldScore } from '../../analysis/ml/train-models.js';

test('fold scores are named by the metric the engine ranks with', () => {
  expect(foldMetric('regression', 0)).toBe('r2');
  expect(foldMetric('classification', 2)).toBe('roc_auc');
  expect(foldMetric('classification', 3)).toBe('macro_f1');
  expect(foldMetric('classification', 3, 'f1_macro')).toBe('macro_f1');
  expect(foldMetric('regression', 0, 'mae')).toBe('mae');
  expect(foldMetric('regression', 0, 'roc_auc')).toBe('r2'); // does not suit the task: the engine falls back too
});

test('a fold line names the model and its searched parameters, the fold, the metric, the score and the fits done', () => {
  expect(foldLogLine({ model: 'gbdt', fold: 1, score: 0.912345 }, 7, 'macro_f1'))
    .toBe('train: gbdt fold 2 — macro_f1 0.9123 on its held-out rows (7 fits done)');
  expect(foldLogLine({ model: 'random_forest', fold: 0, score: 3.5, stopped_early: true }, 1, 'rmse'))
    .toBe('train: random_forest fold 1 — rmse 3.5000 on its held-out rows (1 fits done); stopped early by the time budget');
  expect(foldLogLine({ model: 'gbdt', fold: 0, score: 0.5, key: 'gbdt:learningRate=0.0512345,maxLeaves=15', params: { learningRate: 0.0512345, maxLeaves: 15 } }, 9, 'r2'))
    .toBe('train: gbdt (learningRate=0.05123, maxLeaves=15) fold 1 — r2 0.5000 on its held-out rows (9 fits done)');
});

test('trials of one model with different parameters are logged apart', async () => {
  const lines: string[] = [];
  const log = foldLogger(async (l) => { lines.push(l); }, 'r2');
  log.onFold([{ model: 'gbdt', fold: 0, score: 0.1 }, { model: 'gbdt', fold: 0, score: 0.2, key: 'gbdt:maxLeaves=4', params: { maxLeaves: 4 } }]);
  await log.flush();
  expect(lines).toEqual(['train: gbdt fold 1 — r2 0.1000 on its held-out rows (1 fits done)', 'train: gbdt (maxLeaves=4) fold 1 — r2 0.2000 on its held-out rows (2 fits done)']);
});

test('each fold is logged once, in order, skipping those an earlier attempt finished; a failed write fails nothing', async () => {
  const lines: string[] = [];
  let fail = true;
  const log = foldLogger(async (l) => {
    if (fail) { fail = false; throw new Error('database away'); }
    await new Promise((r) => setTimeout(r, 5)); // slow writes still come out in order
    lines.push(l);
  }, 'r2', [{ model: 'baseline', fold: 0, score: 0 }]);
  const done: FoldScore[] = [{ model: 'baseline', fold: 0, score: 0 }, { model: 'linear', fold: 0, score: 0.5 }];
  log.onFold(done);
  done.push({ model: 'linear', fold: 1, score: 0.6 }, { model: 'gbdt', fold: 0, score: 0.7 });
  log.onFold(done);
  log.onFold(done); // nothing new
  await log.flush();
  expect(lines).toEqual([ // the first write (linear fold 1 of 4) was lost to the failure
    'train: linear fold 2 — r2 0.6000 on its held-out rows (3 fits done)',
    'train: gbdt fold 1 — r2 0.7000 on its held-out rows (4 fits done)',
  ]);
});
