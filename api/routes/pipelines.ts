import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { parseSteps, type PipelineStep, type StepEffect } from '../../analysis/pipeline/steps.js';
import { checkSteps, StepProblem } from '../../analysis/pipeline/validate.js';
import type { Pipeline } from '../../db/schema.js';
import { jsonb } from '../../db/text.js';
import { PIPELINE_WORKFLOW_TYPE, pipelineWorkflowIdFor, searchAttributeKeys, type PipelineInput, type PipelineStatus } from '../../workflows/definitions.js';
import { currentUser } from '../auth.js';
import { withTemporalDeadline, type AppDeps } from '../deps.js';
import { ApiError, notFound, zodMessage } from '../errors.js';
import { streamPipelineEvents } from '../pipeline-events.js';
import { PipelineOut, PipelineStarted, RunPipelineBody, VersionsOut } from '../pipeline-schemas.js';
import { paramsOf, parse, type RouteRegistry } from '../route-registry.js';
import { logIdFromLastEventId, openEventStream } from '../run-events.js';
import { IdParam } from '../schemas.js';
import { iso, readerScope } from '../scope.js';
import { assertWithinQuota } from '../storage-quota.js';
import { findDataset } from './datasets.js';

/** 422 in API.md's shape, naming what was wrong. */
const unprocessable = (message: string, details: Record<string, unknown> = {}) => new ApiError('VALIDATION_ERROR', message, details, 422);

/** The pipeline if the caller may see it, else 404 (another user's id looks exactly like a missing one). */
async function findPipeline(deps: AppDeps, ctx: Context): Promise<Pipeline> {
  const { id } = parse(IdParam, paramsOf(ctx));
  const owner = readerScope(ctx);
  let q = deps.db.selectFrom('pipelines').selectAll().where('id', '=', id);
  if (owner) q = q.where('user_id', '=', owner);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('pipeline');
  return row;
}

const pipelineOut = (p: Pipeline) => {
  const effects = p.effects as StepEffect[];
  return {
    pipeline_id: p.id, workflow_id: p.workflow_id, status: p.status as PipelineStatus, dataset_id: p.dataset_id,
    output_dataset_id: p.status === 'completed' ? p.output_dataset_id : null,
    steps: (p.steps as PipelineStep[]).map((s, i) => ({ step: s.step, column: 'column' in s ? s.column : null, params: s.params as Record<string, unknown>, effect: effects.find((e) => e.index === i) ?? null })),
    logs: p.logs, error: p.error, error_code: p.error_code, created_at: iso(p.created_at)!, finished_at: iso(p.finished_at),
  };
};

