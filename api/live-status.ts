import type { JobState } from '../workflows/definitions.js';
import { withTemporalDeadline, type AppDeps } from './deps.js';
import { fractionFromHeartbeat, queryState } from './run-status.js';
import { singleFlightCache } from './single-flight-cache.js';

/** What Temporal says about a running workflow: its `status` query and its running activity's last heartbeat. */
export interface LiveStatus {
  /** The query's answer, or null when no worker could answer in time. */
  state: JobState | null;
  /** The running activity's last heartbeat: when, and how far through its stage it said it was. */
  heartbeat: { at: string; fraction: number | null } | null;
}

/** Where status readers get a run's live state; many readers of one run cost one Temporal round trip. */
export interface LiveStatusSource {
  get(workflowId: string): Promise<LiveStatus>;
  /** Drops what is held for a workflow (after an update changed it), so the next reader asks Temporal. */
  forget(workflowId: string): void;
  /** Workflows with an entry held (for tests and metrics). */
  readonly size: number;
  close(): void;
}

/**
 * Defaults: an answer is reused for half a second; for two more seconds it is still served while one
 * background refresh runs (a busy worker can take that long to answer a query); at most 10,000 runs held.
 */
export const LIVE_STATUS_TTL_MS = 500;
export const LIVE_STATUS_STALE_MS = 2000;
export const LIVE_STATUS_MAX_ENTRIES = 10_000;

/**
 * One query plus one describe of the workflow, side by side. Never throws: an unreachable cluster gives
 * `state: null` and no heartbeat, and the read model answers instead.
 */
export async function fetchLiveStatus(deps: Pick<AppDeps, 'temporal'>, workflowId: string): Promise<LiveStatus> {
  const handle = deps.temporal.workflow.getHandle(workflowId);
  const [state, heartbeat] = await Promise.all([
    queryState(deps, handle),
    withTemporalDeadline(deps, () => handle.describe(), 3000).then((desc) => {
      const running = desc.raw.pendingActivities?.find((a) => a.lastHeartbeatTime);
      const t = running?.lastHeartbeatTime;
      if (!t) return null;
      return { at: new Date(Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString(), fraction: fractionFromHeartbeat(running.heartbeatDetails) };
    }, () => null), // Temporal unreachable: the read model is still a truthful, if older, answer
  ]);
  return { state, heartbeat };
}

/**
 * The API process's live-status source: concurrent requests for one run share one query+describe, the
 * answer is reused for `ttlMs`, and past that served while it is refreshed, for up to `staleMs` more.
 * @example const live = liveStatusSource({ temporal }); const { state } = await live.get('run-42');
 */
export function liveStatusSource(deps: Pick<AppDeps, 'temporal'>, opts: { ttlMs?: number; staleMs?: number; maxEntries?: number } = {}): LiveStatusSource {
  const cache = singleFlightCache((workflowId: string) => fetchLiveStatus(deps, workflowId), {
    ttlMs: opts.ttlMs ?? LIVE_STATUS_TTL_MS, staleMs: opts.staleMs ?? LIVE_STATUS_STALE_MS, maxEntries: opts.maxEntries ?? LIVE_STATUS_MAX_ENTRIES,
  });
  return { get: (id) => cache.get(id), forget: (id) => cache.delete(id), get size() { return cache.size; }, close: () => cache.clear() };
}
