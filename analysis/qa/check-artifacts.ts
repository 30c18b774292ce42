import type { z } from 'zod';
import { DataError } from '../errors.js';
import { higherIsBetter, type Metric } from '../ml/metrics.js';
import { isOverfit } from '../ml/select-model.js';
import { EdaSchema, ModelingSchema, ResultSchema } from './schemas.js';
import { checkReportHtml } from './check-report.js';
import { LEAK_REASON_PREFIX } from '../ml/leakage.js';

export interface Finding { severity: 'error' | 'warning'; check: string; message: string }
export interface Critique { version: 1; ok: boolean; findings: Finding[] }

export { OVERFIT_GAP, OVERFIT_RATIO as OVERFIT_RMSE_RATIO } from '../ml/select-model.js';

function parseOrThrow<T extends z.ZodType>(schema: T, raw: string, name: string): z.infer<T> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    const bad = /(?<!")\b(NaN|-?Infinity)\b(?!")/.exec(raw);
    throw new DataError('CORRUPT_ARTIFACT', bad ? `${name} contains ${bad[1]}, which JSON cannot hold.` : `${name} is not valid JSON.`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new DataError('CORRUPT_ARTIFACT', `${name} does not match its schema at ${first.path.join('.') || '(root)'}: ${first.message}.`);
  }
  return parsed.data;
}

type Eda = z.infer<typeof EdaSchema>;
type Modeling = z.infer<typeof ModelingSchema>;

function checkEda(eda: Eda, add: (f: Finding) => void): void {
  const d = eda.dataset;
  if (eda.columns.length !== d.cols) add({ severity: 'error', check: 'counts', message: `eda.json profiles ${eda.columns.length} columns but counts ${d.cols}.` });
  const typed = Object.values(d.type_counts).reduce((s, v) => s + v, 0);
  if (typed !== d.cols) add({ severity: 'error', check: 'counts', message: `Column type counts add up to ${typed}, not ${d.cols}.` });
  const missing = eda.columns.reduce((s, c) => s + c.missing, 0);
  if (missing !== d.missing_cells) add({ severity: 'error', check: 'counts', message: `Missing cells are ${d.missing_cells} overall but ${missing} by column.` });
  if (d.duplicate_rows > d.rows) add({ severity: 'error', check: 'counts', message: 'More duplicate rows than rows.' });
  for (const c of eda.columns) {
    if (c.count + c.missing !== d.rows) add({ severity: 'error', check: 'counts', message: `Column '${c.name}': count + missing ≠ rows.` });
    if (c.distinct > c.count) add({ severity: 'error', check: 'counts', message: `Column '${c.name}': more distinct values than values.` });
    if (c.quantiles) {
      const q = [c.quantiles.p5, c.quantiles.p25, c.quantiles.p50, c.quantiles.p75, c.quantiles.p95];
      if (typeof c.min === 'number') q.unshift(c.min);
      if (typeof c.max === 'number') q.push(c.max);
      if (q.some((v, i) => i > 0 && v < q[i - 1] - 1e-9 * Math.max(1, Math.abs(v)))) add({ severity: 'error', check: 'quantiles', message: `Column '${c.name}': min, quantiles and max out of order.` });
    }
    if (c.histogram && c.histogram.reduce((s, b) => s + b.count, 0) > c.count) add({ severity: 'error', check: 'counts', message: `Column '${c.name}': the histogram holds more rows than the column.` });
  }
  const { columns, matrix } = eda.correlations;
  const square = matrix.length === columns.length && matrix.every((row) => row.length === columns.length);
  if (!square) add({ severity: 'error', check: 'correlations', message: 'The correlation matrix is not square over its columns.' });
  else if (matrix.some((row, i) => row.some((v, j) => v !== matrix[j][i]))) add({ severity: 'error', check: 'correlations', message: 'The correlation matrix is not symmetric.' });
}

function metricInRange(metric: string, v: number): boolean {
  if (metric === 'roc_auc' || metric === 'macro_f1' || metric === 'accuracy' || metric === 'balanced_accuracy') return v >= 0 && v <= 1;
  if (metric === 'r2') return v <= 1;
  return v >= 0; // rmse, mae, mape, log_loss
}