export function pipelineRoutes(r: RouteRegistry, router: Router, deps: AppDeps) {
  const env = deps.env;

  r.add(router, { method: 'post', path: '/pipelines/run', operationId: 'runPipeline', tag: 'pipelines', auth: true, body: RunPipelineBody, response: PipelineStarted, status: 202,
    summary: 'Run preprocessing steps on a dataset (a `pipelineRun` workflow); the result is a new version of the dataset. 422 names an unknown step or column or a bad param' },
  async (ctx) => {
    const user = currentUser(ctx);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const id = z.object({ dataset_id: z.uuid() }).safeParse(body);
    if (!id.success) throw unprocessable(zodMessage(id.error));
    const extra = Object.keys(body).filter((k) => k !== 'dataset_id' && k !== 'steps');
    if (extra.length) throw unprocessable(`${extra[0]}: unknown field (the body is {dataset_id, steps})`);
    const parsed = parseSteps(body.steps);
    if (!parsed.ok) throw unprocessable(parsed.message, { path: parsed.path });
    const ds = await findDataset(deps, ctx, id.data.dataset_id, { write: true });
    if (ds.status === 'reading') throw new ApiError('CONFLICT', 'The dataset is still being read; start the pipeline in a moment.', { status: ds.status });
    if (ds.status === 'failed') throw new ApiError('UNPROCESSABLE_DATASET', ds.error ?? 'The dataset could not be read.');
    try {
      checkSteps(ds.columns, parsed.steps);
    } catch (err) {
      if (err instanceof StepProblem) throw unprocessable(err.message, { step: err.index, column: err.column });
      throw err;
    }
    // The new version's size is not known before it exists: the input's size stands in for it.
    await assertWithinQuota(deps.db, user.id, Number(ds.size_bytes), env.STORAGE_QUOTA_MB);
    const pipelineId = randomUUID();
    const workflowId = pipelineWorkflowIdFor(pipelineId);
    const outputId = randomUUID();
    await deps.db.insertInto('pipelines').values({
      id: pipelineId, user_id: user.id, dataset_id: ds.id, output_dataset_id: outputId, workflow_id: workflowId, status: 'running', steps: jsonb(parsed.steps),
    }).execute();
    const input: PipelineInput = {
      pipeline_id: pipelineId, user_id: user.id, dataset_id: ds.id, output_dataset_id: outputId, steps: parsed.steps, task_queue: deps.taskQueues.analysis,
      // A pipeline reads and writes the whole table, as ingest does: it gets ingest's time.
      timeouts: { pipeline_s: env.INGEST_TIMEOUT_S, heartbeat_s: env.HEARTBEAT_TIMEOUT_S, max_attempts: env.ACTIVITY_MAX_ATTEMPTS },
    };
    try {
      await withTemporalDeadline(deps, () => deps.temporal.workflow.start(PIPELINE_WORKFLOW_TYPE, {
        workflowId, taskQueue: deps.taskQueues.analysis, args: [input],
        typedSearchAttributes: [{ key: searchAttributeKeys.user, value: user.id }, { key: searchAttributeKeys.dataset, value: ds.id }],
        memo: { dataset: ds.name },
      }));
    } catch (err) {
      deps.logger.warn({ err, pipeline_id: pipelineId }, 'pipeline: workflow start failed');
      await deps.db.updateTable('pipelines').set({ status: 'failed', error: 'The workflow service was unavailable.', finished_at: new Date() }).where('id', '=', pipelineId).execute();
      throw new ApiError('SERVICE_UNAVAILABLE', 'The workflow service is unavailable; try again shortly.');
    }
    ctx.status = 202;
    ctx.set('Location', `/pipelines/${pipelineId}`);
    ctx.body = { pipeline_id: pipelineId, workflow_id: workflowId, status: 'running' };
  });

  r.add(router, { method: 'get', path: '/pipelines/:id', operationId: 'getPipeline', tag: 'pipelines', auth: true, response: PipelineOut,
    summary: "A pipeline: status, each step with its effect (rows before/after, columns added/removed/changed, values changed), its log, and the output dataset once completed" },
  async (ctx) => {
    ctx.body = pipelineOut(await findPipeline(deps, ctx));
  });

  r.add(router, { method: 'get', path: '/pipelines/:id/events', operationId: 'streamPipelineEvents', tag: 'pipelines', auth: true, produces: 'text/event-stream',
    summary: "Server-sent events: the pipeline's log lines as they are written (`log`, id = line number) and its `status`, until it ends; Last-Event-ID resumes" },
  async (ctx) => {
    const p = await findPipeline(deps, ctx);
    const sink = openEventStream(ctx);
    const unsubscribe = streamPipelineEvents(deps.db, p.id, sink,
      { afterLine: logIdFromLastEventId(ctx.get('last-event-id')), keepAliveMs: env.SSE_KEEPALIVE_S * 1000, logger: deps.logger });
    ctx.res.once('close', unsubscribe);
  });

  r.add(router, { method: 'get', path: '/datasets/:id/versions', operationId: 'listDatasetVersions', tag: 'pipelines', auth: true, response: VersionsOut,
    summary: "The dataset's lineage: the upload (version 1) and every version pipelines made from it, each with the steps that made it" },
  async (ctx) => {
    const { id } = parse(IdParam, paramsOf(ctx));
    const ds = await findDataset(deps, ctx, id);
    const root = ds.root_id ?? ds.id;
    const rows = await deps.db.selectFrom('datasets')
      .leftJoin('pipelines', (j) => j.onRef('pipelines.output_dataset_id', '=', 'datasets.id').on('pipelines.status', '=', 'completed'))
      .select(['datasets.id', 'datasets.name', 'datasets.version', 'datasets.parent_id', 'datasets.created_at', 'datasets.rows', 'datasets.cols', 'datasets.status',
        'pipelines.id as pipeline_id', 'pipelines.steps'])
      .where('datasets.user_id', '=', ds.user_id)
      .where((eb) => eb.or([eb('datasets.id', '=', root), eb('datasets.root_id', '=', root)]))
      .orderBy('datasets.version').orderBy('datasets.created_at').execute();
    ctx.body = {
      items: rows.map((v) => ({
        id: v.id, name: v.name, version: v.version, parent_id: v.parent_id, created_at: iso(v.created_at)!, rows: Number(v.rows), cols: v.cols, status: v.status,
        pipeline_id: v.pipeline_id ?? null, steps: (v.steps as Record<string, unknown>[] | null) ?? null,
      })),
    };
  });
}
