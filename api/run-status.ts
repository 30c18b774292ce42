import type { WorkflowHandle } from '@temporalio/client';
import type { Run } from '../db/schema.js';
import { statusQuery, TERMINAL_STATUSES, type JobState, type RunStatus, type Stage } from '../workflows/definitions.js';
import type { AppDeps } from './deps.js';
import { iso } from './scope.js';

export interface StatusBody {
  run_id: string; workflow_id: string; status: RunStatus; stage: Stage; progress: number; heartbeat_at: string | null;
  question: JobState['question']; error: string | null; logs: { at: string; level: string; message: string }[];
}

const isTerminal = (s: string) => TERMINAL_STATUSES.includes(s as RunStatus);

/** The workflow's live state from its `status` query, or null when the worker cannot answer right now. */
export async function queryState(handle: WorkflowHandle): Promise<JobState | null> {
  try {
    return await handle.query(statusQuery);
  } catch {
    return null;
  }
}

/**
 * A run's status: live from the workflow query while it runs (plus the running activity's last heartbeat),
 * from the read model once it has ended.
 */
export async function runStatus(deps: AppDeps, run: Run, logLimit = 50): Promise<StatusBody> {
  const logs = (await deps.db.selectFrom('logs').select(['at', 'level', 'message']).where('run_id', '=', run.id)
    .orderBy('id', 'desc').limit(logLimit).execute()).reverse().map((l) => ({ at: iso(l.at)!, level: l.level, message: l.message }));
  const base: StatusBody = {
    run_id: run.id, workflow_id: run.workflow_id, status: run.status as RunStatus, stage: run.stage as Stage,
    progress: run.status === 'completed' ? 100 : 0, heartbeat_at: null, question: null, error: run.error, logs,
  };
  if (isTerminal(run.status)) return base;
  const handle = deps.temporal.workflow.getHandle(run.workflow_id);
  const state = await queryState(handle);
  if (state) {
    Object.assign(base, { status: state.status, stage: state.stage, progress: state.progress, question: state.question, error: state.error });
  }
  try {
    const desc = await handle.describe();
    const beats = desc.raw.pendingActivities?.map((a) => a.lastHeartbeatTime).filter(Boolean) ?? [];
    if (beats.length) {
      const t = beats[0]!;
      base.heartbeat_at = new Date(Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString();
    }
  } catch {
    // Temporal unreachable: the read model is still a truthful, if older, answer.
  }
  return base;
}
