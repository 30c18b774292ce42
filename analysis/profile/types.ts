import type { ChartSpec } from '../charts/spec.js';
import type { ColumnType } from '../ingest/column-types.js';

export interface HistogramBin { start: number; end: number; count: number }
export interface TopValue { value: string; count: number }

/** Statistics of one column; numeric fields are null where they do not apply. */
export interface ColumnProfile {
  name: string;
  type: ColumnType;
  count: number;
  missing: number;
  missing_pct: number;
  distinct: number;
  unique_ratio: number;
  min: number | string | null;
  max: number | string | null;
  mean: number | null;
  std: number | null;
  quantiles: { p5: number; p25: number; p50: number; p75: number; p95: number } | null;
  skewness: number | null;
  kurtosis: number | null;
  zeros: number | null;
  negatives: number | null;
  histogram: HistogramBin[] | null;
  top_values: TopValue[] | null;
  avg_length: number | null;
}

export const ALERT_KINDS = [
  'CONSTANT', 'UNIQUE', 'MISSING', 'ZEROS', 'SKEWED', 'HIGH_CARDINALITY', 'HIGH_CORRELATION', 'DUPLICATES', 'ID_LIKE',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export interface Alert { kind: AlertKind; column: string | null; value: number; message: string }

export interface TargetCandidate { column: string; score: number; reason: string; task: 'classification' | 'regression' }

export interface Correlations { method: 'pearson'; columns: string[]; matrix: (number | null)[][] }

/** The whole EDA result, written as eda.json. */
export interface EdaResult {
  version: 1;
  dataset: { rows: number; cols: number; duplicate_rows: number; missing_cells: number; type_counts: Record<string, number> };
  columns: ColumnProfile[];
  correlations: Correlations;
  alerts: Alert[];
  target_candidates: TargetCandidate[];
  /** Vega-lite specs for the report; absent in eda.json written before charts were added. */
  charts?: ChartSpec[];
}
