import type { RunResult } from '../analysis/qa/schemas.js';
import type { ActivityDeps } from './deps.js';
import { reconcileLeakAlerts } from '../analysis/profile/leak-alerts.js';
import type { Alert } from '../analysis/profile/types.js';

export interface StageTiming { started_at: string; duration_ms: number; attempts: number }
/** What the workflow knows at the end of a run: its ending, warnings, timings and the keys of what it wrote. */
export interface RunEnding {
  run_id: string; status: 'completed' | 'failed' | 'cancelled'; error: string | null; warnings: string[];
  timings: Record<string, StageTiming>;
  rows: number | null; cols: number | null;
  eda_key: string | null; modeling_key: string | null; model_id: string | null; report_key: string | null; report_id: string | null;
}

/** Artifacts the caller has already read, by storage key, so they are not fetched again. */
export type LoadedText = Record<string, string>;

/**
 * Builds result.json from the run's artifacts: finalize writes it, and QA validates a draft of it before the
 * run ends, so both use this one builder.
 */
export async function buildResult(deps: ActivityDeps, input: RunEnding, loaded: LoadedText = {}): Promise<RunResult> {
  const text = async (key: string) => loaded[key] ?? (await deps.storage.get(key)).toString('utf8');
  const eda = input.eda_key ? JSON.parse(await text(input.eda_key)) as { dataset: Record<string, unknown>; alerts: Alert[] } : null;
  const modeling = input.modeling_key
    ? JSON.parse(await text(input.modeling_key)) as { task: string; target: string; metric: string; leaderboard: { model: string; cv_mean: number; cv_std: number; members?: { model: string; weight: number; params?: Record<string, unknown> }[] }[]; warnings?: string[];
      excluded: { column: string; reason: string }[] }
      & Partial<Pick<NonNullable<RunResult['modeling']>, 'features' | 'validation' | 'test_score' | 'trials' | 'rows_used' | 'rows_by_stage' | 'search' | 'calibration'>>
    : null;
  const reportHtml = input.report_key ? await text(input.report_key) : null;
  const artifacts = await deps.db.selectFrom('artifacts').select(['id', 'type', 'filename', 'size'])
    .where('run_id', '=', input.run_id).orderBy('created_at').execute();
  return {
    run_id: input.run_id, status: input.status,
    dataset: { rows: input.rows ?? 0, cols: input.cols ?? 0 },
    eda: eda ? { summary: eda.dataset, alerts: reconcileLeakAlerts(eda.alerts, modeling) } : null,
    modeling: modeling && input.model_id ? {
      task: modeling.task, target: modeling.target, metric: modeling.metric,
      leaderboard: modeling.leaderboard.map((e) => ({ model: e.model, cv_mean: e.cv_mean, cv_std: e.cv_std, ...(e.members ? { members: e.members } : {}) })), best_model_id: input.model_id,
      // Models v2: the search's trial log (model, params, cv_mean, seconds), its bounds, and the rows each stage used.
      ...(modeling.trials ? { trials: modeling.trials.map((t) => ({ model: t.model, params: t.params, cv_mean: t.cv_mean, seconds: t.seconds })) } : {}),
      ...(modeling.search ? { search: modeling.search } : {}),
      ...(modeling.rows_used !== undefined ? { rows_used: modeling.rows_used } : {}),
      ...(modeling.rows_by_stage ? { rows_by_stage: modeling.rows_by_stage } : {}),
      ...(modeling.features ? { features: modeling.features } : {}),
      ...(modeling.validation ? { validation: modeling.validation, test_score: modeling.test_score ?? null } : {}),
      ...(modeling.calibration !== undefined ? { calibration: modeling.calibration } : {}),
    } : null,
    report_html: reportHtml, report_id: input.report_id, timings: input.timings,
    warnings: [...new Set([...input.warnings, ...(modeling?.warnings ?? [])])], error: input.error,
    artifacts: artifacts.map((a) => ({ ...a, size: Number(a.size) })),
  };
}
