import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
export interface TimelineEvent { at: string; kind: string; stage: string | null; attempt: number | null; detail: string | null }

const STAGE_ACTIVITIES = new Set(['ingest', 'profile', 'train', 'report', 'qa', 'finalize']);
const timeOf = (e: HistoryEvent) => new Date(Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6)).toISOString();
const failureText = (f: temporal.api.failure.v1.IFailure | null | undefined): string | null => {
  if (!f) return null;
  let cur: temporal.api.failure.v1.IFailure | null | undefined = f;
  const parts: string[] = [];
  while (cur) { if (cur.message) parts.push(cur.message); cur = cur.cause; }
  return parts.join(': ') || null;
};

/**
 * Derives the run's timeline from the workflow's event history: stage activities scheduled, started
 * (with attempt), completed, failed, timed out or cancelled; signals and accepted updates; the workflow's own ending.
 * Bookkeeping activities (read-model updates) are left out.
 */
export function timelineFromHistory(events: HistoryEvent[]): TimelineEvent[] {
  const activityOf = new Map<string, string>();
  const attemptOf = new Map<string, number>(); // scheduled event id → attempt that started
  const out: TimelineEvent[] = [];
  const push = (e: HistoryEvent, kind: string, stage: string | null, attempt: number | null = null, detail: string | null = null) =>
    out.push({ at: timeOf(e), kind, stage, attempt, detail });
  for (const e of events) {
    const id = String(e.eventId ?? '');
    if (e.workflowExecutionStartedEventAttributes) push(e, 'workflow_started', null, e.workflowExecutionStartedEventAttributes.attempt ?? 1);
    else if (e.activityTaskScheduledEventAttributes) {
      const name = e.activityTaskScheduledEventAttributes.activityType?.name ?? '';
      activityOf.set(id, name);
      if (STAGE_ACTIVITIES.has(name)) push(e, 'stage_scheduled', name);
    } else if (e.activityTaskStartedEventAttributes) {
      const a = e.activityTaskStartedEventAttributes;
      const name = activityOf.get(String(a.scheduledEventId)) ?? '';
      attemptOf.set(String(a.scheduledEventId), a.attempt ?? 1);
      if (STAGE_ACTIVITIES.has(name)) push(e, 'stage_started', name, a.attempt ?? 1, a.lastFailure ? `previous attempt: ${failureText(a.lastFailure)}` : null);
    } else if (e.activityTaskCompletedEventAttributes) {
      const id = String(e.activityTaskCompletedEventAttributes.scheduledEventId);
      const name = activityOf.get(id) ?? '';
      if (STAGE_ACTIVITIES.has(name)) push(e, 'stage_completed', name, attemptOf.get(id) ?? null);
    } else if (e.activityTaskFailedEventAttributes) {
      const id = String(e.activityTaskFailedEventAttributes.scheduledEventId);
      push(e, 'stage_failed', activityOf.get(id) || null, attemptOf.get(id) ?? null, failureText(e.activityTaskFailedEventAttributes.failure));
    } else if (e.activityTaskTimedOutEventAttributes) {
      const name = activityOf.get(String(e.activityTaskTimedOutEventAttributes.scheduledEventId)) ?? '';
      push(e, 'stage_timed_out', name || null, null, failureText(e.activityTaskTimedOutEventAttributes.failure));
    } else if (e.activityTaskCanceledEventAttributes) {
      const name = activityOf.get(String(e.activityTaskCanceledEventAttributes.scheduledEventId)) ?? '';
      push(e, 'stage_cancelled', name || null);
    } else if (e.workflowExecutionSignaledEventAttributes) {
      push(e, 'signal', null, null, e.workflowExecutionSignaledEventAttributes.signalName ?? null);
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      // Refused updates leave no event: only what the run acted on is on its timeline.
      push(e, 'update', null, null, e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name ?? null);
    } else if (e.workflowExecutionCancelRequestedEventAttributes) {
      push(e, 'cancel_requested', null, null, e.workflowExecutionCancelRequestedEventAttributes.cause || null);
    } else if (e.workflowExecutionCompletedEventAttributes) push(e, 'workflow_completed', null);
    else if (e.workflowExecutionFailedEventAttributes) push(e, 'workflow_failed', null, null, failureText(e.workflowExecutionFailedEventAttributes.failure));
    else if (e.workflowExecutionCanceledEventAttributes) push(e, 'workflow_cancelled', null);
    else if (e.workflowExecutionTimedOutEventAttributes) push(e, 'workflow_timed_out', null);
    else if (e.workflowExecutionTerminatedEventAttributes) push(e, 'workflow_terminated', null, null, e.workflowExecutionTerminatedEventAttributes.reason ?? null);
  }
  return out;
}
