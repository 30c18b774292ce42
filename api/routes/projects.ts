import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { Db } from '../../db/connect.js';
import { currentUser } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { parse, type RouteRegistry } from '../route-registry.js';
import { iso, readerScope } from '../scope.js';
import { Items, ProjectBody, ProjectOut } from '../schemas.js';

/**
 * The project a new dataset or run goes into: the one named (it must be the caller's), or the caller's
 * default project, created on first use.
 */
export async function resolveProject(db: Db, userId: string, projectId?: string): Promise<string> {
  if (projectId) {
    const p = await db.selectFrom('projects').select('id').where('id', '=', projectId).where('user_id', '=', userId).executeTakeFirst();
    if (!p) throw notFound('project');
    return p.id;
  }
  const existing = await db.selectFrom('projects').select('id').where('user_id', '=', userId).where('is_default', '=', true).executeTakeFirst();
  if (existing) return existing.id;
  const created = await db.insertInto('projects').values({ id: randomUUID(), user_id: userId, name: 'Default', description: 'Created on first upload', is_default: true })
    .returning('id').executeTakeFirstOrThrow();
  return created.id;
}

export function projectRoutes(r: RouteRegistry, router: Router, deps: AppDeps) {
  const out = (p: { id: string; name: string; description: string | null; created_at: Date }) =>
    ({ id: p.id, name: p.name, description: p.description, created_at: iso(p.created_at)! });

  r.add(router, { method: 'post', path: '/projects', operationId: 'createProject', summary: 'Create a project', tag: 'projects', auth: true, body: ProjectBody, response: ProjectOut, status: 201 },
    async (ctx) => {
      const body = parse(ProjectBody, ctx.request.body);
      const p = await deps.db.insertInto('projects').values({ id: randomUUID(), user_id: currentUser(ctx).id, name: body.name, description: body.description ?? null, is_default: false })
        .returningAll().executeTakeFirstOrThrow();
      ctx.status = 201;
      ctx.body = out(p);
    });

  r.add(router, { method: 'get', path: '/projects', operationId: 'listProjects', summary: 'List projects', tag: 'projects', auth: true, response: Items(ProjectOut) },
    async (ctx) => {
      const owner = readerScope(ctx);
      let q = deps.db.selectFrom('projects').selectAll().orderBy('created_at', 'desc');
      if (owner) q = q.where('user_id', '=', owner);
      ctx.body = { items: (await q.execute()).map(out) };
    });
}
