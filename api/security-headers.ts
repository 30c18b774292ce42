import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Context, Next } from 'koa';

/** What an answer may load when its route says nothing: nothing at all, and no one may frame it. */
const DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Headers every answer carries: no MIME sniffing, no framing, no referrer, a locked-down CSP unless the
 * route set its own (the web pages and reports do).
 */
export function securityHeaders() {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } finally {
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('Referrer-Policy', 'no-referrer');
      ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
      ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
      if (!ctx.response.get('X-Frame-Options')) ctx.set('X-Frame-Options', 'DENY');
      if (!ctx.response.get('Content-Security-Policy')) ctx.set('Content-Security-Policy', DEFAULT_CSP);
    }
  };
}

/**
 * CORS, off unless `origins` lists some (`*` for any): browsers then may call the API from those origins
 * with a bearer token. No cookies are used, so credentials are never allowed.
 */
export function cors(origins: string[]) {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return async (ctx: Context, next: Next) => {
    const origin = ctx.get('origin');
    if (!origin || !(any || allowed.has(origin))) return next();
    ctx.vary('Origin');
    ctx.set('Access-Control-Allow-Origin', any ? '*' : origin);
    ctx.set('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After, Location');
    if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
      ctx.set('Access-Control-Allow-Methods', 'GET, POST, DELETE');
      ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, Idempotency-Key');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    return next();
  };
}

/**
 * A static HTML page of ours with a CSP that allows exactly its own inline scripts (by hash) and
 * requests to this origin. Read once, at start-up.
 */
export function staticPage(url: URL): { body: Buffer; csp: string } {
  const body = fs.readFileSync(url);
  const hashes = [...body.toString('utf8').matchAll(/<script>([\s\S]*?)<\/script>/g)]
    .map((m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
  const csp = `default-src 'none'; script-src ${hashes.join(' ') || "'none'"}; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; `
    + "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  return { body, csp };
}
