import { z } from 'zod';
import { COLUMN_TYPES } from '../analysis/ingest/column-types.js';
import { COMPARE_KINDS, DRIFT_TESTS } from '../analysis/compare/types.js';
import { MODEL_NAMES } from '../analysis/ml/candidates.js';
import { METRIC_OPTIONS } from '../analysis/ml/metrics.js';
import { VALIDATION_SCHEMES } from '../analysis/ml/validation/plan.js';
import { RUN_STATUSES, STAGES, TASKS } from '../workflows/definitions.js';
import { ERROR_CODES } from './errors.js';
import { isStorableText } from '../db/text.js';

// Request and response shapes: routes validate with these and the OpenAPI document is generated from them.

/** Text from a request: refused when PostgreSQL could not store it, rather than failing later. */
const text = (s: z.ZodString = z.string()) => s.refine(isStorableText, { message: 'must not contain NUL or unpaired surrogate characters' });

export const ErrorBody = z.object({ error: z.object({
  code: z.enum(ERROR_CODES), message: z.string(), details: z.record(z.string(), z.unknown()),
  /** Quote it when reporting a problem: the server's log lines for this request carry it. */
  request_id: z.string(),
}) });

// The few passwords every guessing list starts with; length and variety rules catch most of the rest.
const COMMON_PASSWORDS = new Set(['password', 'password1', 'password123', '12345678', '123456789', '1234567890', 'qwertyuiop', 'iloveyou', 'letmein1', 'welcome1', 'admin123', 'changeme']);

/** Why a password is too weak to accept (a sentence), or null: 8+ characters besides spaces, some variety, not a common one. */
export function weakPassword(p: string): string | null {
  if (p.trim().length < 8) return 'must be at least 8 characters, not counting spaces at either end';
  if (new Set(p).size < 4) return 'must use at least 4 different characters';
  if (COMMON_PASSWORDS.has(p.toLowerCase())) return 'is one of the most common passwords; choose another';
  return null;
}

export const RegisterBody = z.object({
  name: text(z.string().trim().min(1).max(200)),
  email: text(z.string().trim().toLowerCase().email().max(320)),
  password: text(z.string().max(200)).superRefine((p, ctx) => { const why = weakPassword(p); if (why) ctx.addIssue({ code: 'custom', message: why }); }),
}).strict();
export const LoginBody = z.object({ email: text(z.string().trim().toLowerCase().email()), password: text(z.string().min(1).max(200)) }).strict();
export const UserOut = z.object({ id: z.uuid(), name: z.string(), email: z.string(), role: z.enum(['user', 'admin']), created_at: z.string() });
export const TokenOut = z.object({ access_token: z.string(), token_type: z.literal('bearer'), user: UserOut });

export const ProjectBody = z.object({ name: text(z.string().trim().min(1).max(200)), description: text(z.string().max(2000)).optional() }).strict();
export const ProjectOut = z.object({ id: z.uuid(), name: z.string(), description: z.string().nullable(), created_at: z.string() });

export const ColumnOut = z.object({ name: z.string(), type: z.string() });
export const PreviewOut = z.object({ columns: z.array(z.string()), first_rows: z.array(z.record(z.string(), z.unknown())) });
/** `reading`: the full read runs; `ready`: rows and types are final; `failed`: see `error`. */
export const DatasetStatusOut = z.enum(['reading', 'ready', 'failed']);
export const UploadOut = z.object({
  dataset_id: z.uuid(), name: z.string(), rows: z.number().int(), cols: z.number().int(), columns: z.array(ColumnOut), preview: PreviewOut,
  /** `ready` when the full read finished within the upload (`UPLOAD_WAIT_S`); `reading` when it goes on. */
  status: DatasetStatusOut,
  /** True while `status` is `reading`: rows are estimated from the first rows and the file size, types from the first rows. */
  rows_estimated: z.boolean(),
  /** What the sniff of the file's start found: format, text encoding, delimiter, whether row 1 is a header, the sheet read. */
  source: z.object({ format: z.string(), encoding: z.string().nullable(), delimiter: z.string().nullable(), header: z.boolean(), sheet: z.string().nullable() }),
  /** How the file was read (encoding, sheet, renamed columns, converted types), one sentence each. */
  notes: z.array(z.string()),
});
export const DatasetOut = z.object({
  id: z.uuid(), project_id: z.uuid(), name: z.string(), filename: z.string(), format: z.string(), size_bytes: z.number(),
  sha256: z.string(), rows: z.number().int(), cols: z.number().int(), columns: z.array(ColumnOut), created_at: z.string(),
  status: DatasetStatusOut, rows_estimated: z.boolean(),
  /** Why the full read failed (status `failed`). */
  error: z.string().nullable(),
  notes: z.array(z.string()),
});
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export const PreviewQuery = z.object({ n: z.coerce.number().int().min(1).max(1000).default(20) });
export const IdParam = z.object({ id: z.uuid({ message: 'must be a UUID' }) });

