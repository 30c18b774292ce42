// Request and response shapes of the suggestions, pipelines and versions routes (API.md "People v2").
import { z } from 'zod';
import { PipelineStep, STEP_NAMES } from '../analysis/pipeline/steps.js';
import { PIPELINE_STATUSES } from '../workflows/definitions.js';

export const SuggestionsQuery = z.object({ target: z.string().min(1).max(300).optional() }).strict();

export const SuggestionOut = z.object({
  step: z.enum(STEP_NAMES), column: z.string().optional(), params: z.record(z.string(), z.unknown()),
  confidence: z.number().min(0).max(1), reason: z.string(),
});
export const RecommendationOut = z.object({ kind: z.enum(['validation', 'metric', 'target', 'sampling']), message: z.string(), options: z.record(z.string(), z.unknown()) });
export const SuggestionsOut = z.object({
  dataset_id: z.uuid(), steps: z.array(SuggestionOut), recommendations: z.array(RecommendationOut),
  basis: z.object({ rows: z.number().int(), cols: z.number().int(), profiled: z.literal('all_rows') }),
});

/** The body as documented; the handler reads `steps` itself so an unknown step is a 422 naming it. */
export const RunPipelineBody = z.object({ dataset_id: z.uuid(), steps: z.array(PipelineStep).min(1).max(50) }).strict();
export const PipelineStarted = z.object({ pipeline_id: z.uuid(), workflow_id: z.string(), status: z.enum(PIPELINE_STATUSES) });

export const StepEffectOut = z.object({
  index: z.number().int(), step: z.enum(STEP_NAMES), column: z.string().nullable(), rows_before: z.number().int(), rows_after: z.number().int(),
  columns_added: z.array(z.string()), columns_removed: z.array(z.string()), columns_changed: z.array(z.string()), values_changed: z.number().int(),
  note: z.string(), ms: z.number(),
});
export const PipelineOut = z.object({
  pipeline_id: z.uuid(), workflow_id: z.string(), status: z.enum(PIPELINE_STATUSES), dataset_id: z.uuid(),
  /** Set once the pipeline has completed. */
  output_dataset_id: z.uuid().nullable(),
  steps: z.array(z.object({ step: z.enum(STEP_NAMES), column: z.string().nullable(), params: z.record(z.string(), z.unknown()), effect: StepEffectOut.nullable() })),
  logs: z.array(z.object({ at: z.string(), level: z.string(), message: z.string() })),
  error: z.string().nullable(), error_code: z.string().nullable(), created_at: z.string(), finished_at: z.string().nullable(),
});

export const VersionOut = z.object({
  id: z.uuid(), name: z.string(), version: z.number().int(), parent_id: z.uuid().nullable(), created_at: z.string(),
  rows: z.number().int(), cols: z.number().int(), status: z.string(),
  /** The pipeline and steps that made this version (null for the upload). */
  pipeline_id: z.uuid().nullable(), steps: z.array(z.record(z.string(), z.unknown())).nullable(),
});
export const VersionsOut = z.object({ items: z.array(VersionOut) });
