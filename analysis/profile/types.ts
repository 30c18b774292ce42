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
  /** ±Infinity values (numbers only); they are left out of every other statistic. */
  infinities: number | null;
  /** Values more than 3 interquartile ranges outside the quartiles (numbers only). */
  outliers: number | null;
  /** Lengths of text values. */
  length: { min: number; mean: number; max: number } | null;
  /** Datetime columns: range in days, typical spacing, gaps and whether the values follow the rows' order. */
  datetime: DatetimeFacts | null;
}

export interface DatetimeFacts {
  range_days: number;
  /** Median spacing between consecutive distinct values, in seconds. */
  median_gap_s: number | null;
  /** A name for that spacing: 'daily', 'hourly', 'monthly'…, or null when irregular. */
  frequency: string | null;
  /** Spacings longer than twice the median: missing periods. */
  gaps: number;
  /** The values never decrease from one row to the next: the column orders the rows. */
  ordered: boolean;
}

export const ALERT_KINDS = [
  'CONSTANT', 'UNIQUE', 'MISSING', 'ZEROS', 'SKEWED', 'HIGH_CARDINALITY', 'HIGH_CORRELATION', 'DUPLICATES', 'ID_LIKE',
  'INFINITE', 'EMPTY', 'IMBALANCE', 'UNIFORM', 'CONSTANT_LENGTH', 'TYPE_DATE', 'UNSUPPORTED', 'MIXED_TYPES', 'OUTLIERS', 'LEAKAGE',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export interface Alert { kind: AlertKind; column: string | null; value: number; message: string }

export interface TargetCandidate { column: string; score: number; reason: string; task: 'classification' | 'regression' }

export interface Correlations { method: 'pearson'; columns: string[]; matrix: (number | null)[][] }

/** A symmetric association matrix over some columns (null where undefined, e.g. a constant column). */
export interface AssociationMatrix { columns: string[]; matrix: (number | null)[][] }

/**
 * Associations beyond Pearson, computed on every row or, above `sample_threshold` rows, on a reproducible
 * sample of `sample_rows` (said in `sampled`).
 */
export interface Associations {
  sampled: boolean;
  sample_rows: number;
  spearman: AssociationMatrix;
  cramers_v: AssociationMatrix;
  /** η between each categorical column (rows) and numeric column (columns), in [0, 1]. */
  correlation_ratio: { categorical: string[]; numeric: string[]; matrix: (number | null)[][] };
}

/** Hints that the rows form a time series, each with a plain sentence. */
export interface TimeSeriesHint {
  column: string;
  frequency: string | null;
  sentence: string;
  series: { column: string; trend_r: number | null; seasonal_lag: number | null; seasonal_acf: number | null; sentence: string }[];
}

/** The whole EDA result, written as eda.json. */
export interface EdaResult {
  version: 1;
  dataset: { rows: number; cols: number; duplicate_rows: number; missing_cells: number; type_counts: Record<string, number>;
    /** Estimated in-memory size (8 bytes per number or date, text bytes plus 16 per string, 1 per boolean). */
    memory_bytes?: number };
  columns: ColumnProfile[];
  correlations: Correlations;
  /** Spearman, Cramér's V and the correlation ratio; absent in eda.json written before they were added. */
  associations?: Associations;
  time_series?: TimeSeriesHint | null;
  alerts: Alert[];
  /** The thresholds the alerts were raised with (defaults and the run's own); absent in eda.json written before. */
  alert_thresholds?: Record<string, number>;
  target_candidates: TargetCandidate[];
  /** Vega-lite specs for the report; absent in eda.json written before charts were added. */
  charts?: ChartSpec[];
}
