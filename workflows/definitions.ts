// Names shared by the workflow, the worker and the API client. No Node APIs here: workflows import it.
import { ApplicationFailure, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export const RUN_STATUSES = [
  'queued', 'running', 'awaiting_clarification', 'needs_attention', 'completed', 'failed', 'cancelled',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

export const STAGES = ['ingest', 'profile', 'clarify', 'train', 'report', 'qa', 'finalize'] as const;
export type Stage = (typeof STAGES)[number];
/** Overall progress (percent) when each stage starts; within a stage the API interpolates from heartbeats. */
export const STAGE_PROGRESS: Record<Stage, number> = { ingest: 0, profile: 10, clarify: 35, train: 40, report: 80, qa: 90, finalize: 95 };

export const TASKS = ['auto', 'classification', 'regression'] as const;
export type TaskOption = (typeof TASKS)[number];

export const WORKFLOW_TYPE = 'analysisJob';

/** Failure types that mean bad data: never retried, the run fails with the message (analysis/errors.ts codes). */
export const DATA_FAILURE_TYPES: readonly string[] = ['UNPROCESSABLE_DATASET', 'INVALID_TARGET', 'NO_USABLE_FEATURES', 'CORRUPT_ARTIFACT', 'INVALID_OPTIONS', 'QUOTA_EXCEEDED'];
/** Whether a failure (an activity's cause, already unwrapped) is bad data: no retry can fix it. */
export const isDataFailure = (failure: unknown): failure is ApplicationFailure =>
  failure instanceof ApplicationFailure && (failure.nonRetryable || DATA_FAILURE_TYPES.includes(failure.type ?? ''));
export const workflowIdFor = (runId: string) => `run-${runId}`;

/** Search attributes registered on the server so runs can be filtered in the Web UI. */
export const SEARCH_ATTRIBUTES = { user: 'AssayUser', dataset: 'AssayDataset', stage: 'AssayStage', status: 'AssayStatus' } as const;
export const searchAttributeKeys = {
  user: defineSearchAttributeKey(SEARCH_ATTRIBUTES.user, SearchAttributeType.KEYWORD),
  dataset: defineSearchAttributeKey(SEARCH_ATTRIBUTES.dataset, SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey(SEARCH_ATTRIBUTES.stage, SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey(SEARCH_ATTRIBUTES.status, SearchAttributeType.KEYWORD),
};

export interface RunOptions {
  target?: string;
  task?: TaskOption;
  models?: string[];
  cv_folds?: number;
  time_budget_s?: number;
  sample_rows?: number;
  skip_modeling?: boolean;
  seed?: number;
  /** Column name → semantic type, overriding inference at ingest. */
  column_types?: Record<string, 'integer' | 'float' | 'boolean' | 'datetime' | 'categorical' | 'text' | 'identifier'>;
  /** Profile alert thresholds (see analysis/profile/alerts.ts). */
  alert_thresholds?: Record<string, number>;
  /** How models are validated (analysis/ml/validation/plan.ts); `folds` is `cv_folds` by another name. */
  validation?: {
    scheme?: 'auto' | 'kfold' | 'stratified' | 'time' | 'group'; folds?: number; time_column?: string; group_column?: string;
    test_fraction?: number; gap?: number;
  };
  /** The metric selection optimises (analysis/ml/metrics.ts METRIC_OPTIONS). */
  metric?: string;
  ignore_columns?: string[];
  positive_class?: string;
}

/** Timeouts are part of the input so they are recorded in history and replay identically. */
export interface JobTimeouts {
  ingest_s: number;
  eda_s: number;
  model_s: number;
  report_s: number;
  qa_s: number;
  clarify_s: number;
  needs_attention_s: number;
  heartbeat_s: number;
  max_attempts: number;
}

export interface AnalysisJobInput {
  run_id: string;
  user_id: string;
  dataset_id: string;
  options: RunOptions;
  timeouts: JobTimeouts;
  task_queues: { analysis: string; modeling: string };
}

export interface TargetOption { column: string; score: number; reason: string }
/** An identifier that repeats, offered as the column to group validation folds by. */
export interface GroupOption { column: string; groups: number; rows_per_group: number }
export interface Question { kind: 'target'; message: string; options: TargetOption[]; group_options?: GroupOption[] }

export interface JobState {
  status: RunStatus;
  stage: Stage;
  progress: number;
  question: Question | null;
  error: string | null;
  warnings: string[];
}

export interface ClarifyInput {
  target?: string; task?: TaskOption; skip_modeling?: boolean;
  /** Keep the rows of each value of this column together in validation (one of the question's group_options, or any column). */
  group_column?: string;
}

// Signals were the first version of these messages: kept so running workflows and scripts that signal still work.
export const clarifySignal = defineSignal<[ClarifyInput]>('clarify');
export const cancelSignal = defineSignal<[{ reason?: string }]>('cancel');
export const retrySignal = defineSignal<[{ by?: string }]>('retry');
export const statusQuery = defineQuery<JobState>('status');

/**
 * Updates: the caller learns at once whether the message was taken. A validator refuses one that does not
 * fit the run's state (with a sentence why); an accepted one answers with the state it led to.
 */
export const clarifyUpdate = defineUpdate<JobState, [ClarifyInput]>('clarify');
export const cancelUpdate = defineUpdate<JobState, [{ reason?: string }]>('cancel');
export const retryUpdate = defineUpdate<JobState, [{ by?: string }]>('retry');
/** The failure type of a refused update, so the API can tell "not now" (409) from infrastructure trouble. */
export const UPDATE_REFUSED = 'UpdateRefused';

// ---- Dataset comparison (`compareDatasets`, one activity) ----

export const COMPARE_WORKFLOW_TYPE = 'compareDatasets';
export const compareWorkflowIdFor = (compareId: string) => `compare-${compareId}`;
export const COMPARE_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
export type CompareStatus = (typeof COMPARE_STATUSES)[number];

export interface CompareInput {
  compare_id: string;
  user_id: string;
  dataset_a: string;
  dataset_b: string;
  /** Recorded in history so a replay uses the same ones. */
  timeouts: { compare_s: number; heartbeat_s: number; max_attempts: number };
  task_queue: string;
}

/** What the workflow returns: where the result is (the result itself can be large: it stays in storage). */
export interface CompareOutcome { result_key: string; report_key: string; columns_compared: number; drifted: number }

// ---- Preprocessing pipelines (`pipelineRun`, one activity) ----

export const PIPELINE_WORKFLOW_TYPE = 'pipelineRun';
export const pipelineWorkflowIdFor = (pipelineId: string) => `pipeline-${pipelineId}`;
export const PIPELINE_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];

export interface PipelineInput {
  pipeline_id: string;
  user_id: string;
  dataset_id: string;
  /** Chosen by the API, so a retried activity writes the same row. */
  output_dataset_id: string;
  /** The validated steps (analysis/pipeline/steps.ts), recorded in history as they ran. */
  steps: unknown[];
  timeouts: { pipeline_s: number; heartbeat_s: number; max_attempts: number };
  task_queue: string;
}

/** What the workflow returns: the new dataset version and its size (the effects are on the pipeline row). */
export interface PipelineOutcome { output_dataset_id: string; version: number; rows: number; cols: number }
