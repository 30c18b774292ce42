import { z } from 'zod';
import { METRICS } from '../ml/metrics.js';
import { COLUMN_TYPES } from '../ingest/column-types.js';
import { ALERT_KINDS } from '../profile/types.js';

const finite = z.number().finite();
const nullableNum = finite.nullable();

const Matrix = z.object({ columns: z.array(z.string()), matrix: z.array(z.array(finite.min(-1 - 1e-9).max(1 + 1e-9).nullable())) });
const ChartSchema = z.object({ id: z.string(), title: z.string(), description: z.string(), spec: z.record(z.string(), z.unknown()) });

/** eda.json as QA validates it. */
export const EdaSchema = z.object({
  version: z.literal(1),
  dataset: z.object({ rows: z.number().int().nonnegative(), cols: z.number().int().positive(), duplicate_rows: z.number().int().nonnegative(),
    missing_cells: z.number().int().nonnegative(), type_counts: z.record(z.string(), z.number().int()), memory_bytes: z.number().nonnegative().optional() }),
  columns: z.array(z.object({
    name: z.string(), type: z.enum(COLUMN_TYPES), count: z.number().int().nonnegative(), missing: z.number().int().nonnegative(),
    missing_pct: finite.min(0).max(1), distinct: z.number().int().nonnegative(), unique_ratio: finite.min(0).max(1),
    min: z.union([finite, z.string()]).nullable(), max: z.union([finite, z.string()]).nullable(),
    mean: nullableNum, std: nullableNum, skewness: nullableNum, kurtosis: nullableNum, zeros: nullableNum, negatives: nullableNum,
    quantiles: z.object({ p5: finite, p25: finite, p50: finite, p75: finite, p95: finite }).nullable(),
    histogram: z.array(z.object({ start: finite, end: finite, count: z.number().int().nonnegative() })).nullable(),
    top_values: z.array(z.object({ value: z.string(), count: z.number().int().positive() })).nullable(),
    avg_length: nullableNum,
    // Added with the deeper profile; optional so eda.json written before still validates.
    infinities: nullableNum.optional(), outliers: nullableNum.optional(),
    length: z.object({ min: finite, mean: finite, max: finite }).nullable().optional(),
    datetime: z.object({ range_days: finite, median_gap_s: nullableNum, frequency: z.string().nullable(), gaps: z.number().int().nonnegative(), ordered: z.boolean() }).nullable().optional(),
  })),
  correlations: z.object({ method: z.literal('pearson'), columns: z.array(z.string()), matrix: z.array(z.array(finite.min(-1 - 1e-9).max(1 + 1e-9).nullable())) }),
  alerts: z.array(z.object({ kind: z.enum(ALERT_KINDS), column: z.string().nullable(), value: finite, message: z.string() })),
  alert_thresholds: z.record(z.string(), finite).optional(),
  target_candidates: z.array(z.object({ column: z.string(), score: finite.min(0).max(1), reason: z.string(), task: z.enum(['classification', 'regression']) })),
  charts: z.array(ChartSchema).optional(),
  associations: z.object({
    sampled: z.boolean(), sample_rows: z.number().int().nonnegative(),
    spearman: Matrix, cramers_v: Matrix,
    correlation_ratio: z.object({ categorical: z.array(z.string()), numeric: z.array(z.string()), matrix: z.array(z.array(finite.min(0).max(1 + 1e-9).nullable())) }),
  }).optional(),
  time_series: z.object({ column: z.string(), frequency: z.string().nullable(), sentence: z.string(),
    series: z.array(z.object({ column: z.string(), trend_r: nullableNum, seasonal_lag: z.number().int().nullable(), seasonal_acf: nullableNum, sentence: z.string() })) }).nullable().optional(),
});

/** What validation ran and why (modeling.validation). */
export const ValidationSchema = z.object({
  scheme: z.enum(['kfold', 'stratified', 'time', 'group']), folds: z.number().int().min(2).max(10),
  time_column: z.string().optional(), group_column: z.string().optional(), gap: z.number().int().nonnegative().optional(),
  test_fraction: z.number().min(0).max(1), test_rows: z.number().int().nonnegative(), served_model_rows: z.number().int().positive(), reason: z.string().min(1),
});

const MembersSchema = z.array(z.object({ model: z.string(), weight: finite.min(0).max(1), params: z.record(z.string(), z.unknown()).optional() })).min(2);
/** The search's trial log (Models v2). */
const TrialsSchema = z.array(z.object({ model: z.string(), params: z.record(z.string(), z.unknown()), cv_mean: finite, seconds: finite.nonnegative() }).passthrough());
const StageRowsSchema = z.object({ search: z.number().int().nonnegative(), refit: z.number().int().nonnegative(), explain: z.number().int().nonnegative() }).passthrough();

