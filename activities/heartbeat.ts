import { Context } from '@temporalio/activity';

/**
 * Awaits long work that cannot heartbeat itself (one DuckDB statement), heartbeating every `everyMs`
 * and giving up as soon as the activity is cancelled.
 */
export async function whileHeartbeating<T>(work: Promise<T>, details: () => unknown, everyMs = 2000): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat(details());
  const timer = setInterval(() => ctx.heartbeat(details()), everyMs);
  try {
    return await Promise.race([work, ctx.cancelled as Promise<never>]);
  } finally {
    clearInterval(timer);
  }
}

/** Heartbeats with details and throws if the activity has been cancelled meanwhile. */
export async function checkpoint(details: unknown): Promise<void> {
  const ctx = Context.current();
  ctx.heartbeat(details);
  // Yield so the SDK can deliver a pending cancellation before more work starts.
  await new Promise((r) => setImmediate(r));
  if (ctx.cancellationSignal.aborted) await ctx.cancelled;
}

/** The details of the last heartbeat of an earlier attempt, or undefined on a first attempt. */
export function resumeDetails<T>(): T | undefined {
  return Context.current().info.heartbeatDetails as T | undefined;
}
