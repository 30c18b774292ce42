import type { Task } from '../analysis/ml/candidates.js';
import { CLASSIFICATION_METRICS, metricNamed, REGRESSION_METRICS, type Metric, type MetricOption } from '../analysis/ml/metrics.js';
import { metricFor } from '../analysis/ml/prepare-training.js';
import { keyOf, type FoldScore } from '../analysis/ml/train-models.js';

/**
 * The metric fold scores are in, by the engine's rule (the one asked for when it suits the task, else R², ROC AUC
 * for two classes, macro F1 for more), so a fold's log line can name it before training returns.
 */
export function foldMetric(task: Task, classes: number, asked?: MetricOption): Metric {
  const fallback = metricFor(task, classes);
  if (!asked) return fallback;
  const m = metricNamed(asked);
  return (task === 'regression' ? REGRESSION_METRICS : CLASSIFICATION_METRICS).includes(m) ? m : fallback;
}

/**
 * One finished fold as a run log line: the model (with the searched parameters of its trial, if any), which fold,
 * its score on that fold's held-out rows, and how many fits are done (the search decides as it goes how many follow).
 * @example foldLogLine({ model: 'gbdt', fold: 1, score: 0.91234 }, 7, 'macro_f1')
 *   // 'train: gbdt fold 2 — macro_f1 0.9123 on its held-out rows (7 fits done)'
 */
export function foldLogLine(s: FoldScore, done: number, metric: Metric): string {
  const score = Number.isFinite(s.score) ? s.score.toFixed(4) : String(s.score);
  const params = Object.entries(s.params ?? {}).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`);
  return `train: ${s.model}${params.length ? ` (${params.join(', ')})` : ''} fold ${s.fold + 1} — ${metric} ${score} on its held-out rows (${done} fits done)`
    + (s.stopped_early ? '; stopped early by the time budget' : '');
}

/**
 * Writes a log line for each fold not yet logged, in order, without holding up the caller (`onFold` is synchronous).
 * Folds an earlier attempt finished (and logged) are skipped. `flush` waits for the lines queued so far.
 */
export function foldLogger(write: (line: string) => Promise<void>, metric: Metric, already: FoldScore[] = []) {
  // A trial is its model and parameters: the search fits the same model many times.
  const key = (s: FoldScore) => `${keyOf(s)}\u0000${s.fold}`;
  const logged = new Set(already.map(key));
  let queue = Promise.resolve();
  return {
    onFold(done: FoldScore[]) {
      done.forEach((s, i) => {
        if (logged.has(key(s))) return;
        logged.add(key(s));
        const line = foldLogLine(s, i + 1, metric);
        // A lost progress line must not fail training: the scores themselves are in the heartbeat and modeling.json.
        queue = queue.then(() => write(line)).catch(() => undefined);
      });
    },
    flush: () => queue,
  };
}
