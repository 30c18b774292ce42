import { PassThrough } from 'node:stream';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { Db } from '../db/connect.js';
import type { Run } from '../db/schema.js';
import { TERMINAL_STATUSES, type RunStatus } from '../workflows/definitions.js';
import type { StatusCore } from './run-status.js';
import { iso } from './scope.js';

/** Where one event stream's frames go (the route wraps its response stream in this). */
export interface RunEventSink { write(frame: string): void; end(): void }

/** A run's log line as the hub reads it. */
export interface RunLogRow { id: number; at: Date | string; level: string; message: string }

/** What the hub reads each second: the seam a test replaces with plain functions. */
export interface RunEventReads {
  run(runId: string): Promise<Run | undefined>;
  /** Log lines with `after < id <= upTo` (no upper bound when `upTo` is omitted), oldest first. */
  logs(runId: string, after: number, upTo?: number): Promise<RunLogRow[]>;
  status(run: Run): Promise<StatusCore>;
}

/** One poll loop per watched run, shared by every stream of that run. */
export interface RunEventHub {
  /**
   * Streams the run's events to `sink`: log lines after `afterLogId` (a client's Last-Event-ID), the current
   * status, then whatever changes, until the run ends (then `sink.end()`).
   * @returns the unsubscribe function; call it when the client leaves
   */
  subscribe(runId: string, sink: RunEventSink, opts?: { afterLogId?: number }): () => void;
  /** Runs with a poll loop right now. */
  readonly watching: number;
  /** Stops every loop and ends every stream. */
  close(): void;
}

export interface RunEventHubOptions {
  reads: RunEventReads;
  logger: Pick<Logger, 'error'>;
  /** Time between polls of one run. */
  intervalMs?: number;
  /** A comment line after this much quiet keeps proxies from closing a stream that waits hours for an answer. */
  keepAliveMs: number;
}

/**
 * One server-sent event. Ids only grow within a stream: a log line carries its database id, a status
 * `<last log id>.<status number>`, so a client's Last-Event-ID tells which log lines it already has.
 */
