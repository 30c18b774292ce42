import { cumulativeStdNormalProbability } from 'simple-statistics';
import type { ColumnInfo } from '../ingest/read-table.js';
import { LEAK_THRESHOLD, type Leak } from '../ml/leakage.js';
import { leakAlert } from './leak-alerts.js';
import { matrixPairs, type NamedMatrix } from './pairs.js';
import type { Alert, Associations, ColumnProfile, Correlations } from './types.js';

/**
 * Thresholds for alerts (a run sets any of them with `options.alert_thresholds`); defaults follow
 * ydata-profiling's where it has one.
 */
export interface AlertThresholds {
  /** MISSING above this share of rows (ydata-profiling raises it above 1%, and so does Assay by default). */
  missing_pct: number;
  /** ZEROS above this share of values. */
  zeros_pct: number;
  /** SKEWED above this absolute skewness. */
  skewness: number;
  /** HIGH_CARDINALITY above this many categories. */
  high_cardinality: number;
  /** HIGH_CORRELATION at or above this |r| or Cramér's V. */
  correlation: number;
  /** DUPLICATES above this share of rows. */
  duplicates_pct: number;
  /** IMBALANCE above this 1 − normalised entropy. */
  imbalance: number;
  /** OUTLIERS above this share of values beyond 3 IQR. */
  outliers_pct: number;
  /** UNIFORM when the χ² test against a uniform histogram has a p-value above this. */
  uniform_p: number;
  /** LEAKAGE at or above this strength of tie to the target (the one rule: `findLeaks` in analysis/ml/leakage.ts). */
  leakage: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  missing_pct: 0.01, zeros_pct: 0.1, skewness: 20, high_cardinality: 50, correlation: 0.9, duplicates_pct: 0,
  imbalance: 0.5, outliers_pct: 0.01, uniform_p: 0.05, leakage: LEAK_THRESHOLD,
};