export const RunOptionsBody = z.object({
  target: text(z.string().min(1).max(1000)).optional(),
  task: z.enum(TASKS).optional(),
  models: z.array(z.enum(MODEL_NAMES)).min(1).optional(),
  cv_folds: z.number().int().min(2).max(10).optional(),
  time_budget_s: z.number().positive().max(86_400).optional(),
  // Above this the training matrix alone outgrows a worker's memory.
  sample_rows: z.number().int().min(100).max(2_000_000).optional(),
  skip_modeling: z.boolean().optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  /** Types for some columns, overriding inference: `{ "zip": "categorical" }`. */
  column_types: z.record(text(z.string().min(1).max(1000)), z.enum(COLUMN_TYPES)).optional(),
  /** Alert thresholds for the profile, e.g. `{ "missing_pct": 0.05 }`. */
  alert_thresholds: z.object({
    missing_pct: z.number().min(0).max(1), zeros_pct: z.number().min(0).max(1), skewness: z.number().positive(),
    high_cardinality: z.number().int().positive(), correlation: z.number().min(0).max(1), duplicates_pct: z.number().min(0).max(1),
    imbalance: z.number().min(0).max(1), outliers_pct: z.number().min(0).max(1), uniform_p: z.number().min(0).max(1), leakage: z.number().min(0).max(1),
  }).partial().strict().optional(),
  /** How models are validated; `auto` picks time, group, stratified or k-fold (README, "Validation"). */
  validation: z.object({
    scheme: z.enum(VALIDATION_SCHEMES).optional(),
    /** Cross-validation folds; `cv_folds` is the same setting. */
    folds: z.number().int().min(2).max(10).optional(),
    time_column: text(z.string().min(1).max(1000)).optional(),
    group_column: text(z.string().min(1).max(1000)).optional(),
    /** Share of rows held out as a test split no selection sees; default 0.2 from 1,000 rows, else 0. */
    test_fraction: z.number().min(0).max(0.5).optional(),
    /** Rows left out between training and validation rows (time scheme). */
    gap: z.number().int().min(0).max(1_000_000).optional(),
  }).strict().refine((v) => v.scheme !== 'group' || v.group_column, { message: "scheme 'group' needs group_column", path: ['group_column'] }).optional(),
  /** The metric models are ranked by; lower is better for log_loss, rmse, mae and mape. */
  metric: z.enum(METRIC_OPTIONS).optional(),
  /** Columns left out of modeling. */
  ignore_columns: z.array(text(z.string().min(1).max(1000))).max(1000).optional(),
  /** The positive class of a two-class target (for ROC AUC). */
  positive_class: text(z.string().min(1).max(1000)).optional(),
}).strict().refine((o) => o.cv_folds === undefined || o.validation?.folds === undefined || o.cv_folds === o.validation.folds,
  { message: 'cv_folds and validation.folds are the same setting and disagree; give one', path: ['cv_folds'] });