const CalibrationFiguresSchema = z.object({ log_loss_before: finite, log_loss_after: finite, brier_before: finite, brier_after: finite, rows: z.number().int().nonnegative(), scored_on: z.string() });
/** Whether the served classifier's probabilities are calibrated (modeling.calibration; null for regression). */
const CalibrationSchema = z.object({
  method: z.enum(['platt', 'temperature']).nullable(), applied: z.boolean(), reason: z.string().min(1),
  params: z.union([z.object({ method: z.literal('platt'), a: finite, b: finite, eps: finite.optional() }), z.object({ method: z.literal('temperature'), temperature: finite.positive(), eps: finite.optional() })]).nullable(),
  oof: CalibrationFiguresSchema.nullable(), test: CalibrationFiguresSchema.nullable(),
});

/** modeling.json as QA validates it. */
export const ModelingSchema = z.object({
  version: z.literal(2),
  task: z.enum(['classification', 'regression']), target: z.string(), metric: z.enum(METRICS),
  leaderboard: z.array(z.object({ model: z.string(), cv_mean: finite, cv_std: finite.nonnegative(), folds: z.array(finite), members: MembersSchema.optional() }).passthrough()).min(1),
  best_model: z.string(), features: z.array(z.string()).min(1),
  excluded: z.array(z.object({ column: z.string(), reason: z.string() })),
  importances: z.array(z.object({ feature: z.string(), importance: finite })),
  shap_importance: z.array(z.object({ feature: z.string(), mean_abs_shap: finite.nonnegative() })),
  partial_dependence: z.array(z.object({ feature: z.string(), kind: z.enum(['numeric', 'categorical']), grid: z.array(z.union([finite, z.string()])),
    series: z.array(z.object({ label: z.string(), values: z.array(finite) })) })),
  diagnostics: z.object({ kind: z.enum(['classification', 'regression']), held_out_rows: z.number().int().positive() }).passthrough(),
  train_score: finite, explained_on: z.string(),
  charts: z.array(ChartSchema),
  rows_used: z.number().int().positive(), total_rows: z.number().int().positive(), sampled: z.boolean(),
  warnings: z.array(z.string()), cv_folds: z.number().int().min(2).max(10), seed: z.number().int(),
  // Optional: modeling.json written before validation schemes existed still reads.
  validation: ValidationSchema.optional(),
  test_score: finite.nullable().optional(),
  // Optional: modeling.json written before the search existed still reads.
  trials: TrialsSchema.optional(),
  rows_by_stage: StageRowsSchema.optional(),
  search: z.object({ time_budget_s: finite.nullable(), stopped: z.string(), seconds: finite.nonnegative() }).passthrough().optional(),
  // Optional: modeling.json written before calibration existed still reads.
  calibration: CalibrationSchema.nullable().optional(),
});

/** result.json, the run's final summary served by GET /runs/:id/result. */
export const ResultSchema = z.object({
  run_id: z.string(), status: z.enum(['completed', 'failed', 'cancelled']),
  dataset: z.object({ rows: z.number().int().nonnegative(), cols: z.number().int().nonnegative() }),
  eda: z.object({ summary: z.record(z.string(), z.unknown()), alerts: z.array(z.unknown()) }).nullable(),
  modeling: z.object({ task: z.string(), target: z.string(), metric: z.string(),
    leaderboard: z.array(z.object({ model: z.string(), cv_mean: finite, cv_std: finite, members: MembersSchema.optional() })), best_model_id: z.string(),
    trials: TrialsSchema.optional(), rows_used: z.number().int().nonnegative().optional(), rows_by_stage: StageRowsSchema.optional(),
    search: z.object({ time_budget_s: finite.nullable(), stopped: z.string(), seconds: finite.nonnegative() }).passthrough().optional(),
    features: z.array(z.string()).optional(), validation: ValidationSchema.optional(), test_score: finite.nullable().optional(),
    calibration: CalibrationSchema.nullable().optional() }).nullable(),
  report_html: z.string().nullable(), report_id: z.string().nullable(),
  timings: z.record(z.string(), z.object({ started_at: z.string(), duration_ms: z.number().nonnegative(), attempts: z.number().int().nonnegative() })),
  warnings: z.array(z.string()),
  error: z.string().nullable(),
  artifacts: z.array(z.object({ id: z.string(), type: z.string(), filename: z.string(), size: z.number() })),
});
export type RunResult = z.infer<typeof ResultSchema>;
