import { z } from 'zod';
import { PREDICT_JOB_STATUSES, PREDICTION_FORMATS } from '../workflows/predict-definitions.js';
import { PageQuery } from './schemas.js';

// Request and response shapes of batch predict jobs (`api/routes/predict-jobs.ts`).

export const PredictJobBody = z.object({
  dataset_id: z.uuid({ message: 'must be a UUID' }),
  /** Per-row SHAP contributions for the first PREDICT_EXPLAIN_MAX_ROWS rows (default 10,000). */
  explain: z.boolean().default(false),
  /** The predictions file: CSV (default) or Parquet. */
  format: z.enum(PREDICTION_FORMATS).default('csv'),
}).strict();
export const PredictJobStartOut = z.object({ job_id: z.uuid(), workflow_id: z.string(), status: z.enum(PREDICT_JOB_STATUSES) });
export const PredictJobOut = z.object({
  job_id: z.uuid(), workflow_id: z.string(), model_id: z.uuid(), dataset_id: z.uuid(), status: z.enum(PREDICT_JOB_STATUSES),
  /** Percent of rows scored (100 once the file is made). */
  progress: z.number().int(),
  rows_done: z.number().int(),
  /** Null until the dataset's normalised copy has been read. */
  rows_total: z.number().int().nullable(),
  explain: z.boolean(), format: z.enum(PREDICTION_FORMATS),
  /** Rows with SHAP columns (the first ones), when `explain`. */
  explained_rows: z.number().int().nullable(),
  /** Where a retried scoring attempt went on from (the row offset of its last heartbeat); null if it never had to. */
  resumed_from_row: z.number().int().nullable(),
  attempts: z.number().int(),
  /** The predictions artifact (also listed by `GET /runs/{model's run_id}/artifacts`), once completed. */
  artifact_id: z.uuid().nullable(),
  /** `GET /predict-jobs/{job_id}/download` redirects to a fresh signed link to the file, once completed. */
  download_path: z.string().nullable(),
  error: z.string().nullable(), error_code: z.string().nullable(),
  created_at: z.string(), finished_at: z.string().nullable(),
});
export const PredictJobListQuery = PageQuery.extend({ status: z.enum(PREDICT_JOB_STATUSES).optional(), model_id: z.uuid().optional() });
