import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import { currentUser, hashPassword, verifyPassword } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { parse, type RouteRegistry } from '../route-registry.js';
import { iso } from '../scope.js';
import { LoginBody, RegisterBody, TokenOut, UserOut } from '../schemas.js';

type UserRow = { id: string; name: string; email: string; role: 'user' | 'admin'; created_at: Date };
export const userOut = (u: UserRow) => ({ id: u.id, name: u.name, email: u.email, role: u.role, created_at: iso(u.created_at)! });

export function authRoutes(r: RouteRegistry, router: Router, deps: AppDeps, authed: Router) {
  const admins = new Set(deps.env.ADMIN_EMAILS.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean));
  const tokenFor = async (u: UserRow) => ({ access_token: await deps.tokens.issue({ id: u.id, role: u.role }), token_type: 'bearer' as const, user: userOut(u) });

  r.add(router, { method: 'post', path: '/auth/register', summary: 'Create an account', tag: 'auth', auth: false, body: RegisterBody, response: TokenOut, status: 201 },
    async (ctx) => {
      const body = parse(RegisterBody, ctx.request.body);
      const exists = await deps.db.selectFrom('users').select('id').where('email', '=', body.email).executeTakeFirst();
      if (exists) throw new ApiError('CONFLICT', `An account with email ${body.email} already exists.`);
      const user = await deps.db.insertInto('users').values({
        id: randomUUID(), name: body.name, email: body.email, password_hash: await hashPassword(body.password),
        role: admins.has(body.email) ? 'admin' : 'user',
      }).onConflict((oc) => oc.column('email').doNothing()).returning(['id', 'name', 'email', 'role', 'created_at']).executeTakeFirst();
      if (!user) throw new ApiError('CONFLICT', `An account with email ${body.email} already exists.`);
      ctx.status = 201;
      ctx.body = await tokenFor(user as UserRow);
    });

  r.add(router, { method: 'post', path: '/auth/login', summary: 'Log in', tag: 'auth', auth: false, body: LoginBody, response: TokenOut },
    async (ctx) => {
      const body = parse(LoginBody, ctx.request.body);
      const user = await deps.db.selectFrom('users').selectAll().where('email', '=', body.email).executeTakeFirst();
      if (!user || !(await verifyPassword(user.password_hash, body.password))) throw new ApiError('UNAUTHORIZED', 'Wrong email or password.');
      ctx.body = await tokenFor(user as UserRow);
    });

  r.add(authed, { method: 'get', path: '/auth/me', summary: 'The current user', tag: 'auth', auth: true, response: UserOut },
    async (ctx) => {
      const user = await deps.db.selectFrom('users').selectAll().where('id', '=', currentUser(ctx).id).executeTakeFirstOrThrow();
      ctx.body = userOut(user as UserRow);
    });
}
