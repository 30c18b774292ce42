import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Compare } from '../../db/schema.js';
import {
  COMPARE_WORKFLOW_TYPE, compareWorkflowIdFor, DATA_FAILURE_TYPES, searchAttributeKeys, type CompareInput,
} from '../../workflows/definitions.js';
import { currentUser } from '../auth.js';
import { withTemporalDeadline, type AppDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { paramsOf, parse, type RouteRegistry } from '../route-registry.js';
import { CompareAnswer, CompareBody, IdParam } from '../schemas.js';
import { readerScope } from '../scope.js';
import { findDataset } from './datasets.js';

/** The report's CSP, as for run reports: no scripts, no network, framable by our own pages only, sandboxed. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox";

/** The comparison if the caller may see it, else 404 (another user's id looks exactly like a missing one). */
async function findCompare(deps: AppDeps, ctx: Context): Promise<Compare> {
  const { id } = parse(IdParam, paramsOf(ctx));
  const owner = readerScope(ctx);
  let q = deps.db.selectFrom('compares').selectAll().where('id', '=', id);
  if (owner) q = q.where('user_id', '=', owner);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('comparison');
  return row;
}

/** Polls the read model until the comparison has ended or `waitS` has passed (any API replica can answer). */
async function waitForEnd(deps: AppDeps, id: string, waitS: number): Promise<Compare> {
  const deadline = Date.now() + waitS * 1000;
  let delay = 100;
  for (;;) {
    const row = await deps.db.selectFrom('compares').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    if (row.status !== 'running' || Date.now() >= deadline) return row;
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, deadline - Date.now()))));
    delay = Math.min(1000, delay * 1.5);
  }
}

/**
 * Answers with a comparison's state: 200 and compare.json when done, 202 while it runs, 422 when a dataset could
 * not be read, 409 when it was cancelled, 503 when it failed for another reason (start it again).
 */
async function answer(deps: AppDeps, ctx: Context, row: Compare): Promise<void> {
  if (row.status === 'running') {
    ctx.status = 202;
    ctx.set('Location', `/datasets/compare/${row.id}`);
    ctx.body = { compare_id: row.id, workflow_id: row.workflow_id, status: 'running' };
    return;
  }
  if (row.status === 'completed' && row.result_key) {
    ctx.body = JSON.parse((await deps.storage.get(row.result_key)).toString('utf8'));
    return;
  }
  const details = { compare_id: row.id, reason: row.error_code };
  if (row.error_code && DATA_FAILURE_TYPES.includes(row.error_code)) throw new ApiError('UNPROCESSABLE_DATASET', row.error ?? 'A dataset could not be read.', details);
  if (row.status === 'cancelled') throw new ApiError('CONFLICT', 'This comparison was cancelled; start a new one.', details);
  throw new ApiError('SERVICE_UNAVAILABLE', `The comparison failed: ${row.error ?? 'unknown error'}. Start it again.`, details);
}

export function compareRoutes(r: RouteRegistry, router: Router, deps: AppDeps) {
  const env = deps.env;

  // Registered before /datasets/:id so "compare" is never read as a dataset id.
  r.add(router, { method: 'post', path: '/datasets/compare', operationId: 'compareDatasets', tag: 'datasets', auth: true, body: CompareBody, response: CompareAnswer, status: 200,
    summary: 'Compare two datasets (drift per column, schema changes, report); 200 with the result, or 202 {compare_id, status: "running"} past COMPARE_WAIT_S' },
  async (ctx) => {
    const user = currentUser(ctx);
    const body = parse(CompareBody, ctx.request.body);
    if (body.dataset_a === body.dataset_b) {
      throw new ApiError('VALIDATION_ERROR', 'dataset_b: must be another dataset than dataset_a (upload the other version of the table and compare the two)', {}, 422);
    }
    const a = await findDataset(deps, ctx, body.dataset_a, { write: true });
    const b = await findDataset(deps, ctx, body.dataset_b, { write: true });
    const id = randomUUID();
    const workflowId = compareWorkflowIdFor(id);
    await deps.db.insertInto('compares').values({ id, user_id: user.id, dataset_a: a.id, dataset_b: b.id, workflow_id: workflowId, status: 'running' }).execute();
    const input: CompareInput = {
      compare_id: id, user_id: user.id, dataset_a: a.id, dataset_b: b.id, task_queue: deps.taskQueues.analysis,
      timeouts: { compare_s: env.COMPARE_TIMEOUT_S, heartbeat_s: env.HEARTBEAT_TIMEOUT_S, max_attempts: env.ACTIVITY_MAX_ATTEMPTS },
    };
    try {
      await withTemporalDeadline(deps, () => deps.temporal.workflow.start(COMPARE_WORKFLOW_TYPE, {
        workflowId, taskQueue: deps.taskQueues.analysis, args: [input],
        typedSearchAttributes: [{ key: searchAttributeKeys.user, value: user.id }, { key: searchAttributeKeys.dataset, value: a.id }],
        memo: { dataset_a: a.name, dataset_b: b.name },
      }));
    } catch (err) {
      deps.logger.warn({ err, compare_id: id }, 'compare: workflow start failed');
      await deps.db.updateTable('compares').set({ status: 'failed', error: 'The workflow service was unavailable.', finished_at: new Date() }).where('id', '=', id).execute();
      throw new ApiError('SERVICE_UNAVAILABLE', 'The workflow service is unavailable; try again shortly.');
    }
    await answer(deps, ctx, await waitForEnd(deps, id, env.COMPARE_WAIT_S));
  });

  r.add(router, { method: 'get', path: '/datasets/compare/:id', operationId: 'getComparison', tag: 'datasets', auth: true, response: CompareAnswer,
    summary: 'A comparison: 200 with the result when done, 202 {compare_id, status: "running"} before; 422 if a dataset was unreadable' },
  async (ctx) => {
    await answer(deps, ctx, await findCompare(deps, ctx));
  });

  r.add(router, { method: 'get', path: '/datasets/compare/:id/report', operationId: 'getComparisonReport', summary: "The comparison's HTML report (409 until it is done)", tag: 'datasets', auth: true, produces: 'text/html' },
    async (ctx) => {
      const row = await findCompare(deps, ctx);
      if (row.status !== 'completed' || !row.report_key) throw new ApiError('CONFLICT', `The comparison is ${row.status}; its report exists once it has completed.`, { status: row.status });
      ctx.type = 'text/html; charset=utf-8';
      ctx.set('Content-Security-Policy', REPORT_CSP);
      ctx.set('X-Frame-Options', 'SAMEORIGIN');
      ctx.body = await deps.storage.get(row.report_key);
    });
}
