import type { ActivityDeps } from './deps.js';
import { runLog } from './run-records.js';
import { cleanText } from '../db/text.js';

export interface RunStateInput { run_id: string; status: string; stage: string; error?: string | null; message?: string }

/** Mirrors the workflow's status into the read model (runs row) and the run's log. */
export function recordRunStateActivity(deps: ActivityDeps) {
  return async function recordRunState(input: RunStateInput): Promise<void> {
    await deps.db.updateTable('runs')
      .set({ status: input.status, stage: input.stage, error: input.error == null ? null : cleanText(input.error), updated_at: new Date() })
      .where('id', '=', input.run_id).execute();
    if (input.message) await runLog(deps, input.run_id, input.status === 'needs_attention' ? 'warn' : 'info', input.message);
  };
}
