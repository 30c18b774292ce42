import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** JSON columns are written as JSON text and read back parsed. */
type Json<T> = ColumnType<T, string, string>;

export interface UsersTable {
  id: string; name: string; email: string; password_hash: string; role: 'user' | 'admin'; created_at: Timestamp;
}
export interface ProjectsTable {
  id: string; user_id: string; name: string; description: string | null; is_default: boolean; created_at: Timestamp;
}
export type DatasetStatus = 'reading' | 'ready' | 'failed';
export interface DatasetsTable {
  id: string; user_id: string; project_id: string; name: string; filename: string; format: string;
  storage_key: string; size_bytes: number; sha256: string; rows: number; cols: number;
  columns: Json<{ name: string; type: string; storage_type: string }[]>;
  preview: Json<{ columns: string[]; first_rows: Record<string, unknown>[] }>;
  /** The XLSX sheet read (null for other formats: the first sheet when the upload named none). */
  sheet: ColumnType<string | null, string | null | undefined, string | null>;
  /** `reading` while the full read runs (rows and types come from the first rows), then `ready` or `failed`. */
  status: ColumnType<DatasetStatus, DatasetStatus | undefined, DatasetStatus>;
  /** Why the full read failed (a sentence for the user). */
  error: ColumnType<string | null, string | null | undefined, string | null>;
  /** How the file was read (encoding, sheet, conversions), one sentence each. */
  notes: ColumnType<string[], string | undefined, string>;
  /** The dataset a pipeline made this one from (null for an upload). */
  parent_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The upload the lineage started from (null for the upload itself). */
  root_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1 for an upload; each pipeline output is the lineage's next number. */
  version: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
}
export interface RunsTable {
  id: string; user_id: string; project_id: string; dataset_id: string; workflow_id: string;
  status: string; stage: string; options: Json<Record<string, unknown>>; idempotency_key: string | null;
  error: string | null; result_key: string | null;
  created_at: Timestamp; updated_at: Timestamp; finished_at: Timestamp | null;
}
export interface ArtifactsTable {
  id: string; run_id: string; user_id: string; type: string; filename: string; storage_key: string;
  size: number; content_type: string; created_at: Timestamp;
}
export interface ModelsTable {
  id: string; run_id: string; user_id: string; name: string; task: string; target: string;
  metrics: Json<Record<string, unknown>>; version: number; storage_key: string;
  features: Json<unknown[]>; importances: Json<unknown[]>; created_at: Timestamp;
}
export interface LogsTable {
  id: Generated<number>; run_id: string | null; user_id: string | null; level: string; message: string; at: Timestamp;
}

/** One dataset comparison (`compareDatasets` workflow): `status` is one of `COMPARE_STATUSES`. */
export interface ComparesTable {
  id: string; user_id: string; dataset_a: string; dataset_b: string; workflow_id: string; status: string;
  /** Why it failed, in a sentence, and the failure's code (UNPROCESSABLE_DATASET for bad data). */
  error: string | null; error_code: string | null;
  /** compare.json and report.html under `compares/<id>/`, once completed. */
  result_key: string | null; report_key: string | null;
  created_at: Timestamp; finished_at: Timestamp | null;
}

/** One batch predict job (`predictJob` workflow): `status` is one of `PREDICT_JOB_STATUSES`. */
export interface PredictJobsTable {
  id: string; user_id: string; model_id: string;
  /** The model's run: the predictions artifact is recorded under it, like `POST /models/:id/predict`'s. */
  run_id: string; dataset_id: string; workflow_id: string; status: string;
  explain: boolean; format: string; chunk_rows: number;
  /** Rows of the dataset (known once its normalised copy is read) and rows scored so far. */
  rows_total: number | null; rows_done: ColumnType<number, number | undefined, number>;
  /** Rows with SHAP columns (the first ones, up to PREDICT_EXPLAIN_MAX_ROWS), when `explain`. */
  explained_rows: number | null;
  /** Where a retried scoring attempt went on from (its last heartbeat's row offset); null when it never resumed. */
  resumed_from_row: number | null;
  attempts: ColumnType<number, number | undefined, number>;
  artifact_id: string | null; error: string | null; error_code: string | null;
  created_at: Timestamp; finished_at: Timestamp | null;
}

/** One preprocessing pipeline (`pipelineRun` workflow): `status` is one of `PIPELINE_STATUSES`. */
export interface PipelinesTable {
  id: string; user_id: string; dataset_id: string;
  /** The dataset row the pipeline writes (made when it completes; its id is chosen up front so a retry is idempotent). */
  output_dataset_id: string;
  workflow_id: string; status: string;
  steps: Json<unknown[]>;
  /** Each finished step's effect (analysis/pipeline/steps.ts StepEffect), in order. */
  effects: ColumnType<unknown[], string | undefined, string>;
  /** What the pipeline did, one line per event: `{at, level, message}`. */
  logs: ColumnType<{ at: string; level: string; message: string }[], string | undefined, string>;
  error: string | null; error_code: string | null;
  created_at: Timestamp; finished_at: Timestamp | null;
}

export interface AuthThrottleTable {
  key: string; hits: number; window_start: Timestamp;
}

/** The database as kysely sees it. */
export interface Database {
  users: UsersTable;
  projects: ProjectsTable;
  datasets: DatasetsTable;
  runs: RunsTable;
  artifacts: ArtifactsTable;
  models: ModelsTable;
  logs: LogsTable;
  auth_throttle: AuthThrottleTable;
  compares: ComparesTable;
  predict_jobs: PredictJobsTable;
  pipelines: PipelinesTable;
}

export type User = Selectable<UsersTable>;
export type Run = Selectable<RunsTable>;
export type Dataset = Selectable<DatasetsTable>;
export type Artifact = Selectable<ArtifactsTable>;
export type NewArtifact = Insertable<ArtifactsTable>;
export type Compare = Selectable<ComparesTable>;
export type PredictJob = Selectable<PredictJobsTable>;
export type Pipeline = Selectable<PipelinesTable>;
