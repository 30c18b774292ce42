// Names shared by the `predictJob` workflow, its activities and the API. No Node APIs here: workflows import it.

export const PREDICT_WORKFLOW_TYPE = 'predictJob';
/** Workflow id of a batch predict job: one per job. */
export const predictWorkflowIdFor = (jobId: string) => `predict-${jobId}`;

export const PREDICT_JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type PredictJobStatus = (typeof PREDICT_JOB_STATUSES)[number];
export const PREDICT_JOB_ENDED: readonly PredictJobStatus[] = ['completed', 'failed', 'cancelled'];

/** File formats of the predictions artifact. */
export const PREDICTION_FORMATS = ['csv', 'parquet'] as const;
export type PredictionFormat = (typeof PREDICTION_FORMATS)[number];

/** Everything the job needs, recorded in history so a replay (and a resumed attempt) uses the same chunking. */
export interface PredictJobInput {
  job_id: string;
  user_id: string;
  model_id: string;
  dataset_id: string;
  explain: boolean;
  format: PredictionFormat;
  /** Rows per chunk: the unit that is scored, stored as one object and heartbeated. */
  chunk_rows: number;
  /** SHAP is computed for the first rows only, up to this many (it costs milliseconds a row). */
  explain_max_rows: number;
  task_queue: string;
  timeouts: { predict_s: number; heartbeat_s: number; max_attempts: number };
  /** The owner's storage quota in MB (0: none), checked against the file's real size before it is kept. */
  quota_mb?: number;
}

/** What the scoring activity returns: where the chunks are (never the data). */
export interface ScoredChunks {
  /** Chunk objects `predictChunkKey(job_id, 0 … chunks - 1)`. */
  chunks: number;
  rows: number;
  explained_rows: number;
  /** The row offset a retried attempt resumed from, or null when the first attempt scored every chunk. */
  resumed_from_row: number | null;
}

/** What the workflow returns: the predictions artifact. */
export interface PredictJobOutcome { artifact_id: string; storage_key: string; rows: number; size: number; resumed_from_row: number | null }

/** The progress a scoring attempt heartbeats: the next chunk to score. A retried attempt goes on from there. */
export interface PredictHeartbeat { next_chunk: number; rows_done: number; rows_total: number }
