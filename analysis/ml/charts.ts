import { vegaLiteBase as base, type ChartSpec } from '../charts/spec.js';
import type { Diagnostics } from './diagnostics.js';
import type { PartialDependence } from './explain.js';
import { higherIsBetter, type Metric } from './metrics.js';

export type { ChartSpec } from '../charts/spec.js';

/** Vega-lite specs for modeling.json: leaderboard, importances, partial dependence, and the held-out diagnostics. */
export function modelingCharts(m: {
  metric: string;
  leaderboard: { model: string; cv_mean: number; cv_std: number }[];
  importances: { feature: string; importance: number }[];
  shap_importance: { feature: string; mean_abs_shap: number }[];
  partial_dependence: PartialDependence[];
  diagnostics: Diagnostics;
}): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const lb = m.leaderboard.map((e) => ({ model: e.model, mean: e.cv_mean, low: e.cv_mean - e.cv_std, high: e.cv_mean + e.cv_std }));
  const lbText = `Cross-validated ${m.metric} per model: ${m.leaderboard.map((e) => `${e.model} ${e.cv_mean.toFixed(3)} ± ${e.cv_std.toFixed(3)}`).join(', ')}.`;
  charts.push({ id: 'leaderboard', title: 'Model leaderboard', description: lbText, spec: { ...base('Model leaderboard', lbText, lb), layer: [
    { mark: 'bar', encoding: { y: { field: 'model', type: 'nominal', sort: null }, x: { field: 'mean', type: 'quantitative', title: m.metric } } },
    { mark: 'rule', encoding: { y: { field: 'model', type: 'nominal', sort: null }, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
  ] } });
  const top = (xs: { feature: string; v: number }[]) => xs.slice(0, 20);
  const perm = top(m.importances.map((i) => ({ feature: i.feature, v: i.importance })));
  const permText = `Permutation importance (drop in held-out ${m.metric}): ${perm.slice(0, 5).map((i) => `${i.feature} ${i.v.toFixed(3)}`).join(', ')}.`;
  charts.push({ id: 'permutation_importance', title: 'Permutation importance', description: permText, spec: { ...base('Permutation importance', permText, perm),
    mark: 'bar', encoding: { y: { field: 'feature', type: 'nominal', sort: '-x' }, x: { field: 'v', type: 'quantitative', title: `drop in ${m.metric}` } } } });
  if (m.shap_importance.length) {
    const shap = top(m.shap_importance.map((i) => ({ feature: i.feature, v: i.mean_abs_shap })));
    const shapText = `Mean absolute SHAP value per feature: ${shap.slice(0, 5).map((i) => `${i.feature} ${i.v.toFixed(3)}`).join(', ')}.`;
    charts.push({ id: 'shap_importance', title: 'SHAP importance', description: shapText, spec: { ...base('SHAP importance', shapText, shap),
      mark: 'bar', encoding: { y: { field: 'feature', type: 'nominal', sort: '-x' }, x: { field: 'v', type: 'quantitative', title: 'mean |SHAP|' } } } });
  }
  for (const pd of m.partial_dependence) {
    const values = pd.series.flatMap((s) => pd.grid.map((g, i) => ({ x: g, y: s.values[i], series: s.label })));
    const text = `Partial dependence of the prediction on ${pd.feature}: from ${pd.series[0].values[0].toFixed(3)} at ${pd.grid[0]} to ${pd.series[0].values.at(-1)!.toFixed(3)} at ${pd.grid.at(-1)}.`;
    charts.push({ id: `pd_${pd.feature}`, title: `Partial dependence: ${pd.feature}`, description: text, spec: { ...base(`Partial dependence: ${pd.feature}`, text, values),
      mark: pd.kind === 'numeric' ? { type: 'line', point: true } : 'bar',
      encoding: { x: { field: 'x', type: pd.kind === 'numeric' ? 'quantitative' : 'nominal', title: pd.feature }, y: { field: 'y', type: 'quantitative', title: 'mean prediction' },
        // Class probabilities side by side, not stacked: each bar is a probability of its own.
        ...(pd.series.length > 1 ? { color: { field: 'series', type: 'nominal' }, ...(pd.kind === 'numeric' ? {} : { xOffset: { field: 'series' } }) } : {}) } } });
  }
  const d = m.diagnostics;
  if (d.kind === 'classification') {
    const cells = d.confusion.flatMap((row, i) => row.map((count, j) => ({ actual: d.labels[i], predicted: d.labels[j], count })));
    const maxCount = Math.max(1, ...cells.map((c) => c.count));
    const text = `Confusion matrix on ${d.held_out_rows} held-out rows; ${cells.filter((c) => c.actual === c.predicted).reduce((s, c) => s + c.count, 0)} predicted correctly.`;
    charts.push({ id: 'confusion_matrix', title: 'Confusion matrix', description: text, spec: { ...base('Confusion matrix', text, cells), layer: [
      { mark: 'rect', encoding: { x: { field: 'predicted', type: 'nominal' }, y: { field: 'actual', type: 'nominal' }, color: { field: 'count', type: 'quantitative' } } },
      { mark: { type: 'text' }, encoding: { x: { field: 'predicted', type: 'nominal' }, y: { field: 'actual', type: 'nominal' }, text: { field: 'count', type: 'quantitative' },
        // Light text on the dark half of the colour scale, dark text on the light half, so every count stays legible.
        color: { condition: { test: `datum.count > ${maxCount / 2}`, value: '#ffffff' }, value: '#1f2933' } } },
    ] } });
    if (d.roc) {
      const pts = d.roc.fpr.map((x, i) => ({ fpr: x, tpr: d.roc!.tpr[i] }));
      const rocText = `ROC curve on ${d.held_out_rows} held-out rows.`;
      charts.push({ id: 'roc_curve', title: 'ROC curve', description: rocText, spec: { ...base('ROC curve', rocText, pts),
        mark: 'line', encoding: { x: { field: 'fpr', type: 'quantitative', title: 'false positive rate' }, y: { field: 'tpr', type: 'quantitative', title: 'true positive rate' } } } });
    }
    if (d.pr) {
      const pts = d.pr.recall.map((x, i) => ({ recall: x, precision: d.pr!.precision[i] }));
      const prText = `Precision–recall curve on ${d.held_out_rows} held-out rows.`;
      charts.push({ id: 'pr_curve', title: 'Precision–recall curve', description: prText, spec: { ...base('Precision–recall curve', prText, pts),
        mark: 'line', encoding: { x: { field: 'recall', type: 'quantitative' }, y: { field: 'precision', type: 'quantitative' } } } });
    }
  } else {
    const pts = d.points.map((p) => ({ ...p, residual: p.actual - p.predicted }));
    const text = `Predicted against actual on ${d.held_out_rows} held-out rows: RMSE ${d.rmse.toPrecision(4)}, MAE ${d.mae.toPrecision(4)}.`;
    charts.push({ id: 'predicted_vs_actual', title: 'Predicted vs actual', description: text, spec: { ...base('Predicted vs actual', text, pts),
      mark: { type: 'point', opacity: 0.5 }, encoding: { x: { field: 'actual', type: 'quantitative' }, y: { field: 'predicted', type: 'quantitative' } } } });
    const resText = `Residuals (actual − predicted) on ${d.held_out_rows} held-out rows.`;
    charts.push({ id: 'residuals', title: 'Residuals', description: resText, spec: { ...base('Residuals', resText, pts),
      mark: 'bar', encoding: { x: { field: 'residual', type: 'quantitative', bin: { maxbins: 30 } }, y: { aggregate: 'count', type: 'quantitative' } } } });
  }
  return charts;
}

/**
 * The search's trials: each trial's cross-validated score against the seconds spent so far, coloured by
 * model family, with the best score so far as a step line (how much each further second bought).
 */
export function trialCharts(metric: string, trials: { model: string; cv_mean: number; seconds: number }[]): ChartSpec[] {
  if (trials.length < 2) return [];
  const higher = higherIsBetter(metric as Metric);
  let elapsed = 0, best = -Infinity;
  const points = trials.map((t, i) => {
    elapsed += t.seconds;
    const s = higher ? t.cv_mean : -t.cv_mean;
    if (s > best) best = s;
    return { trial: i + 1, model: t.model, seconds: Number(elapsed.toFixed(3)), score: t.cv_mean, best: higher ? best : -best };
  });
  const last = points.at(-1)!;
  const text = `${trials.length} trials of the hyper-parameter search in ${last.seconds.toFixed(1)} s of fitting (summed over folds); the best cross-validated ${metric} went from ${points[0].best.toFixed(4)} to ${last.best.toFixed(4)}.`;
  return [{ id: 'search_trials', title: 'Search trials', description: text, spec: { ...base('Search trials', text, points), layer: [
    { mark: { type: 'point', filled: true, opacity: 0.7 }, encoding: { x: { field: 'seconds', type: 'quantitative', title: 'fitting seconds so far' },
      y: { field: 'score', type: 'quantitative', title: `cv ${metric}`, scale: { zero: false } }, color: { field: 'model', type: 'nominal' },
      tooltip: [{ field: 'trial', type: 'quantitative' }, { field: 'model', type: 'nominal' }, { field: 'score', type: 'quantitative' }] } },
    { mark: { type: 'line', interpolate: 'step-after', color: '#1f2933' }, encoding: { x: { field: 'seconds', type: 'quantitative' }, y: { field: 'best', type: 'quantitative' } } },
  ] } }];
}
