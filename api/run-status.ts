import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { Run } from '../db/schema.js';
import { STAGE_PROGRESS, STAGES, statusQuery, TERMINAL_STATUSES, type JobState, type RunStatus, type Stage } from '../workflows/definitions.js';
import { withTemporalDeadline, type AppDeps } from './deps.js';
import { iso } from './scope.js';

export interface StatusBody {
  run_id: string; workflow_id: string; status: RunStatus; stage: Stage; progress: number; heartbeat_at: string | null;
  question: JobState['question']; error: string | null; logs: { at: string; level: string; message: string }[];
}

const isTerminal = (s: string) => TERMINAL_STATUSES.includes(s as RunStatus);

/**
 * How far the running stage has got, from its last heartbeat: columns profiled of all, or folds
 * fitted of all, or charts rendered of all. Null when the stage does not report a fraction.
 */
export function fractionFromHeartbeat(details: temporal.api.common.v1.IPayloads | null | undefined): number | null {
  const payload = details?.payloads?.[0];
  if (!payload) return null;
  try {
    const d = defaultPayloadConverter.fromPayload<{ columns_done?: number; columns_total?: number; folds?: unknown[]; done?: number; total?: number }>(payload as never);
    if (d?.columns_total) return Math.min(1, (d.columns_done ?? 0) / d.columns_total);
    if (d?.total && Array.isArray(d.folds)) return Math.min(1, d.folds.length / d.total);
    if (d?.total && typeof d.done === 'number') return Math.min(1, d.done / d.total);
  } catch {
    // Details of another shape: no fraction, not an error.
  }
  return null;
}

/** Overall percent: the stage's start, plus its share of the way to the next stage. */
export function overallProgress(stage: Stage, fraction: number | null): number {
  const start = STAGE_PROGRESS[stage];
  const next = STAGES.slice(STAGES.indexOf(stage) + 1).map((s) => STAGE_PROGRESS[s]).find((p) => p > start) ?? 100;
  return Math.round(start + (fraction ?? 0) * (next - start));
}

/** The workflow's live state from its `status` query, or null when the worker cannot answer right now. */
export async function queryState(deps: Pick<AppDeps, 'temporal'>, handle: WorkflowHandle): Promise<JobState | null> {
  try {
    return await withTemporalDeadline(deps, () => handle.query(statusQuery), 3000);
  } catch {
    return null;
  }
}

/** A status without its log lines: what the event stream sends as `event: status`. */
export type StatusCore = Omit<StatusBody, 'logs'>;

/**
 * A run's status without logs: from the read model once it has ended, else live from the shared
 * live-status source (workflow query plus the running activity's last heartbeat).
 */
export async function liveRunStatus(deps: Pick<AppDeps, 'liveStatus'>, run: Run): Promise<StatusCore> {
  const base: StatusCore = {
    run_id: run.id, workflow_id: run.workflow_id, status: run.status as RunStatus, stage: run.stage as Stage,
    progress: run.status === 'completed' ? 100 : 0, heartbeat_at: null, question: null, error: run.error,
  };
  if (isTerminal(run.status)) return base;
  const { state, heartbeat } = await deps.liveStatus.get(run.workflow_id);
  if (state) {
    Object.assign(base, { status: state.status, stage: state.stage, progress: state.progress, question: state.question, error: state.error });
  }
  if (heartbeat) {
    base.heartbeat_at = heartbeat.at;
    if (state?.status === 'running') base.progress = Math.max(base.progress, overallProgress(base.stage, heartbeat.fraction));
  }
  return base;
}

/**
 * A run's status with its last `logLimit` log lines: live while it runs (see `liveRunStatus`), from the
 * read model once it has ended.
 */
export async function runStatus(deps: Pick<AppDeps, 'db' | 'liveStatus'>, run: Run, logLimit = 50): Promise<StatusBody> {
  const [rows, status] = await Promise.all([
    logLimit > 0
      ? deps.db.selectFrom('logs').select(['at', 'level', 'message']).where('run_id', '=', run.id).orderBy('id', 'desc').limit(logLimit).execute()
      : Promise.resolve([]),
    liveRunStatus(deps, run),
  ]);
  const logs = rows.reverse().map((l) => ({ at: iso(l.at)!, level: l.level, message: l.message }));
  return { ...status, logs };
}
