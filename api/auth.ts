import { hash, verify } from '@node-rs/argon2';
import { jwtVerify, SignJWT } from 'jose';
import type { Context, Next } from 'koa';
import { ApiError } from './errors.js';
import { singleFlightCache } from './single-flight-cache.js';

export interface AuthUser { id: string; role: 'user' | 'admin' }

/** Hashes a password with argon2id (the library's default algorithm). */
export const hashPassword = (password: string) => hash(password);
export const verifyPassword = (stored: string, password: string) => verify(stored, password).catch(() => false);

/** Tokens verified recently, so a client polling every few hundred milliseconds costs one HMAC, not one per request. */
const VERIFIED_MAX = 10_000;

/** Issues and checks bearer tokens (HS256 JWT). */
export function tokenService(secret: string, ttlS: number) {
  const key = new TextEncoder().encode(secret);
  const verified = new Map<string, { user: AuthUser; exp: number }>();
  return {
    async issue(user: AuthUser): Promise<string> {
      return new SignJWT({ role: user.role }).setProtectedHeader({ alg: 'HS256' }).setSubject(user.id)
        .setIssuedAt().setExpirationTime(`${ttlS}s`).setIssuer('assay').sign(key);
    },
    async check(token: string): Promise<AuthUser | null> {
      const known = verified.get(token);
      if (known && known.exp > Date.now() / 1000) return known.user;
      verified.delete(token);
      try {
        const { payload } = await jwtVerify(token, key, { issuer: 'assay', algorithms: ['HS256'], requiredClaims: ['exp', 'iat', 'sub'] });
        if (!payload.sub) return null;
        const user: AuthUser = { id: payload.sub, role: payload.role === 'admin' ? 'admin' : 'user' };
        verified.set(token, { user, exp: payload.exp! });
        if (verified.size > VERIFIED_MAX) verified.delete(verified.keys().next().value!); // oldest first
        return user;
      } catch {
        return null;
      }
    },
  };
}
export type TokenService = ReturnType<typeof tokenService>;

/** How long a user's existence and role are taken as known before the database is asked again. */
const USER_TTL_MS = 2000;

/**
 * Requires a valid bearer token whose user still exists; puts it on `ctx.state.user`. The user's row is
 * looked up at most every `USER_TTL_MS` per user (a deleted or demoted user loses access within that).
 */
export function requireAuth(tokens: TokenService, userExists: (id: string) => Promise<{ role: 'user' | 'admin' } | undefined>) {
  const users = singleFlightCache(userExists, { ttlMs: USER_TTL_MS, maxEntries: 10_000 });
  return async (ctx: Context, next: Next) => {
    const header = ctx.get('authorization');
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) throw new ApiError('UNAUTHORIZED', 'Missing bearer token: send Authorization: Bearer <token>.');
    const user = await tokens.check(m[1].trim());
    const row = user ? await users.get(user.id) : undefined;
    if (!user || !row) throw new ApiError('UNAUTHORIZED', 'The token is invalid or expired; log in again.');
    ctx.state.user = { id: user.id, role: row.role } satisfies AuthUser;
    await next();
  };
}

export const currentUser = (ctx: Context): AuthUser => ctx.state.user as AuthUser;

export function requireAdmin(ctx: Context): void {
  if (currentUser(ctx).role !== 'admin') throw new ApiError('FORBIDDEN', 'This route is for admins.');
}