export const sseFrame = (id: string | number, event: string, data: string) => `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;

/** The log cursor in a Last-Event-ID header (`57` or `57.3`); 0 when absent or not ours. */
export function logIdFromLastEventId(header: string | undefined): number {
  const n = Number.parseInt(header ?? '', 10);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/** The hub's reads from the database and the shared live status. */
export function runEventReads(db: Db, status: (run: Run) => Promise<StatusCore>): RunEventReads {
  return {
    run: (runId) => db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst(),
    logs: async (runId, after, upTo) => {
      let q = db.selectFrom('logs').select(['id', 'at', 'level', 'message']).where('run_id', '=', runId).where('id', '>', after);
      if (upTo !== undefined) q = q.where('id', '<=', upTo);
      return (await q.orderBy('id').execute()).map((l) => ({ ...l, id: Number(l.id) }));
    },
    status,
  };
}

interface Subscriber { sink: RunEventSink; after: number; gone: boolean }

interface Watch {
  runId: string;
  subscribers: Set<Subscriber>;
  /** Subscribed but not yet sent their backlog; they join `subscribers` between polls, so no event is missed or doubled. */
  joining: Subscriber[];
  cursor: number;
  statusCount: number;
  statusData: string | null;
  lastWrite: number;
  stopped: boolean;
  wake: (() => void) | null;
}

const logFrame = (l: RunLogRow) => sseFrame(l.id, 'log', JSON.stringify({ at: iso(l.at), level: l.level, message: l.message }));

/**
 * Builds the hub: the first subscriber of a run starts its poll loop (run row, new log lines and live status,
 * once per `intervalMs`), every later one shares it, and the loop stops when the last leaves or the run ends.
 * @example const hub = runEventHub({ reads: runEventReads(db, (run) => liveRunStatus(deps, run)), logger, keepAliveMs: 15_000 });
 */
export function runEventHub(opts: RunEventHubOptions): RunEventHub {
  const intervalMs = opts.intervalMs ?? 1000;
  const watches = new Map<string, Watch>();
  let closed = false;

  const stop = (w: Watch) => {
    w.stopped = true;
    if (watches.get(w.runId) === w) watches.delete(w.runId);
    w.wake?.();
  };

  const finish = (w: Watch) => {
    stop(w);
    const all = [...w.subscribers, ...w.joining];
    w.subscribers.clear();
    w.joining = [];
    for (const s of all) if (!s.gone) { s.gone = true; s.sink.end(); }
  };

  const broadcast = (w: Watch, frames: { logId: number; frame: string }[]) => {
    if (!frames.length) return;
    const all = frames.map((f) => f.frame).join('');
    for (const s of w.subscribers) {
      // Formatted once per run; only a subscriber who resumed past some of these lines gets a filtered copy.
      s.sink.write(s.after < frames[0].logId ? all : frames.filter((f) => f.logId > s.after).map((f) => f.frame).join(''));
    }
    w.lastWrite = Date.now();
  };

  /** Sends the joiners the log lines they have not seen up to the cursor, and the current status. */
  const admit = async (w: Watch) => {
    const batch = [...w.joining];
    const upTo = w.cursor;
    const status = w.statusData === null ? '' : sseFrame(`${upTo}.${w.statusCount}`, 'status', w.statusData);
    const afters = [...new Set(batch.map((s) => s.after))].filter((a) => a < upTo);
    const backlogs = new Map(await Promise.all(afters.map(async (a) => [a, (await opts.reads.logs(w.runId, a, upTo)).map(logFrame).join('')] as const)));
    for (const s of batch) {
      w.joining.splice(w.joining.indexOf(s), 1);
      if (s.gone) continue;
      const text = (backlogs.get(s.after) ?? '') + status;
      if (text) s.sink.write(text);
      w.subscribers.add(s);
    }
  };

  /** One poll: new log lines, then the status if it changed. True when the run has ended (or is gone). */
  const poll = async (w: Watch): Promise<boolean> => {
    const run = await opts.reads.run(w.runId);
    if (!run) return true;
    const frames = (await opts.reads.logs(w.runId, w.cursor)).map((l) => ({ logId: l.id, frame: logFrame(l) }));
    if (frames.length) w.cursor = frames.at(-1)!.logId;
    const data = JSON.stringify(await opts.reads.status(run));
    if (data !== w.statusData) {
      w.statusData = data;
      w.statusCount += 1;
      frames.push({ logId: Number.POSITIVE_INFINITY, frame: sseFrame(`${w.cursor}.${w.statusCount}`, 'status', data) });
    }
    broadcast(w, frames);
    return TERMINAL_STATUSES.includes(run.status as RunStatus);
  };

  const sleep = (w: Watch, ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(() => { w.wake = null; resolve(); }, Math.max(0, ms));
    w.wake = () => { clearTimeout(timer); w.wake = null; resolve(); };
  });

  const loop = async (w: Watch) => {
    let nextPoll = 0;
    try {
      while (!w.stopped) {
        if (w.joining.length) await admit(w);
        if (w.stopped) break;
        if (Date.now() >= nextPoll) {
          nextPoll = Date.now() + intervalMs;
          if (await poll(w)) {
            if (w.joining.length) await admit(w);
            finish(w);
            return;
          }
          if (Date.now() - w.lastWrite >= opts.keepAliveMs) broadcast(w, [{ logId: Number.POSITIVE_INFINITY, frame: ': keep-alive\n\n' }]);
        }
        if (!w.stopped && !w.joining.length) await sleep(w, nextPoll - Date.now());
      }
    } catch (err) {
      opts.logger.error({ err, run_id: w.runId }, 'run event stream failed');
      finish(w); // clients reconnect with Last-Event-ID and miss nothing
    }
  };

  return {
    subscribe(runId, sink, o = {}) {
      const sub: Subscriber = { sink, after: Math.max(0, o.afterLogId ?? 0), gone: false };
      if (closed) { sink.end(); return () => undefined; }
      let w = watches.get(runId);
      if (!w) {
        w = { runId, subscribers: new Set(), joining: [], cursor: sub.after, statusCount: 0, statusData: null, lastWrite: Date.now(), stopped: false, wake: null };
        watches.set(runId, w);
        void loop(w);
      }
      const watch = w;
      watch.joining.push(sub);
      watch.wake?.();
      return () => {
        if (sub.gone) return;
        sub.gone = true;
        watch.subscribers.delete(sub);
        // Still in `joining` while its backlog is read; admit() drops it there.
        if (!watch.subscribers.size && watch.joining.every((s) => s.gone)) stop(watch);
      };
    },
    get watching() { return watches.size; },
    close() {
      closed = true;
      for (const w of [...watches.values()]) finish(w);
    },
  };
}

/**
 * Turns a Koa response into an open server-sent-event stream (no socket timeout, no proxy buffering) and returns
 * the sink that writes frames to it; run and pipeline event routes both answer through it.
 */
export function openEventStream(ctx: Context): { write: (frame: string) => void; end: () => void } {
  const stream = new PassThrough();
  ctx.req.socket.setTimeout(0);
  ctx.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  ctx.status = 200;
  ctx.body = stream;
  return { write: (frame) => { stream.write(frame); }, end: () => { stream.end(); } };
}
