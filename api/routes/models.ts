import { randomUUID } from 'node:crypto';
import fsp from 'node:fs/promises';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { DataError } from '../../analysis/errors.js';
import { exportOnnx } from '../../analysis/ml/export/onnx.js';
import { checkRows, predictRows } from '../../analysis/ml/predict.js';
import type { ModelArtifact } from '../../analysis/ml/train-models.js';
import { currentUser } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { parseCsvRows } from '../parse-pool.js';
import { paramsOf, parse, type RouteRegistry } from '../route-registry.js';
import { IdParam, Items, ModelDetailOut, ModelOut, PredictBody, PredictOut } from '../schemas.js';
import { iso, readerScope } from '../scope.js';
import { assertWithinQuota } from '../storage-quota.js';

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

const PredictQuery = z.object({ explain: z.enum(['true', 'false']).default('false') });

/** File formats a model exports to: ONNX, or the JSON artifact Assay itself stores and predicts with. */
export const EXPORT_FORMATS = ['onnx', 'json'] as const;
const ExportQuery = z.object({ format: z.enum(EXPORT_FORMATS) });

const outdated = () => new ApiError('CONFLICT', 'This model was saved by an earlier version of Assay and cannot predict; train it again.', {}, 409);

/** The rows of a predict request: JSON `{rows}` or a CSV in multipart field `file`. */
async function requestRows(ctx: Context, deps: AppDeps): Promise<Record<string, unknown>[]> {
  if (!ctx.is('multipart')) return parse(PredictBody, ctx.request.body).rows;
  const files = (ctx.request as unknown as { files?: Record<string, unknown> }).files ?? {};
  const raw = files.file;
  const file = (Array.isArray(raw) ? raw[0] : raw) as { filepath: string } | undefined;
  try {
    if (!file) throw new ApiError('VALIDATION_ERROR', 'Send the CSV in multipart field "file", or JSON {"rows": [...]}.', {}, 400);
    return await parseCsvRows(deps.env, file.filepath); // in a worker thread, off the event loop
  } catch (err) {
    if (err instanceof DataError) {
      deps.logger.info({ reason: err.code, cause: err.cause }, 'predict refused: unreadable CSV');
      throw new ApiError('VALIDATION_ERROR', `file: ${err.message}`, { reason: err.code }, 422);
    }
    throw err;
  } finally {
    for (const f of Object.values(files).flat() as { filepath?: string }[]) if (f?.filepath) await fsp.rm(f.filepath, { force: true });
  }
}

export function modelRoutes(r: RouteRegistry, router: Router, deps: AppDeps, upload: Middleware) {
  r.add(router, { method: 'get', path: '/models', operationId: 'listModels', summary: 'List models', tag: 'models', auth: true, response: Items(ModelOut) }, async (ctx) => {
    const owner = readerScope(ctx);
    let q = deps.db.selectFrom('models').selectAll().orderBy('created_at', 'desc');
    if (owner) q = q.where('user_id', '=', owner);
    ctx.body = { items: (await q.execute()).map(modelOut) };
  });

  r.add(router, { method: 'get', path: '/models/:id', operationId: 'getModel', summary: 'One model with features, metrics, importances', tag: 'models', auth: true, response: ModelDetailOut },
    async (ctx) => {
      const m = await findModel(deps, ctx);
      ctx.body = { ...modelOut(m), features: m.features, importances: m.importances };
    });

  r.add(router, { method: 'post', path: '/models/:id/predict', operationId: 'predictWithModel', summary: 'Predict for JSON rows or a CSV upload; ?explain=true adds SHAP contributions', tag: 'models', auth: true,
    body: PredictBody, multipart: { file: 'file' }, query: PredictQuery, response: PredictOut, maxBodyKb: 20 * 1024 },
  (ctx, next) => (ctx.is('multipart') ? upload(ctx, next) : next()),
  async (ctx) => {
    const { explain } = parse(PredictQuery, ctx.query);
    const m = await findModel(deps, ctx);
    const rows = await requestRows(ctx, deps);
    const model = JSON.parse((await deps.storage.get(m.storage_key)).toString('utf8')) as ModelArtifact;
    if (model.version !== 2) throw outdated();
    const problem = checkRows(model, rows);
    if (problem) {
      const parts = [];
      if (problem.missing.length) parts.push(`missing columns: ${problem.missing.join(', ')}`);
      for (const [column, expected] of new Map(problem.mistyped.map((p) => [p.column, p.expected]))) parts.push(`'${column}' must be ${expected === 'integer' || expected === 'float' ? 'a number' : `a ${expected}`}`);
      throw new ApiError('VALIDATION_ERROR', `rows: ${parts.join('; ')}`, { ...problem }, 422);
    }
    const out = predictRows(model, rows, { explain: explain === 'true' });
    const id = randomUUID();
    const key = `runs/${m.run_id}/predictions/${id}.json`;
    const body = JSON.stringify({ model_id: m.id, rows: rows.length, ...out });
    await assertWithinQuota(deps.db, currentUser(ctx).id, Buffer.byteLength(body), deps.env.STORAGE_QUOTA_MB);
    await deps.storage.put(key, body, 'application/json');
    await deps.db.insertInto('artifacts').values({
      id, run_id: m.run_id, user_id: currentUser(ctx).id, type: 'predictions', filename: `predictions-${id}.json`, storage_key: key,
      size: Buffer.byteLength(body), content_type: 'application/json',
    }).execute();
    ctx.body = { ...out, artifact_id: id };
  });

  r.add(router, { method: 'get', path: '/models/:id/export', operationId: 'exportModel', summary: 'The fitted model as a file: ONNX (format=onnx) or the JSON artifact Assay stores (format=json)', tag: 'models', auth: true,
    query: ExportQuery, produces: 'application/onnx' },
  async (ctx) => {
    const m = await findModel(deps, ctx); // before the query, so another user's model is 404 whatever was asked
    const { format } = parse(ExportQuery, ctx.query);
    const raw = await deps.storage.get(m.storage_key);
    if (format === 'json') {
      ctx.attachment(`${m.name}-${m.id}.json`);
      ctx.type = 'application/json';
      ctx.body = raw;
      return;
    }
    const model = JSON.parse(raw.toString('utf8')) as ModelArtifact;
    if (model.version !== 2) throw outdated();
    const { bytes } = exportOnnx(model, { producerVersion: deps.version, modelId: m.id });
    ctx.attachment(`${m.name}-${m.id}.onnx`);
    ctx.type = 'application/onnx';
    ctx.body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  });
}
