import { higherIsBetter } from '../ml/metrics.js';
import { matrixPairs, strongestFirst } from '../profile/pairs.js';
import type { ColumnProfile } from '../profile/types.js';
import type { Modeling, ReportInput } from './types.js';

const n = (v: number) => v.toLocaleString('en-US');
const pct = (x: number) => `${(x * 100).toFixed(x < 0.001 && x > 0 ? 2 : 1)}%`;
const numeric = (c: ColumnProfile) => c.type === 'integer' || c.type === 'float';

/** The sentence comparing the best model with the baseline, in the metric's own terms. */
function modelSentence(m: Modeling): string {
  const best = m.leaderboard[0];
  const base = m.leaderboard.find((e) => e.model === 'baseline');
  const score = m.metric === 'r2' ? `explains ${pct(Math.max(0, best.cv_mean))} of the variance of '${m.target}' (R² ${best.cv_mean.toFixed(3)} ± ${best.cv_std.toFixed(3)})`
    : `predicts '${m.target}' with ${m.metric} ${best.cv_mean.toFixed(3)} ± ${best.cv_std.toFixed(3)}`;
  const vs = base && base !== best ? `, against ${base.cv_mean.toFixed(3)} for the baseline` : '';
  const test = m.test_score != null && m.validation ? ` On ${n(m.validation.test_rows)} held-out test rows it scores ${m.metric} ${m.test_score.toFixed(3)}: the estimate to trust.` : '';
  return `The best model, ${best.model}, ${score} over ${m.cv_folds} ${m.validation?.scheme === 'time' ? 'forward-in-time ' : ''}cross-validation folds${vs}.${test}`;
}

/** Says so when the best model barely beats the baseline: the features then carry little signal. */
function weakModelSentence(m: Modeling): string | null {
  const best = m.leaderboard[0];
  const base = m.leaderboard.find((e) => e.model === 'baseline');
  if (m.metric === 'r2') return best.cv_mean < 0.1 ? `The models explain little of '${m.target}' (R² ${best.cv_mean.toFixed(3)}): the columns carry little signal about it.` : null;
  if (!base || base === best || !higherIsBetter(m.metric)) return null;
  return best.cv_mean - base.cv_mean < 0.05
    ? `That is barely better than the baseline (+${(best.cv_mean - base.cv_mean).toFixed(3)} ${m.metric}): the columns carry little signal about '${m.target}'.` : null;
}

/**
 * Key findings as plain sentences derived from the numbers; a sentence appears only when its numbers say
 * something (no missing values → no missing-value sentence beyond one line).
 * @example keyFindings(input) // ["1,000 rows and 12 columns: 8 numeric, 3 categorical, 1 datetime.", …]
 */
export function keyFindings(r: ReportInput): string[] {
  const { eda, modeling: m } = r;
  const d = eda.dataset;
  const out: string[] = [];
  const types = Object.entries(d.type_counts).sort((a, b) => b[1] - a[1]).map(([t, k]) => `${k} ${t}`).join(', ');
  out.push(`${n(d.rows)} rows and ${n(d.cols)} columns: ${types}.`);
  const cells = d.rows * d.cols;
  if (d.missing_cells > 0 && cells > 0) {
    const worst = [...eda.columns].sort((a, b) => b.missing_pct - a.missing_pct)[0];
    out.push(`${pct(d.missing_cells / cells)} of cells are missing; '${worst.name}' has the most gaps (${pct(worst.missing_pct)} of its rows).`);
  } else {
    out.push('No value is missing.');
  }
  if (d.duplicate_rows > 0 && d.rows > 0) out.push(`${n(d.duplicate_rows)} rows (${pct(d.duplicate_rows / d.rows)}) repeat an earlier row exactly.`);
  const strongest = strongestFirst(matrixPairs(eda.correlations))[0];
  if (strongest && Math.abs(strongest.v) >= 0.5) {
    out.push(`'${strongest.a}' and '${strongest.b}' ${strongest.v > 0 ? 'rise together' : 'move in opposite directions'} (Pearson r = ${strongest.v.toFixed(2)}), the strongest linear relation in the table.`);
  }
  const skewed = eda.columns.filter((c) => numeric(c) && c.skewness !== null && Math.abs(c.skewness) >= 1 && c.quantiles && c.mean !== null)
    .sort((a, b) => Math.abs(b.skewness!) - Math.abs(a.skewness!))[0];
  if (skewed) {
    const side = skewed.skewness! > 0 ? 'right' : 'left';
    out.push(`'${skewed.name}' is ${side}-skewed (skewness ${skewed.skewness!.toFixed(1)}): its mean ${skewed.mean!.toPrecision(4)} lies ${skewed.skewness! > 0 ? 'above' : 'below'} its median ${skewed.quantiles!.p50.toPrecision(4)}.`);
  }
  if (eda.alerts.length) {
    const kinds = new Map<string, number>();
    for (const a of eda.alerts) kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1);
    out.push(`${eda.alerts.length} data-quality alert${eda.alerts.length > 1 ? 's' : ''}: ${[...kinds].map(([k, v]) => `${v} ${k}`).join(', ')}.`);
  }
  if (eda.time_series) {
    out.push(eda.time_series.sentence);
    const notable = eda.time_series.series.find((s) => s.seasonal_lag !== null || (s.trend_r !== null && Math.abs(s.trend_r) >= 0.3));
    if (notable) out.push(notable.sentence);
  }
  if (!m) {
    out.push('No model was trained; this report covers the exploratory analysis only.');
    return out;
  }
  out.push(modelSentence(m));
  const weak = weakModelSentence(m);
  if (weak) out.push(weak);
  const top = m.shap_importance.length ? m.shap_importance.filter((s) => s.mean_abs_shap > 0).map((s) => s.feature)
    : m.importances.filter((i) => i.importance > 0).map((i) => i.feature);
  if (top.length) out.push(`'${top[0]}' drives the predictions most${top.length > 1 ? `, followed by ${top.slice(1, 3).map((f) => `'${f}'`).join(' and ')}` : ''}.`);
  const target = eda.columns.find((c) => c.name === m.target);
  if (m.task === 'classification' && target?.top_values?.length && target.count > 0) {
    const rarest = target.top_values.at(-1)!;
    const share = rarest.count / target.count;
    if (share < 0.2) out.push(`The classes are imbalanced: '${rarest.value}' is only ${pct(share)} of the rows with a target.`);
  }
  const leaks = m.excluded.filter((e) => /target leakage/.test(e.reason));
  if (leaks.length) out.push(`${leaks.map((e) => `'${e.column}'`).join(', ')} ${leaks.length > 1 ? 'were' : 'was'} left out as a leak of the target.`);
  if (m.sampled) out.push(`Models were trained on a sample of ${n(m.rows_used)} of ${n(m.total_rows)} rows.`);
  return out;
}
