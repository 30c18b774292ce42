import { Context } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { buildResult, type RunEnding } from './result-json.js';
import { oofPrefix } from './oof-store.js';
import { putArtifact, runLog } from './run-records.js';
import { cleanText } from '../db/text.js';

export type { StageTiming } from './result-json.js';
export type FinalizeInput = RunEnding;
export interface FinalizeSummary { result_key: string; attempt: number }

/**
 * Writes result.json and the run's final row. Runs for every ending (completed, failed, cancelled), so
 * whatever artifacts earlier stages left are listed in the result.
 */
export function finalizeActivity(deps: ActivityDeps) {
  return async function finalize(input: FinalizeInput): Promise<FinalizeSummary> {
    // A train stage that failed or was cancelled leaves its out-of-fold predictions behind; no attempt follows now.
    await deps.storage.deletePrefix(oofPrefix(input.run_id));
    const result = await buildResult(deps, input);
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
