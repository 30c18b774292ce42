import type { Alert, ColumnProfile, Correlations } from './types.js';

/** Thresholds for alerts; defaults follow ydata-profiling's where it has one. */
export interface AlertThresholds {
  missingPct: number;
  zerosPct: number;
  skewness: number;
  highCardinality: number;
  correlation: number;
  duplicatesPct: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  missingPct: 0.2, zerosPct: 0.1, skewness: 20, highCardinality: 50, correlation: 0.9, duplicatesPct: 0,
};

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * Derives data-quality alerts from column profiles, correlations and duplicate counts.
 * @example computeAlerts(columns, correlations, { rows: 100, duplicate_rows: 3 })
 */
export function computeAlerts(
  columns: ColumnProfile[], correlations: Correlations, dataset: { rows: number; duplicate_rows: number },
  t: AlertThresholds = DEFAULT_THRESHOLDS,
): Alert[] {
  const alerts: Alert[] = [];
  for (const c of columns) {
    if (c.distinct <= 1) {
      alerts.push({ kind: 'CONSTANT', column: c.name, value: c.distinct, message: `'${c.name}' has a single value; it carries no information.` });
      continue;
    }
    if (c.unique_ratio === 1 && c.missing === 0) {
      alerts.push({ kind: 'UNIQUE', column: c.name, value: 1, message: `Every value of '${c.name}' is distinct.` });
    }
    if (c.type === 'identifier') {
      alerts.push({ kind: 'ID_LIKE', column: c.name, value: c.unique_ratio, message: `'${c.name}' looks like an identifier and is left out of modeling.` });
    }
    if (c.missing_pct > t.missingPct) {
      alerts.push({ kind: 'MISSING', column: c.name, value: c.missing_pct, message: `'${c.name}' is missing in ${pct(c.missing_pct)} of rows.` });
    }
    if (c.zeros !== null && c.count > 0 && c.zeros / c.count > t.zerosPct && c.type !== 'boolean') {
      alerts.push({ kind: 'ZEROS', column: c.name, value: c.zeros / c.count, message: `'${c.name}' is zero in ${pct(c.zeros / c.count)} of rows.` });
    }
    if (c.skewness !== null && Math.abs(c.skewness) > t.skewness) {
      alerts.push({ kind: 'SKEWED', column: c.name, value: c.skewness, message: `'${c.name}' is highly skewed (skewness ${c.skewness.toFixed(1)}).` });
    }
    if ((c.type === 'categorical' || c.type === 'text') && c.distinct > t.highCardinality) {
      alerts.push({ kind: 'HIGH_CARDINALITY', column: c.name, value: c.distinct, message: `'${c.name}' has ${c.distinct} distinct values.` });
    }
  }
  const { columns: names, matrix } = correlations;
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const r = matrix[i][j];
      if (r !== null && Math.abs(r) >= t.correlation) {
        alerts.push({ kind: 'HIGH_CORRELATION', column: names[i], value: r,
          message: `'${names[i]}' and '${names[j]}' are highly correlated (r = ${r.toFixed(2)}).` });
      }
    }
  }
  if (dataset.rows > 0 && dataset.duplicate_rows / dataset.rows > t.duplicatesPct) {
    alerts.push({ kind: 'DUPLICATES', column: null, value: dataset.duplicate_rows,
      message: `${dataset.duplicate_rows} rows (${pct(dataset.duplicate_rows / dataset.rows)}) are exact duplicates.` });
  }
  return alerts;
}
