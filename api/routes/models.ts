import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { checkRows, predictRows } from '../../analysis/ml/predict.js';
import type { ModelArtifact } from '../../analysis/ml/train-models.js';
import { currentUser } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { paramsOf, parse, type RouteRegistry } from '../route-registry.js';
import { IdParam, Items, ModelDetailOut, ModelOut, PredictBody, PredictOut } from '../schemas.js';
import { iso, readerScope } from '../scope.js';

type ModelRow = { id: string; run_id: string; name: string; task: string; target: string; metrics: Record<string, unknown>; version: number; created_at: Date };
const modelOut = (m: ModelRow) => ({ id: m.id, run_id: m.run_id, name: m.name, task: m.task, target: m.target, metrics: m.metrics, version: m.version, created_at: iso(m.created_at)! });

async function findModel(deps: AppDeps, ctx: Context) {
  const { id } = parse(IdParam, paramsOf(ctx));
  const owner = readerScope(ctx);
  let q = deps.db.selectFrom('models').selectAll().where('id', '=', id);
  if (owner) q = q.where('user_id', '=', owner);
  const m = await q.executeTakeFirst();
  if (!m) throw notFound('model');
  return m;
}

export function modelRoutes(r: RouteRegistry, router: Router, deps: AppDeps) {
  r.add(router, { method: 'get', path: '/models', summary: 'List models', tag: 'models', auth: true, response: Items(ModelOut) }, async (ctx) => {
    const owner = readerScope(ctx);
    let q = deps.db.selectFrom('models').selectAll().orderBy('created_at', 'desc');
    if (owner) q = q.where('user_id', '=', owner);
    ctx.body = { items: (await q.execute()).map(modelOut) };
  });

  r.add(router, { method: 'get', path: '/models/:id', summary: 'One model with features, metrics, importances', tag: 'models', auth: true, response: ModelDetailOut },
    async (ctx) => {
      const m = await findModel(deps, ctx);
      ctx.body = { ...modelOut(m), features: m.features, importances: m.importances };
    });

  r.add(router, { method: 'post', path: '/models/:id/predict', summary: 'Predict for JSON rows', tag: 'models', auth: true, body: PredictBody, response: PredictOut },
    async (ctx) => {
      const m = await findModel(deps, ctx);
      const { rows } = parse(PredictBody, ctx.request.body);
      const model = JSON.parse((await deps.storage.get(m.storage_key)).toString('utf8')) as ModelArtifact;
      const problem = checkRows(model, rows);
      if (problem) {
        const parts = [];
        if (problem.missing.length) parts.push(`missing columns: ${problem.missing.join(', ')}`);
        if (problem.mistyped.length) parts.push(`not numbers: ${[...new Set(problem.mistyped.map((p) => p.column))].join(', ')}`);
        throw new ApiError('VALIDATION_ERROR', `rows: ${parts.join('; ')}`, { ...problem }, 422);
      }
      const out = predictRows(model, rows);
      const id = randomUUID();
      const key = `runs/${m.run_id}/predictions/${id}.json`;
      const body = JSON.stringify(out);
      await deps.storage.put(key, body, 'application/json');
      await deps.db.insertInto('artifacts').values({
        id, run_id: m.run_id, user_id: currentUser(ctx).id, type: 'predictions', filename: `predictions-${id}.json`, storage_key: key,
        size: Buffer.byteLength(body), content_type: 'application/json',
      }).execute();
      ctx.body = { ...out, artifact_id: id };
    });
}
