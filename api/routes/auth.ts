import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import { currentUser, hashPassword, verifyPassword } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { parse, type RouteRegistry } from '../route-registry.js';
import { iso } from '../scope.js';
import { LoginBody, RegisterBody, TokenOut, UserOut } from '../schemas.js';
import { Throttle } from '../throttle.js';

type UserRow = { id: string; name: string; email: string; role: 'user' | 'admin'; created_at: Date };
export const userOut = (u: UserRow) => ({ id: u.id, name: u.name, email: u.email, role: u.role, created_at: iso(u.created_at)! });

// Credentials are a few hundred bytes; anything bigger is refused before it is read.
const AUTH_BODY_KB = 16;

export function authRoutes(r: RouteRegistry, router: Router, deps: AppDeps, authed: Router) {
  const env = deps.env;
  const throttle = new Throttle(deps.db, env.AUTH_WINDOW_S);
  const tokenFor = async (u: UserRow) => ({ access_token: await deps.tokens.issue({ id: u.id, role: u.role }), token_type: 'bearer' as const, user: userOut(u) });
  // An unknown email is checked against this hash, so it costs the same time as a wrong password.
  const decoy = hashPassword(randomUUID());
  decoy.catch(() => {}); // awaited where used; a failure there answers 500 like any other

  r.add(router, { method: 'post', path: '/auth/register', operationId: 'registerUser', summary: 'Create an account', tag: 'auth', auth: false, body: RegisterBody, response: TokenOut, status: 201, maxBodyKb: AUTH_BODY_KB },
    async (ctx) => {
      await throttle.hit(`ip:${ctx.ip}`, env.AUTH_MAX_PER_IP);
      const body = parse(RegisterBody, ctx.request.body);
      // Hashed before looking the email up, so a taken email answers no faster than a new one.
      const passwordHash = await hashPassword(body.password);
      // Registering never makes an admin: admins are made by `npm run admin:create`, run by someone with the database.
      const user = await deps.db.insertInto('users').values({ id: randomUUID(), name: body.name, email: body.email, password_hash: passwordHash, role: 'user' })
        .onConflict((oc) => oc.column('email').doNothing()).returning(['id', 'name', 'email', 'role', 'created_at']).executeTakeFirst();
      if (!user) throw new ApiError('CONFLICT', 'This email cannot be registered. If you have an account, log in instead.');
      ctx.status = 201;
      ctx.body = await tokenFor(user as UserRow);
    });

  r.add(router, { method: 'post', path: '/auth/login', operationId: 'loginUser', summary: 'Log in', tag: 'auth', auth: false, body: LoginBody, response: TokenOut, maxBodyKb: AUTH_BODY_KB },
    async (ctx) => {
      await throttle.hit(`ip:${ctx.ip}`, env.AUTH_MAX_PER_IP);
      const body = parse(LoginBody, ctx.request.body);
      // Keyed by the email as typed, whether or not such an account exists: the 429 reveals nothing either.
      const account = `login:${body.email}`;
      await throttle.check(account, env.LOGIN_MAX_FAILURES);
      const user = await deps.db.selectFrom('users').selectAll().where('email', '=', body.email).executeTakeFirst();
      const ok = await verifyPassword(user?.password_hash ?? await decoy, body.password);
      if (!user || !ok) {
        await throttle.count(account);
        throw new ApiError('UNAUTHORIZED', 'Wrong email or password.');
      }
      await throttle.clear(account);
      ctx.body = await tokenFor(user as UserRow);
    });

  r.add(authed, { method: 'get', path: '/auth/me', operationId: 'getCurrentUser', summary: 'The current user', tag: 'auth', auth: true, response: UserOut },
    async (ctx) => {
      const user = await deps.db.selectFrom('users').selectAll().where('id', '=', currentUser(ctx).id).executeTakeFirstOrThrow();
      ctx.body = userOut(user as UserRow);
    });
}