function checkModeling(m: Modeling, eda: Eda, add: (f: Finding) => void): void {
  const better = higherIsBetter(m.metric as Metric);
  // Ordered by the metric, except that selection may put first a sound model within one fold σ of an overfitting leader.
  const byMetric = (xs: typeof m.leaderboard) => [...xs].sort((x, y) => (better ? y.cv_mean - x.cv_mean : x.cv_mean - y.cv_mean));
  const sorted = byMetric(m.leaderboard);
  const leader = sorted[0], first = m.leaderboard[0];
  const promoted = leader !== first && (leader as { overfit?: boolean }).overfit === true && Math.abs(leader.cv_mean - first.cv_mean) <= leader.cv_std;
  const rest = promoted ? m.leaderboard.slice(1) : m.leaderboard;
  if (byMetric(rest).some((e, i) => e !== rest[i])) add({ severity: 'error', check: 'leaderboard', message: 'The leaderboard is not ordered by its metric.' });
  if (m.leaderboard[0].model !== m.best_model) add({ severity: 'error', check: 'leaderboard', message: 'best_model is not the leaderboard leader.' });
  for (const e of m.leaderboard) {
    if ([e.cv_mean, ...e.folds].some((v) => !metricInRange(m.metric, v))) add({ severity: 'error', check: 'metric_range', message: `${e.model}: ${m.metric} outside its range.` });
    const mean = e.folds.reduce((s, v) => s + v, 0) / e.folds.length;
    if (e.folds.length && Math.abs(mean - e.cv_mean) > 1e-6 * Math.max(1, Math.abs(mean))) add({ severity: 'error', check: 'leaderboard', message: `${e.model}: cv_mean is not the mean of its fold scores.` });
  }
  if (m.test_score != null && !metricInRange(m.metric, m.test_score)) add({ severity: 'error', check: 'metric_range', message: `test_score: ${m.metric} outside its range.` });
  if (m.validation && m.validation.test_rows >= m.rows_used) add({ severity: 'error', check: 'counts', message: 'The test split holds every row used.' });
  if (m.total_rows !== eda.dataset.rows) add({ severity: 'error', check: 'counts', message: `modeling.json counts ${m.total_rows} rows but the profile ${eda.dataset.rows}.` });
  if (m.rows_used > m.total_rows) add({ severity: 'error', check: 'counts', message: 'modeling used more rows than the dataset has.' });
  if (m.diagnostics.held_out_rows > m.rows_used) add({ severity: 'error', check: 'counts', message: 'More held-out rows than rows used.' });
  if (!eda.columns.some((c) => c.name === m.target)) add({ severity: 'error', check: 'target', message: `The target '${m.target}' is not a column of the profile.` });
  const unknown = m.importances.filter((i) => !m.features.includes(i.feature)).map((i) => i.feature);
  if (unknown.length) add({ severity: 'error', check: 'importances', message: `Importances name columns that are not features: ${unknown.join(', ')}.` });
  const best = m.leaderboard[0];
  if (best.model === 'baseline') add({ severity: 'warning', check: 'baseline', message: 'No model beat the baseline; the features may not predict the target.' });
  const gap = better ? m.train_score - best.cv_mean : 0;
  // One rule with model selection: the gap must be large in the metric's units and against the fold spread.
  const overfit = isOverfit(m.metric, m.train_score, best.cv_mean, best.cv_std);
  if (better && overfit) {
    add({ severity: 'warning', check: 'overfitting', message: `${best.model} scores ${m.train_score.toFixed(3)} on its training rows but ${best.cv_mean.toFixed(3)} cross-validated (gap ${gap.toFixed(3)}): it fits noise; expect the lower score on new data.` });
  } else if (!better && overfit) {
    add({ severity: 'warning', check: 'overfitting', message: `${best.model}'s cross-validated RMSE ${best.cv_mean.toPrecision(4)} is ${(best.cv_mean / m.train_score).toFixed(1)}× its training RMSE: it fits noise; expect the larger error on new data.` });
  }
  const leaks = m.excluded.filter((e) => e.reason.startsWith(LEAK_REASON_PREFIX));
  if (leaks.length) add({ severity: 'warning', check: 'leakage', message: `Left out as leaks of the target: ${leaks.map((e) => `'${e.column}' (${e.reason.slice(LEAK_REASON_PREFIX.length)})`).join('; ')}.` });
  const top = m.importances[0];
  if (top && (m.metric === 'roc_auc' || m.metric === 'r2') && best.cv_mean > 0.99) {
    add({ severity: 'warning', check: 'leakage', message: `A near-perfect score (${best.cv_mean.toFixed(3)}) can mean leakage; check '${top.feature}'.` });
  }
}