export const StartRunBody = z.object({ dataset_id: z.uuid(), project_id: z.uuid().optional(), options: RunOptionsBody.optional() }).strict();
export const StartRunOut = z.object({ run_id: z.uuid(), workflow_id: z.string(), status: z.enum(RUN_STATUSES) });
export const RunListQuery = PageQuery.extend({ status: z.enum(RUN_STATUSES).optional() });
export const ClarifyBody = z.object({ target: text(z.string().min(1).max(1000)).optional(), task: z.enum(TASKS).optional(), skip_modeling: z.boolean().optional(),
  group_column: text(z.string().min(1).max(1000)).optional().describe('keep the rows of each value of this column together in validation folds') })
  .strict().refine((b) => b.skip_modeling || b.target, { message: 'give a target, or skip_modeling: true' });

export const LogLine = z.object({ at: z.string(), level: z.string(), message: z.string() });
export const StatusOut = z.object({
  run_id: z.uuid(), workflow_id: z.string(), status: z.enum(RUN_STATUSES), stage: z.enum(STAGES), progress: z.number(),
  heartbeat_at: z.string().nullable(),
  question: z.object({ kind: z.literal('target'), message: z.string(), options: z.array(z.object({ column: z.string(), score: z.number(), reason: z.string() })),
    group_options: z.array(z.object({ column: z.string(), groups: z.number(), rows_per_group: z.number() })).optional() }).nullable(),
  error: z.string().nullable(), logs: z.array(LogLine),
});
export const RunOut = z.object({
  id: z.uuid(), workflow_id: z.string(), dataset_id: z.uuid(), project_id: z.uuid(), status: z.enum(RUN_STATUSES), stage: z.enum(STAGES),
  options: z.record(z.string(), z.unknown()), error: z.string().nullable(), created_at: z.string(), finished_at: z.string().nullable(),
});
export const TimelineOut = z.object({
  events: z.array(z.object({ at: z.string(), kind: z.string(), stage: z.string().nullable(), attempt: z.number().int().nullable(), detail: z.string().nullable() })),
});
export const ArtifactOut = z.object({
  id: z.uuid(), type: z.string(), filename: z.string(), size: z.number(), content_type: z.string(), download_url: z.string(), expires_at: z.string(),
});
export const LogsQuery = z.object({ format: z.enum(['json', 'text']).default('json') });
export const ModelOut = z.object({
  id: z.uuid(), run_id: z.uuid(), name: z.string(), task: z.string(), target: z.string(), metrics: z.record(z.string(), z.unknown()),
  version: z.number().int(), created_at: z.string(),
});
export const ModelDetailOut = ModelOut.extend({ features: z.array(z.unknown()), importances: z.array(z.unknown()) });
export const PredictBody = z.object({ rows: z.array(z.record(z.string(), z.unknown())).min(1).max(100_000) }).strict();
export const PredictOut = z.object({
  predictions: z.array(z.union([z.number(), z.string()])), probabilities: z.array(z.record(z.string(), z.number())).optional(),
  explanations: z.object({ space: z.string(), rows: z.array(z.object({ class: z.string().optional(), base_value: z.number(), contributions: z.record(z.string(), z.number()) })),
    /** Calibrated models: SHAP explains the output before calibration, so it does not add up to the served probability. */
    note: z.string().optional() }).optional(),
  drift: z.array(z.object({ feature: z.string(), psi: z.number(), drifted: z.boolean() })), warnings: z.array(z.string()), artifact_id: z.uuid(),
  /** Present when the batch is too small for drift to mean anything (no feature is flagged then). */
  drift_note: z.string().optional(),
});
export const DownloadQuery = z.object({ format: z.enum(['pdf', 'html']).default('html') });
export const AdminLogsQuery = z.object({ level: z.enum(['info', 'warn', 'error']).optional(), run_id: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) });
export const HealthOut = z.object({
  status: z.enum(['ok', 'degraded']), version: z.string(), uptime_s: z.number(),
  checks: z.object({ db: z.string(), temporal: z.string(), storage: z.string() }),
});
export const CompareBody = z.object({
  /** The reference dataset (the older version). */
  dataset_a: z.uuid({ message: 'must be a UUID' }),
  /** The dataset compared with it (the newer version). */
  dataset_b: z.uuid({ message: 'must be a UUID' }),
}).strict();
const CompareDatasetOut = z.object({ id: z.uuid(), name: z.string(), filename: z.string(), rows: z.number().int(), cols: z.number().int() });
const CompareColumnOut = z.object({
  name: z.string(), type_a: z.enum(COLUMN_TYPES), type_b: z.enum(COLUMN_TYPES), kind: z.enum(COMPARE_KINDS),
  psi: z.number(), test: z.enum(DRIFT_TESTS), statistic: z.number(), dof: z.number().int().nullable(),
  /** Null when the test cannot run (one dataset has no value in the column). */
  p_value: z.number().nullable(),
  /** KS D for numbers and dates, Cramér's V for categories. */
  effect_size: z.number(), drifted: z.boolean(), rows_a: z.number().int(), rows_b: z.number().int(),
  missing_pct_a: z.number(), missing_pct_b: z.number(), distinct_a: z.number().int(), distinct_b: z.number().int(),
  mean_a: z.number().nullable(), mean_b: z.number().nullable(),
  bins: z.array(z.object({ label: z.string(), pct_a: z.number(), pct_b: z.number() })),
});
/** A finished comparison (200). */
export const CompareOut = z.object({
  compare_id: z.uuid(), status: z.literal('completed'), dataset_a: CompareDatasetOut, dataset_b: CompareDatasetOut,
  /** The drift rule in one sentence; `thresholds` holds its numbers. */
  rule: z.string(),
  thresholds: z.object({ p_value_below: z.number(), psi_at_least: z.number(), effect_at_least: z.number() }),
  method: z.array(z.string()),
  rows_a: z.number().int(), rows_b: z.number().int(), cols_a: z.number().int(), cols_b: z.number().int(),
  columns: z.array(CompareColumnOut),
  schema_changes: z.object({
    added: z.array(z.object({ name: z.string(), type: z.enum(COLUMN_TYPES) })),
    removed: z.array(z.object({ name: z.string(), type: z.enum(COLUMN_TYPES) })),
    type_changed: z.array(z.object({ name: z.string(), type_a: z.enum(COLUMN_TYPES), type_b: z.enum(COLUMN_TYPES) })),
  }),
  summary: z.object({ columns_compared: z.number().int(), drifted: z.number().int(), drifted_columns: z.array(z.string()) }),
  /** The HTML report: `GET /datasets/compare/{report_id}/report` (the comparison's id). */
  report_id: z.uuid(),
  finished_at: z.string(),
});
/** A comparison still running (202); poll `GET /datasets/compare/{compare_id}`. */
export const CompareRunningOut = z.object({ compare_id: z.uuid(), workflow_id: z.string(), status: z.literal('running') });
export const CompareAnswer = z.union([CompareOut, CompareRunningOut]);

export const Items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
export const Page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next_cursor: z.string().nullable() });

export const AskBody = z.object({ question: text(z.string().trim().min(1).max(500)) }).strict();
export const AskOut = z.object({
  question: z.string(),
  /** What was answered, in words: check it matches what you meant. */
  interpretation: z.string(),
  /** The DuckDB SQL that ran over the dataset (view `data`), with `$n` placeholders for `params`. */
  sql: z.string(),
  params: z.array(z.union([z.string(), z.number(), z.boolean()])),
  columns: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.unknown())),
  /** A vega-lite spec (data inline): bar, line, histogram or scatter; null for a single number or a row listing. */
  chart: z.record(z.string(), z.unknown()).nullable(),
  /** The validated query form the SQL was compiled from. */
  query: z.record(z.string(), z.unknown()),
  /** `reader`: Assay's own deterministic reader; `llm`: the NLQ_LLM_URL endpoint's query form, validated. */
  answered_by: z.enum(['reader', 'llm']),
  /** Words of the question the reader did not understand; `interpretation` names them too, and says when the answer is over all rows despite them. */
  ignored_words: z.array(z.string()),
});