export interface AlertContext {
  rows: number;
  duplicate_rows: number;
  /** Ingest's facts per column (text dates, mixed numbers, storage types). */
  info?: ColumnInfo[];
  associations?: Associations;
  /** The run's target, when known before profiling: enables LEAKAGE. */
  target?: string;
  /** What the one leakage rule found for that target (`profileLeaks`), and on how many rows. */
  leaks?: Leak[];
  leak_rows?: number;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const NESTED = /^(STRUCT|MAP|UNION|BLOB|BIT)|\[\]$/;

/** 1 − entropy / log(k) of the category counts: 0 when balanced, near 1 when one category dominates. */
export function imbalanceOf(counts: number[]): number | null {
  const k = counts.length, n = counts.reduce((s, c) => s + c, 0);
  if (k < 2 || n === 0) return null;
  const h = -counts.reduce((s, c) => (c > 0 ? s + (c / n) * Math.log(c / n) : s), 0);
  return 1 - h / Math.log(k);
}

/** p-value of Pearson's χ² test that histogram counts come from a uniform distribution (Wilson–Hilferty approximation). */
export function uniformityP(counts: number[]): number | null {
  const n = counts.reduce((s, c) => s + c, 0), k = counts.length;
  if (k < 2 || n === 0) return null;
  const e = n / k;
  const chi2 = counts.reduce((s, o) => s + (o - e) ** 2 / e, 0);
  const df = k - 1;
  const z = ((chi2 / df) ** (1 / 3) - (1 - 2 / (9 * df))) / Math.sqrt(2 / (9 * df));
  return 1 - cumulativeStdNormalProbability(z);
}

const pairs = (m: NamedMatrix, min: number) => matrixPairs(m).filter((p) => Math.abs(p.v) >= min);

/**
 * Derives data-quality alerts, each with its column, value and a sentence: ydata-profiling's set plus
 * ID_LIKE, MIXED_TYPES, OUTLIERS and, once a target is known, LEAKAGE.
 * @example computeAlerts(columns, correlations, { rows: 100, duplicate_rows: 3 })
 */
export function computeAlerts(columns: ColumnProfile[], correlations: Correlations, ctx: AlertContext,
  over: Partial<AlertThresholds> = {}): Alert[] {
  const t = { ...DEFAULT_THRESHOLDS, ...over };
  const alerts: Alert[] = [];
  const info = new Map((ctx.info ?? []).map((c) => [c.name, c]));
  for (const c of columns) {
    const ci = info.get(c.name);
    if (c.count === 0) {
      alerts.push({ kind: 'EMPTY', column: c.name, value: 0, message: `'${c.name}' has no values at all.` });
      continue;
    }
    if (c.distinct <= 1) {
      alerts.push({ kind: 'CONSTANT', column: c.name, value: c.distinct, message: `'${c.name}' has a single value; it carries no information.` });
      continue;
    }
    if (ci && NESTED.test(ci.storage_type)) {
      alerts.push({ kind: 'UNSUPPORTED', column: c.name, value: 0, message: `'${c.name}' holds nested values (${ci.storage_type}); they are profiled as text and left out of modeling.` });
    }
    if (ci?.text_dates) alerts.push({ kind: 'TYPE_DATE', column: c.name, value: 1, message: `'${c.name}' held dates written as text; they are read as dates.` });
    if (ci?.numeric_share !== undefined) {
      alerts.push({ kind: 'MIXED_TYPES', column: c.name, value: ci.numeric_share, message: `'${c.name}' mixes numbers (${pct(ci.numeric_share)} of values) with text, so it is treated as text.` });
    }
    if (c.unique_ratio === 1 && c.missing === 0) alerts.push({ kind: 'UNIQUE', column: c.name, value: 1, message: `Every value of '${c.name}' is distinct.` });
    if (c.type === 'identifier') alerts.push({ kind: 'ID_LIKE', column: c.name, value: c.unique_ratio, message: `'${c.name}' looks like an identifier and is left out of modeling.` });
    if (c.missing_pct > t.missing_pct) alerts.push({ kind: 'MISSING', column: c.name, value: c.missing_pct, message: `'${c.name}' is missing in ${pct(c.missing_pct)} of rows (alert above ${pct(t.missing_pct)}).` });
    if (c.zeros !== null && c.zeros / c.count > t.zeros_pct && c.type !== 'boolean') {
      alerts.push({ kind: 'ZEROS', column: c.name, value: c.zeros / c.count, message: `'${c.name}' is zero in ${pct(c.zeros / c.count)} of rows.` });
    }
    if (c.infinities) alerts.push({ kind: 'INFINITE', column: c.name, value: c.infinities, message: `'${c.name}' has ${c.infinities} infinite values; statistics leave them out.` });
    if (c.skewness !== null && Math.abs(c.skewness) > t.skewness) {
      alerts.push({ kind: 'SKEWED', column: c.name, value: c.skewness, message: `'${c.name}' is highly skewed (skewness ${c.skewness.toFixed(1)}).` });
    }
    if (c.outliers && c.outliers / c.count > t.outliers_pct) {
      alerts.push({ kind: 'OUTLIERS', column: c.name, value: c.outliers / c.count,
        message: `'${c.name}' has ${c.outliers} values (${pct(c.outliers / c.count)}) more than 3 interquartile ranges beyond its quartiles.` });
    }
    if ((c.type === 'categorical' || c.type === 'text') && c.distinct > t.high_cardinality) {
      alerts.push({ kind: 'HIGH_CARDINALITY', column: c.name, value: c.distinct, message: `'${c.name}' has ${c.distinct} distinct values.` });
    }
    if ((c.type === 'categorical' || c.type === 'boolean') && c.top_values && c.distinct <= c.top_values.length) {
      const imb = imbalanceOf(c.top_values.map((v) => v.count));
      if (imb !== null && imb > t.imbalance) {
        const top = c.top_values[0];
        alerts.push({ kind: 'IMBALANCE', column: c.name, value: imb, message: `'${c.name}' is imbalanced: '${top.value}' is ${pct(top.count / c.count)} of its values.` });
      }
    }
    if (c.histogram && c.count >= 100 && c.distinct >= c.histogram.length) {
      const p = uniformityP(c.histogram.map((b) => b.count));
      if (p !== null && p > t.uniform_p) alerts.push({ kind: 'UNIFORM', column: c.name, value: p, message: `'${c.name}' is spread evenly over its range (χ² test against uniform, p = ${p.toFixed(2)}).` });
    }
    if (c.length && c.length.min === c.length.max && c.type !== 'boolean') {
      alerts.push({ kind: 'CONSTANT_LENGTH', column: c.name, value: c.length.min, message: `Every value of '${c.name}' is ${c.length.min} characters long.` });
    }
    const leak = ctx.target ? ctx.leaks?.find((l) => l.column === c.name) : undefined;
    if (leak) alerts.push(leakAlert(leak, ctx.target!, `on ${ctx.leak_rows ?? ctx.rows} rows`));
  }
  for (const p of pairs(correlations, t.correlation)) {
    alerts.push({ kind: 'HIGH_CORRELATION', column: p.a, value: p.v, message: `'${p.a}' and '${p.b}' are highly correlated (r = ${p.v.toFixed(2)}).` });
  }
  if (ctx.associations) for (const p of pairs(ctx.associations.cramers_v, t.correlation)) {
    alerts.push({ kind: 'HIGH_CORRELATION', column: p.a, value: p.v, message: `'${p.a}' and '${p.b}' are highly associated (Cramér's V = ${p.v.toFixed(2)}).` });
  }
  if (ctx.rows > 0 && ctx.duplicate_rows / ctx.rows > t.duplicates_pct) {
    alerts.push({ kind: 'DUPLICATES', column: null, value: ctx.duplicate_rows,
      message: `${ctx.duplicate_rows} rows (${pct(ctx.duplicate_rows / ctx.rows)}) are exact duplicates.` });
  }
  return alerts;
}
