import type Router from '@koa/router';
import { sql } from 'kysely';
import { requireAdmin } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { parse, type RouteRegistry } from '../route-registry.js';
import { z } from 'zod';
import { AdminLogsQuery, Items, UserOut } from '../schemas.js';
import { iso } from '../scope.js';
import { userOut } from './auth.js';

// Declared so the typed client (and the web app's admin pages) get these bodies typed.
const AdminStatsOut = z.object({
  users: z.number().int(), datasets: z.number().int(), runs: z.number().int(),
  runs_by_status: z.record(z.string(), z.number().int()),
  /** Over the latest 200 finished runs' result.json timings. */
  mean_stage_duration_ms: z.record(z.string(), z.number()),
});
const AdminLogOut = z.object({ at: z.string(), level: z.string(), run_id: z.string().nullable(), user_id: z.string().nullable(), message: z.string() });

export function adminRoutes(r: RouteRegistry, router: Router, deps: AppDeps) {
  r.add(router, { method: 'get', path: '/admin/users', operationId: 'listUsers', summary: 'All users (admin)', tag: 'admin', auth: true, response: Items(UserOut) }, async (ctx) => {
    requireAdmin(ctx);
    const users = await deps.db.selectFrom('users').select(['id', 'name', 'email', 'role', 'created_at']).orderBy('created_at').execute();
    ctx.body = { items: users.map((u) => userOut(u as never)) };
  });

  r.add(router, { method: 'get', path: '/admin/stats', operationId: 'getAdminStats', summary: 'Counts and mean stage durations (admin)', tag: 'admin', auth: true, response: AdminStatsOut }, async (ctx) => {
    requireAdmin(ctx);
    const count = async (t: 'users' | 'datasets' | 'runs') =>
      Number((await deps.db.selectFrom(t).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
    const byStatus = await deps.db.selectFrom('runs').select(['status', sql<number>`count(*)`.as('n')]).groupBy('status').execute();
    // Mean stage durations come from finished runs' result.json timings (the history is the source; result keeps a copy).
    const finished = await deps.db.selectFrom('runs').select('result_key').where('result_key', 'is not', null).orderBy('finished_at', 'desc').limit(200).execute();
    const sums: Record<string, { total: number; n: number }> = {};
    for (const f of finished) {
      try {
        const result = JSON.parse((await deps.storage.get(f.result_key!)).toString('utf8')) as { timings?: Record<string, { duration_ms: number }> };
        for (const [stage, t] of Object.entries(result.timings ?? {})) { (sums[stage] ??= { total: 0, n: 0 }).total += t.duration_ms; sums[stage].n++; }
      } catch { /* a result that cannot be read is skipped, not fatal for stats */ }
    }
    ctx.body = {
      users: await count('users'), datasets: await count('datasets'), runs: await count('runs'),
      runs_by_status: Object.fromEntries(byStatus.map((b) => [b.status, Number(b.n)])),
      mean_stage_duration_ms: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, Math.round(v.total / v.n)])),
    };
  });

  r.add(router, { method: 'get', path: '/admin/logs', operationId: 'listAdminLogs', summary: 'Log lines across runs (admin)', tag: 'admin', auth: true, query: AdminLogsQuery, response: Items(AdminLogOut) }, async (ctx) => {
    requireAdmin(ctx);
    const q = parse(AdminLogsQuery, ctx.query);
    let sel = deps.db.selectFrom('logs').selectAll().orderBy('id', 'desc').limit(q.limit);
    if (q.level) sel = sel.where('level', '=', q.level);
    if (q.run_id) sel = sel.where('run_id', '=', q.run_id);
    ctx.body = { items: (await sel.execute()).map((l) => ({ at: iso(l.at), level: l.level, run_id: l.run_id, user_id: l.user_id, message: l.message })) };
  });
}
