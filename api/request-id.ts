import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';

// A proxy's id is kept when it is plainly an id, so one request can be followed across services' logs.
const SAFE_ID = /^[\w.-]{8,100}$/;

/** Gives every request an id (`X-Request-Id`, echoed back) that error bodies and log lines carry. */
export function requestId() {
  return async (ctx: Context, next: Next) => {
    const given = ctx.get('x-request-id');
    const id = SAFE_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}

export const requestIdOf = (ctx: Context): string => (ctx.state.requestId as string | undefined) ?? 'none';
