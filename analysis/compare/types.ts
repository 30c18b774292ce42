import type { ColumnType } from '../ingest/column-types.js';

/** How a column present in both tables is compared: numbers (and dates, as epoch seconds) or categories. */
export const COMPARE_KINDS = ['numeric', 'datetime', 'categorical'] as const;
export type CompareKind = (typeof COMPARE_KINDS)[number];

/** The test run on a column: two-sample Kolmogorov–Smirnov for numbers and dates, χ² of independence for categories. */
export const DRIFT_TESTS = ['ks', 'chi_square'] as const;
export type DriftTest = (typeof DRIFT_TESTS)[number];

/** The thresholds of the drift rule; they are stated in every result and report. */
export interface DriftRule {
  /** A column drifts only when its test is significant below this p-value... */
  p_value_below: number;
  /** ...and the change is large: PSI at least this... */
  psi_at_least: number;
  /** ...or the effect size (KS D for numbers, Cramér's V for categories) at least this. */
  effect_at_least: number;
  /** The rule in one sentence. */
  text: string;
}

/** One column in both tables. */
export interface ColumnComparison {
  name: string;
  type_a: ColumnType;
  type_b: ColumnType;
  kind: CompareKind;
  /** Population stability index of B against A (bins described in the result's `method`). */
  psi: number;
  test: DriftTest;
  /** KS D, or the χ² statistic. */
  statistic: number;
  /** χ² degrees of freedom; null for KS. */
  dof: number | null;
  /** Null when the test cannot run (a table has no value in the column). */
  p_value: number | null;
  /** KS D for numbers, Cramér's V for categories: the size of the change, whatever the number of rows. */
  effect_size: number;
  drifted: boolean;
  rows_a: number; rows_b: number;
  missing_pct_a: number; missing_pct_b: number;
  distinct_a: number; distinct_b: number;
  /** Numbers only (null for dates and categories, and when a table has no value). */
  mean_a: number | null; mean_b: number | null;
  /** The bins PSI was computed over, with each table's share (percent): A's deciles, or categories + other + missing. */
  bins: { label: string; pct_a: number; pct_b: number }[];
}

export interface SchemaChanges {
  /** In B, not in A. */
  added: { name: string; type: ColumnType }[];
  /** In A, not in B. */
  removed: { name: string; type: ColumnType }[];
  type_changed: { name: string; type_a: ColumnType; type_b: ColumnType }[];
}

/** Everything the comparison of two tables found. */
export interface TableComparison {
  rows_a: number; rows_b: number; cols_a: number; cols_b: number;
  rule: DriftRule;
  /** How PSI and the tests were computed, one sentence each. */
  method: string[];
  columns: ColumnComparison[];
  schema_changes: SchemaChanges;
  summary: { columns_compared: number; drifted: number; drifted_columns: string[] };
}