function checkResult(result: z.infer<typeof ResultSchema>, eda: Eda, m: Modeling | null, add: (f: Finding) => void): void {
  if (result.dataset.rows !== eda.dataset.rows || result.dataset.cols !== eda.dataset.cols) {
    add({ severity: 'error', check: 'counts', message: `result.json counts ${result.dataset.rows} × ${result.dataset.cols}; the profile ${eda.dataset.rows} × ${eda.dataset.cols}.` });
  }
  if (m && result.modeling) {
    const same = result.modeling.leaderboard.length === m.leaderboard.length
      && result.modeling.leaderboard.every((e, i) => e.model === m.leaderboard[i].model && e.cv_mean === m.leaderboard[i].cv_mean);
    if (!same) add({ severity: 'error', check: 'leaderboard', message: 'result.json and modeling.json disagree on the leaderboard.' });
  }
  if (m && !result.modeling) add({ severity: 'error', check: 'result', message: 'result.json has no modeling section though a model was trained.' });
  if (m && result.eda) {
    // One leakage rule: the alerts a user reads must name exactly the columns training left out as leaks.
    const alerted = result.eda.alerts.filter((x): x is { kind: string; column: string } => (x as { kind?: string }).kind === 'LEAKAGE')
      .map((x) => x.column).sort();
    const left = m.excluded.filter((e) => e.reason.startsWith(LEAK_REASON_PREFIX)).map((e) => e.column).sort();
    if (alerted.join('\u0000') !== left.join('\u0000')) {
      add({ severity: 'error', check: 'leakage', message: `The LEAKAGE alerts (${alerted.join(', ') || 'none'}) and the columns training left out as leaks (${left.join(', ') || 'none'}) disagree.` });
    }
  }
}

/**
 * Validates eda.json, modeling.json and (when given) a draft of result.json against their schemas, checks that
 * their numbers agree, flags overfitting and leakage, and checks the report's HTML when given.
 * Schema violations throw a `CORRUPT_ARTIFACT` DataError (the job fails non-retryably); softer problems are findings.
 * @example const { ok, findings } = checkArtifacts({ manifestRows: 344, edaJson, modelingJson: null, reportHtml });
 */
export function checkArtifacts(a: { manifestRows: number; edaJson: string; modelingJson: string | null; reportHtml: string | null; resultJson?: string | null }): Critique {
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);
  const eda = parseOrThrow(EdaSchema, a.edaJson, 'eda.json');
  if (eda.dataset.rows !== a.manifestRows) {
    throw new DataError('CORRUPT_ARTIFACT', `eda.json counts ${eda.dataset.rows} rows but ingest read ${a.manifestRows}.`);
  }
  checkEda(eda, add);
  const m = a.modelingJson ? parseOrThrow(ModelingSchema, a.modelingJson, 'modeling.json') : null;
  if (m) checkModeling(m, eda, add);
  if (a.resultJson) checkResult(parseOrThrow(ResultSchema, a.resultJson, 'result.json'), eda, m, add);
  if (a.reportHtml !== null) findings.push(...checkReportHtml(a.reportHtml, { modeling: m !== null, timeSeries: Boolean(eda.time_series) }));
  return { version: 1, ok: !findings.some((f) => f.severity === 'error'), findings };
}
