import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import {
  WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateStage,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { Context } from 'koa';
import type { Run } from '../../db/schema.js';
import {
  cancelUpdate, clarifyUpdate, retryUpdate, searchAttributeKeys, TERMINAL_STATUSES, UPDATE_REFUSED, WORKFLOW_TYPE, workflowIdFor,
  type AnalysisJobInput, type JobState, type RunOptions, type RunStatus,
} from '../../workflows/definitions.js';
import { currentUser } from '../auth.js';
import { withTemporalDeadline, type AppDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { paramsOf, parse, type RouteRegistry } from '../route-registry.js';
import { logIdFromLastEventId, openEventStream } from '../run-events.js';
import { queryState, runStatus } from '../run-status.js';
import {
  ArtifactOut, ClarifyBody, IdParam, Items, LogLine, LogsQuery, Page, RunListQuery, RunOut, StartRunBody, StartRunOut, StatusOut, TimelineOut,
} from '../schemas.js';
import { afterCursor, decodeCursor, iso, pageOf, readerScope } from '../scope.js';
import { timelineFromHistory } from '../timeline.js';
import { findDataset } from './datasets.js';
import { startDatasetRead } from '../dataset-read.js';
import { resolveProject } from './projects.js';
import { canonicalJson, isStorableText, jsonb } from '../../db/text.js';
import { ResultSchema } from '../../analysis/qa/schemas.js';
import { CLASSIFICATION_METRICS, METRIC_OPTIONS, metricNamed, REGRESSION_METRICS, type MetricOption } from '../../analysis/ml/metrics.js';

const ACTIVE: RunStatus[] = ['queued', 'running', 'awaiting_clarification', 'needs_attention'];

/** The run if the caller may see it (or act on it, with `write`), else 404. */
export async function findRun(deps: AppDeps, ctx: Context, opts: { write?: boolean } = {}): Promise<Run> {
  const { id } = parse(IdParam, paramsOf(ctx));
  const owner = readerScope(ctx, opts);
  let q = deps.db.selectFrom('runs').selectAll().where('id', '=', id);
  if (owner) q = q.where('user_id', '=', owner);
  const run = await q.executeTakeFirst();
  if (!run) throw notFound('run');
  return run;
}

/** An unknown metric is a 422 naming the valid ones (before the schema, which would only say "invalid option"). */
function uncheckedMetric(body: unknown): void {
  const metric = (body as { options?: { metric?: unknown } } | null)?.options?.metric;
  if (typeof metric === 'string' && !(METRIC_OPTIONS as readonly string[]).includes(metric)) {
    throw new ApiError('VALIDATION_ERROR', `metric: '${metric.slice(0, 100)}' is not a metric; choose one of ${METRIC_OPTIONS.join(', ')}`, { metrics: [...METRIC_OPTIONS] }, 422);
  }
}

/** Columns named by modeling options must exist, and a metric must suit a task given explicitly: else 422. */
function checkModelingColumns(o: RunOptions, names: Set<string>): void {
  const named = [
    ...(o.ignore_columns ?? []).map((c) => ['ignore_columns', c] as const),
    ...(o.validation?.time_column ? [['validation.time_column', o.validation.time_column] as const] : []),
    ...(o.validation?.group_column ? [['validation.group_column', o.validation.group_column] as const] : []),
  ].filter(([, c]) => !names.has(c));
  if (named.length) {
    throw new ApiError('VALIDATION_ERROR', `${named.map(([f, c]) => `${f}: column '${c}' does not exist`).join('; ')}`, { columns: [...names].slice(0, 100) }, 422);
  }
  if (o.target !== undefined && o.ignore_columns?.includes(o.target)) {
    throw new ApiError('VALIDATION_ERROR', `ignore_columns: '${o.target}' is the target; it cannot be ignored`, {}, 422);
  }
  if (o.metric && o.task && o.task !== 'auto') {
    const fits = o.task === 'regression' ? REGRESSION_METRICS : CLASSIFICATION_METRICS;
    if (!fits.includes(metricNamed(o.metric as MetricOption))) {
      throw new ApiError('VALIDATION_ERROR', `metric: ${o.metric} does not apply to ${o.task}; choose one of ${fits.map((m) => (m === 'macro_f1' ? 'f1_macro' : m)).join(', ')}`, { metrics: fits }, 422);
    }
  }
}

const runOut = (r: Run) => ({
  id: r.id, workflow_id: r.workflow_id, dataset_id: r.dataset_id, project_id: r.project_id, status: r.status, stage: r.stage,
  options: r.options, error: r.error, created_at: iso(r.created_at)!, finished_at: iso(r.finished_at),
});

export function runRoutes(r: RouteRegistry, router: Router, deps: AppDeps) {
  const env = deps.env;
  const timeouts = {
    ingest_s: env.INGEST_TIMEOUT_S, eda_s: env.EDA_TIMEOUT_S, model_s: env.MODEL_TIMEOUT_S, report_s: env.REPORT_TIMEOUT_S,
    qa_s: env.QA_TIMEOUT_S, clarify_s: env.CLARIFY_TIMEOUT_S, needs_attention_s: env.NEEDS_ATTENTION_TIMEOUT_S,
    heartbeat_s: env.HEARTBEAT_TIMEOUT_S, max_attempts: env.ACTIVITY_MAX_ATTEMPTS,
  };

  const findByIdempotencyKey = (userId: string, key: string) =>
    deps.db.selectFrom('runs').selectAll().where('user_id', '=', userId).where('idempotency_key', '=', key).executeTakeFirst();

  /** Starts the run's workflow; starting one that already runs (a retried request) is not an error. */
  const startWorkflow = async (input: AnalysisJobInput, datasetName: string) => {
    try {
      // A deadline, so an unreachable cluster answers 503 in seconds instead of hanging the request.
      await withTemporalDeadline(deps, () => deps.temporal.workflow.start(WORKFLOW_TYPE, {
        workflowId: workflowIdFor(input.run_id), taskQueue: deps.taskQueues.analysis, args: [input],
        typedSearchAttributes: [
          { key: searchAttributeKeys.user, value: input.user_id }, { key: searchAttributeKeys.dataset, value: input.dataset_id }, { key: searchAttributeKeys.stage, value: 'ingest' },
        ],
        memo: { dataset_name: datasetName },
      }));
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  };

  /**
   * A repeated Idempotency-Key: the same request gets the same run (its workflow started now if a crash
   * came between the row and the start); a different request under the same key is a 409.
   */
  const answerPrior = async (ctx: Context, prior: Run, datasetId: string, options: RunOptions) => {
    if (prior.dataset_id !== datasetId || canonicalJson(prior.options) !== canonicalJson(options)) {
      throw new ApiError('CONFLICT', 'This Idempotency-Key was used for a different request (another dataset or other options); use a new key.', { run_id: prior.id });
    }
    if (prior.status === 'queued') {
      const input: AnalysisJobInput = { run_id: prior.id, user_id: prior.user_id, dataset_id: prior.dataset_id, options, timeouts, task_queues: deps.taskQueues };
      const ds = await deps.db.selectFrom('datasets').select('name').where('id', '=', prior.dataset_id).executeTakeFirst();
      try {
        await startWorkflow(input, ds?.name ?? '');
      } catch {
        throw new ApiError('SERVICE_UNAVAILABLE', 'The workflow service is unavailable; try again shortly with the same Idempotency-Key.');
      }
    }
    ctx.status = 202;
    ctx.body = { run_id: prior.id, workflow_id: prior.workflow_id, status: prior.status };
  };

  r.add(router, { method: 'post', path: '/runs/start', operationId: 'startRun', summary: 'Start an analysis (header Idempotency-Key optional)', tag: 'runs', auth: true,
    body: StartRunBody, response: StartRunOut, status: 202 }, async (ctx) => {
    const user = currentUser(ctx);
    uncheckedMetric(ctx.request.body);
    const body = parse(StartRunBody, ctx.request.body);
    const idem = ctx.get('idempotency-key').trim() || null;
    if (idem && (idem.length > 200 || !isStorableText(idem))) throw new ApiError('VALIDATION_ERROR', 'Idempotency-Key: at most 200 characters of text');
    const options = body.options ?? {};
    if (idem) {
      const prior = await findByIdempotencyKey(user.id, idem);
      if (prior) return answerPrior(ctx, prior, body.dataset_id, options);
    }
    const ds = await findDataset(deps, ctx, body.dataset_id, { write: true });
    if (ds.status === 'failed') throw new ApiError('UNPROCESSABLE_DATASET', `The dataset could not be read: ${ds.error ?? 'unknown reason'}`, { dataset_status: ds.status });
    // A read that could not start at upload (Temporal was down) starts now; one already running is left alone.
    if (ds.status === 'reading') await startDatasetRead(deps, ds.id, ds.user_id).catch((err: unknown) => deps.logger.warn({ err, dataset_id: ds.id }, 'could not start the dataset read'));
    const names = new Set(ds.columns.map((c) => c.name));
    if (options.target !== undefined && !names.has(options.target)) {
      throw new ApiError('VALIDATION_ERROR', `target: column '${options.target}' does not exist`, { columns: [...names].slice(0, 100) }, 422);
    }
    const unknownTyped = Object.keys(options.column_types ?? {}).filter((c) => !names.has(c));
    if (unknownTyped.length) {
      throw new ApiError('VALIDATION_ERROR', `column_types: ${unknownTyped.map((c) => `column '${c}'`).join(', ')} ${unknownTyped.length > 1 ? 'do' : 'does'} not exist`, { columns: [...names].slice(0, 100) }, 422);
    }
    checkModelingColumns(options, names);
    const projectId = body.project_id ? await resolveProject(deps.db, user.id, body.project_id) : ds.project_id;
    const runId = randomUUID();
    const workflowId = workflowIdFor(runId);
    try {
      // One transaction holding the user's row: two starts at once cannot both pass the cap.
      await deps.db.transaction().execute(async (tx) => {
        await tx.selectFrom('users').select('id').where('id', '=', user.id).forUpdate().executeTakeFirstOrThrow();
        const active = await tx.selectFrom('runs').select((eb) => eb.fn.countAll<number>().as('n'))
          .where('user_id', '=', user.id).where('status', 'in', ACTIVE).executeTakeFirstOrThrow();
        if (Number(active.n) >= env.MAX_ACTIVE_RUNS_PER_USER) {
          throw new ApiError('RATE_LIMITED', `You have ${active.n} active runs; at most ${env.MAX_ACTIVE_RUNS_PER_USER} may run at once. Wait for one to finish or cancel one.`);
        }
        await tx.insertInto('runs').values({
          id: runId, user_id: user.id, project_id: projectId, dataset_id: ds.id, workflow_id: workflowId, status: 'queued', stage: 'ingest',
          options: jsonb(options), idempotency_key: idem,
        }).execute();
      });
    } catch (err) {
      // Two requests with one Idempotency-Key raced: the loser answers with the winner's run.
      const prior = idem && !(err instanceof ApiError) ? await findByIdempotencyKey(user.id, idem) : undefined;
      if (prior) return answerPrior(ctx, prior, body.dataset_id, options);
      throw err;
    }
    const input: AnalysisJobInput = { run_id: runId, user_id: user.id, dataset_id: ds.id, options, timeouts, task_queues: deps.taskQueues };
    try {
      await startWorkflow(input, ds.name);
    } catch (err) {
      await deps.db.deleteFrom('runs').where('id', '=', runId).execute(); // no run row without a workflow
      deps.logger.error({ err, run_id: runId }, 'could not start workflow');
      throw new ApiError('SERVICE_UNAVAILABLE', 'The workflow service is unavailable; the run was not started. Try again shortly.');
    }
    await deps.db.insertInto('logs').values({ run_id: runId, user_id: user.id, level: 'info', message: `run started on dataset ${ds.name}` }).execute();
    ctx.status = 202;
    ctx.body = { run_id: runId, workflow_id: workflowId, status: 'queued' };
  });

  r.add(router, { method: 'get', path: '/runs', operationId: 'listRuns', summary: 'List runs', tag: 'runs', auth: true, query: RunListQuery, response: Page(RunOut) }, async (ctx) => {
    const q = parse(RunListQuery, ctx.query);
    const owner = readerScope(ctx);
    let sel = deps.db.selectFrom('runs').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit + 1);
    if (owner) sel = sel.where('user_id', '=', owner);
    if (q.status) sel = sel.where('status', '=', q.status);
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      sel = sel.where(afterCursor(c));
    }
    ctx.body = pageOf(await sel.execute(), q.limit, runOut);
  });

  r.add(router, { method: 'get', path: '/runs/:id/status', operationId: 'getRunStatus', summary: 'Live status (workflow query)', tag: 'runs', auth: true, response: StatusOut }, async (ctx) => {
    ctx.body = await runStatus(deps, await findRun(deps, ctx));
  });

  /**
   * Sends an update and answers once the workflow has accepted it (its validator passed), with the state
   * it led to when that comes within a few seconds; a refusal is a 409 with the workflow's reason.
   */
  const sendUpdate = async <A>(ctx: Context, update: UpdateDefinition<JobState, [A]>, arg: A) => {
    const run = await findRun(deps, ctx, { write: true });
    if (TERMINAL_STATUSES.includes(run.status as RunStatus)) throw new ApiError('CONFLICT', `The run has ended (it is ${run.status}).`, { status: run.status });
    const handle = deps.temporal.workflow.getHandle(run.workflow_id);
    const refusedOrDown = async (err: unknown): Promise<never> => {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === UPDATE_REFUSED) throw new ApiError('CONFLICT', cause.message, { status: (await queryState(deps, handle))?.status ?? run.status });
      if (err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5 /* NOT_FOUND: closed meanwhile */) throw new ApiError('CONFLICT', 'The run has ended.');
      deps.logger.warn({ err, run_id: run.id }, 'update not delivered');
      throw new ApiError('SERVICE_UNAVAILABLE', 'The workflow service did not take the request; try again shortly.');
    };
    const sent = await withTemporalDeadline(deps, () => handle.startUpdate(update, { args: [arg], waitForStage: WorkflowUpdateStage.ACCEPTED }), 10_000)
      .catch(refusedOrDown);
    // A refusal is already known here; an accepted update's new state usually follows within a second or two.
    const outcome = await Promise.race([
      sent.result().then((state) => ({ state }), (err: unknown) => ({ err })),
      new Promise<null>((res) => setTimeout(() => res(null), 5000).unref()),
    ]);
    if (outcome && 'err' in outcome) await refusedOrDown(outcome.err);
    const status: RunStatus = outcome && 'state' in outcome ? outcome.state.status : 'running';
    deps.liveStatus.forget(run.workflow_id); // the next status read shows what the update changed, not a cached answer
    ctx.status = 202;
    ctx.body = { run_id: run.id, workflow_id: run.workflow_id, status };
  };

  r.add(router, { method: 'post', path: '/runs/:id/clarify', operationId: 'answerClarification', summary: 'Answer the clarification question', tag: 'runs', auth: true, body: ClarifyBody, response: StartRunOut, status: 202 },
    async (ctx) => {
      const body = parse(ClarifyBody, ctx.request.body);
      const run = await findRun(deps, ctx, { write: true });
      if (body.target || body.group_column) {
        const ds = await deps.db.selectFrom('datasets').select('columns').where('id', '=', run.dataset_id).executeTakeFirst();
        for (const field of ['target', 'group_column'] as const) {
          const name = body[field];
          if (ds && name && !ds.columns.some((c) => c.name === name)) throw new ApiError('VALIDATION_ERROR', `${field}: column '${name}' does not exist`, {}, 422);
        }
        if (body.group_column && body.group_column === body.target) throw new ApiError('VALIDATION_ERROR', 'group_column: the target cannot group its own folds', {}, 422);
      }
      await sendUpdate(ctx, clarifyUpdate, body);
    });

  r.add(router, { method: 'post', path: '/runs/:id/cancel', operationId: 'cancelRun', summary: 'Cancel a run', tag: 'runs', auth: true, response: StartRunOut, status: 202 }, async (ctx) => {
    await sendUpdate(ctx, cancelUpdate, { reason: 'api' });
  });

  r.add(router, { method: 'post', path: '/runs/:id/retry', operationId: 'retryRun', summary: 'Retry the stage of a run that needs attention', tag: 'runs', auth: true, response: StartRunOut, status: 202 },
    async (ctx) => {
      await sendUpdate(ctx, retryUpdate, { by: currentUser(ctx).id });
    });

  r.add(router, { method: 'get', path: '/runs/:id/result', operationId: 'getRunResult', summary: 'result.json of a finished run', tag: 'runs', auth: true, response: ResultSchema }, async (ctx) => {
    const run = await findRun(deps, ctx);
    if (!run.result_key) throw new ApiError('CONFLICT', `The run is ${run.status}; its result is written when it ends.`, { status: run.status });
    ctx.type = 'application/json';
    ctx.body = await deps.storage.get(run.result_key);
  });

  r.add(router, { method: 'get', path: '/runs/:id/timeline', operationId: 'getRunTimeline', summary: 'Timeline derived from the workflow history', tag: 'runs', auth: true, response: TimelineOut },
    async (ctx) => {
      const run = await findRun(deps, ctx);
      try {
        const history = await withTemporalDeadline(deps, () => deps.temporal.workflow.getHandle(run.workflow_id).fetchHistory(), 15_000);
        ctx.body = { events: timelineFromHistory(history.events ?? []) };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new ApiError('NOT_FOUND', 'The workflow history of this run is no longer retained.');
        throw new ApiError('SERVICE_UNAVAILABLE', 'The workflow service is unavailable; try again shortly.');
      }
    });

  r.add(router, { method: 'get', path: '/runs/:id/artifacts', operationId: 'listRunArtifacts', summary: 'Artifacts with expiring download links', tag: 'runs', auth: true, response: Items(ArtifactOut) },
    async (ctx) => {
      const run = await findRun(deps, ctx);
      const rows = await deps.db.selectFrom('artifacts').selectAll().where('run_id', '=', run.id).orderBy('created_at').execute();
      ctx.body = {
        items: await Promise.all(rows.map(async (a) => {
          const link = await deps.storage.presign(a.storage_key, { expiresInS: env.DOWNLOAD_URL_TTL_S, filename: a.filename, contentType: a.content_type });
          return { id: a.id, type: a.type, filename: a.filename, size: Number(a.size), content_type: a.content_type, download_url: link.url, expires_at: link.expires_at };
        })),
      };
    });

  r.add(router, { method: 'get', path: '/runs/:id/logs', operationId: 'getRunLogs', summary: "The run's log lines (JSON, or text/plain with ?format=text)", tag: 'runs', auth: true, query: LogsQuery, response: Items(LogLine) }, async (ctx) => {
    const run = await findRun(deps, ctx);
    const { format } = parse(LogsQuery, ctx.query);
    const rows = await deps.db.selectFrom('logs').select(['at', 'level', 'message']).where('run_id', '=', run.id).orderBy('id').execute();
    const lines = rows.map((l) => ({ at: iso(l.at)!, level: l.level, message: l.message }));
    if (format === 'text') { ctx.type = 'text/plain'; ctx.body = lines.map((l) => `${l.at} ${l.level.toUpperCase()} ${l.message}`).join('\n') + '\n'; }
    else ctx.body = { items: lines };
  });

  r.add(router, { method: 'get', path: '/runs/:id/events', operationId: 'streamRunEvents', summary: 'Server-sent events: status and log, until the run ends', tag: 'runs', auth: true, produces: 'text/event-stream' },
    async (ctx) => {
      const run = await findRun(deps, ctx);
      const sink = openEventStream(ctx);
      // The hub polls once per run for every stream; a reconnecting client resumes after its Last-Event-ID.
      const unsubscribe = deps.runEvents.subscribe(run.id, sink,
        { afterLogId: logIdFromLastEventId(ctx.get('last-event-id')) });
      ctx.res.once('close', unsubscribe); // the client left, or the hub ended the stream
    });
}
