import { Context } from '@temporalio/activity';
import type { ResultSchema } from '../analysis/qa/schemas.js';
import type { z } from 'zod';
import type { ActivityDeps } from './deps.js';
import { putArtifact, readJson, runLog } from './run-records.js';
import { cleanText } from '../db/text.js';

export interface StageTiming { started_at: string; duration_ms: number; attempts: number }
export interface FinalizeInput {
  run_id: string; status: 'completed' | 'failed' | 'cancelled'; error: string | null; warnings: string[];
  timings: Record<string, StageTiming>;
  rows: number | null; cols: number | null;
  eda_key: string | null; modeling_key: string | null; model_id: string | null; report_key: string | null; report_id: string | null;
}
export interface FinalizeSummary { result_key: string; attempt: number }

/**
 * Writes result.json and the run's final row. Runs for every ending (completed, failed, cancelled), so
 * whatever artifacts earlier stages left are listed in the result.
 */
export function finalizeActivity(deps: ActivityDeps) {
  return async function finalize(input: FinalizeInput): Promise<FinalizeSummary> {
    const eda = input.eda_key ? await readJson<{ dataset: Record<string, unknown>; alerts: unknown[] }>(deps, input.eda_key) : null;
    const modeling = input.modeling_key
      ? await readJson<{ task: string; target: string; metric: string; leaderboard: { model: string; cv_mean: number; cv_std: number }[]; warnings?: string[] }>(deps, input.modeling_key)
      : null;
    const reportHtml = input.report_key ? (await deps.storage.get(input.report_key)).toString('utf8') : null;
    const artifacts = await deps.db.selectFrom('artifacts').select(['id', 'type', 'filename', 'size'])
      .where('run_id', '=', input.run_id).orderBy('created_at').execute();
    const result: z.infer<typeof ResultSchema> = {
      run_id: input.run_id, status: input.status,
      dataset: { rows: input.rows ?? 0, cols: input.cols ?? 0 },
      eda: eda ? { summary: eda.dataset, alerts: eda.alerts } : null,
      modeling: modeling && input.model_id ? {
        task: modeling.task, target: modeling.target, metric: modeling.metric,
        leaderboard: modeling.leaderboard.map((e) => ({ model: e.model, cv_mean: e.cv_mean, cv_std: e.cv_std })), best_model_id: input.model_id,
      } : null,
      report_html: reportHtml, report_id: input.report_id, timings: input.timings,
      warnings: [...new Set([...input.warnings, ...(modeling?.warnings ?? [])])], error: input.error,
      artifacts: artifacts.map((a) => ({ ...a, size: Number(a.size) })),
    };
    const saved = await putArtifact(deps, input.run_id, { type: 'result', filename: 'result.json', body: JSON.stringify(result), contentType: 'application/json' });
    const now = new Date();
    await deps.db.updateTable('runs').set({
      status: input.status, stage: 'finalize', error: input.error == null ? null : cleanText(input.error), result_key: saved.key, updated_at: now, finished_at: now,
    }).where('id', '=', input.run_id).execute();
    await runLog(deps, input.run_id, input.status === 'completed' ? 'info' : input.status === 'failed' ? 'error' : 'warn',
      `finalize: run ${input.status}${input.error ? `: ${input.error}` : ''}`);
    return { result_key: saved.key, attempt: Context.current().info.attempt };
  };
}
