import { hash, verify } from '@node-rs/argon2';
import { jwtVerify, SignJWT } from 'jose';
import type { Context, Next } from 'koa';
import { ApiError } from './errors.js';

export interface AuthUser { id: string; role: 'user' | 'admin' }

/** Hashes a password with argon2id (the library's default algorithm). */
export const hashPassword = (password: string) => hash(password);
export const verifyPassword = (stored: string, password: string) => verify(stored, password).catch(() => false);

/** Issues and checks bearer tokens (HS256 JWT). */
export function tokenService(secret: string, ttlS: number) {
  const key = new TextEncoder().encode(secret);
  return {
    async issue(user: AuthUser): Promise<string> {
      return new SignJWT({ role: user.role }).setProtectedHeader({ alg: 'HS256' }).setSubject(user.id)
        .setIssuedAt().setExpirationTime(`${ttlS}s`).setIssuer('assay').sign(key);
    },
    async check(token: string): Promise<AuthUser | null> {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: 'assay', algorithms: ['HS256'], requiredClaims: ['exp', 'iat', 'sub'] });
        return payload.sub ? { id: payload.sub, role: payload.role === 'admin' ? 'admin' : 'user' } : null;
      } catch {
        return null;
      }
    },
  };
}
export type TokenService = ReturnType<typeof tokenService>;

/** Requires a valid bearer token whose user still exists; puts it on `ctx.state.user`. */
export function requireAuth(tokens: TokenService, userExists: (id: string) => Promise<{ role: 'user' | 'admin' } | undefined>) {
  return async (ctx: Context, next: Next) => {
    const header = ctx.get('authorization');
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) throw new ApiError('UNAUTHORIZED', 'Missing bearer token: send Authorization: Bearer <token>.');
    const user = await tokens.check(m[1].trim());
    const row = user ? await userExists(user.id) : undefined;
    if (!user || !row) throw new ApiError('UNAUTHORIZED', 'The token is invalid or expired; log in again.');
    ctx.state.user = { id: user.id, role: row.role } satisfies AuthUser;
    await next();
  };
}

export const currentUser = (ctx: Context): AuthUser => ctx.state.user as AuthUser;

export function requireAdmin(ctx: Context): void {
  if (currentUser(ctx).role !== 'admin') throw new ApiError('FORBIDDEN', 'This route is for admins.');
}
