import type { ExpressionBuilder } from 'kysely';
import type { Context } from 'koa';
import { currentUser } from './auth.js';
import { ApiError } from './errors.js';

/** ISO string of a timestamp column (PGlite and pg both give Dates). */
export const iso = (d: Date | string | null | undefined): string | null => (d == null ? null : new Date(d).toISOString());

/**
 * Whose rows the caller may read: their own, or everyone's for admins.
 * Writes always pass `write: true`, which scopes admins to their own rows too.
 */
export function readerScope(ctx: Context, opts: { write?: boolean } = {}): string | null {
  const user = currentUser(ctx);
  return user.role === 'admin' && !opts.write ? null : user.id;
}

/** Keyset cursors over (created_at, id), newest first. */
export function encodeCursor(createdAt: Date | string, id: string): string {
  return Buffer.from(JSON.stringify([new Date(createdAt).toISOString(), id])).toString('base64url');
}
export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const createdAt = new Date(at);
    if (Number.isNaN(createdAt.getTime()) || typeof id !== 'string') throw new Error('bad');
    return { createdAt, id };
  } catch {
    throw new ApiError('VALIDATION_ERROR', 'cursor: not a cursor this API returned');
  }
}

/** Rows strictly after the cursor in (created_at desc, id desc) order; use as `.where(afterCursor(c))`. */
export const afterCursor = (c: { createdAt: Date; id: string }) =>
  // Loosely typed on purpose: it serves every table with created_at and id.
  (eb: ExpressionBuilder<any, any>) => eb.or([eb('created_at', '<', c.createdAt), eb.and([eb('created_at', '=', c.createdAt), eb('id', '<', c.id)])]);

/**
 * One page from rows fetched with `limit + 1`: the extra row only says there is a next page.
 * @example ctx.body = pageOf(await q.limit(limit + 1).execute(), limit, toOut);
 */
export function pageOf<R extends { created_at: Date; id: string }, O>(rows: R[], limit: number, out: (r: R) => O) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(out), next_cursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null };
}
