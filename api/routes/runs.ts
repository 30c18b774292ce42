import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type Router from '@koa/router';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Context } from 'koa';
import type { Run } from '../../db/schema.js';
import {
  cancelSignal, clarifySignal, retrySignal, searchAttributeKeys, TERMINAL_STATUSES, WORKFLOW_TYPE, workflowIdFor,
  type AnalysisJobInput, type RunStatus,
} from '../../workflows/definitions.js';
import { currentUser } from '../auth.js';
import { withTemporalDeadline, type AppDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { paramsOf, parse, type RouteRegistry } from '../route-registry.js';
import { logIdFromLastEventId } from '../run-events.js';
import { queryState, runStatus } from '../run-status.js';
import {
  ArtifactOut, ClarifyBody, IdParam, Items, LogsQuery, Page, RunListQuery, RunOut, StartRunBody, StartRunOut, StatusOut, TimelineOut,
} from '../schemas.js';
import { afterCursor, decodeCursor, iso, pageOf, readerScope } from '../scope.js';
import { timelineFromHistory } from '../timeline.js';
import { findDataset } from './datasets.js';
import { resolveProject } from './projects.js';
import { isStorableText, jsonb } from '../../db/text.js';

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

  r.add(router, { method: 'post', path: '/runs/start', summary: 'Start an analysis (header Idempotency-Key optional)', tag: 'runs', auth: true,
    body: StartRunBody, response: StartRunOut, status: 202 }, async (ctx) => {
    const user = currentUser(ctx);
    const body = parse(StartRunBody, ctx.request.body);
    const idem = ctx.get('idempotency-key').trim() || null;
    if (idem && (idem.length > 200 || !isStorableText(idem))) throw new ApiError('VALIDATION_ERROR', 'Idempotency-Key: at most 200 characters of text');
    if (idem) {
      const prior = await deps.db.selectFrom('runs').selectAll().where('user_id', '=', user.id).where('idempotency_key', '=', idem).executeTakeFirst();
      if (prior) { ctx.status = 202; ctx.body = { run_id: prior.id, workflow_id: prior.workflow_id, status: prior.status }; return; }
    }
    const ds = await findDataset(deps, ctx, body.dataset_id, { write: true });
    const options = body.options ?? {};
    const names = new Set(ds.columns.map((c) => c.name));
    if (options.target !== undefined && !names.has(options.target)) {
      throw new ApiError('VALIDATION_ERROR', `target: column '${options.target}' does not exist`, { columns: [...names].slice(0, 100) }, 422);
    }
    const unknownTyped = Object.keys(options.column_types ?? {}).filter((c) => !names.has(c));
    if (unknownTyped.length) {
      throw new ApiError('VALIDATION_ERROR', `column_types: ${unknownTyped.map((c) => `column '${c}'`).join(', ')} ${unknownTyped.length > 1 ? 'do' : 'does'} not exist`, { columns: [...names].slice(0, 100) }, 422);
    }
    const projectId = body.project_id ? await resolveProject(deps.db, user.id, body.project_id) : ds.project_id;
    const active = await deps.db.selectFrom('runs').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', user.id).where('status', 'in', ACTIVE).executeTakeFirstOrThrow();
    if (Number(active.n) >= env.MAX_ACTIVE_RUNS_PER_USER) {
      throw new ApiError('RATE_LIMITED', `You have ${active.n} active runs; at most ${env.MAX_ACTIVE_RUNS_PER_USER} may run at once. Wait for one to finish or cancel one.`);
    }
    const runId = randomUUID();
    const workflowId = workflowIdFor(runId);
    try {
      await deps.db.insertInto('runs').values({
        id: runId, user_id: user.id, project_id: projectId, dataset_id: ds.id, workflow_id: workflowId, status: 'queued', stage: 'ingest',
        options: jsonb(options), idempotency_key: idem,
      }).execute();
    } catch (err) {
      // Two requests with one Idempotency-Key raced: the loser answers with the winner's run.
      const prior = idem ? await deps.db.selectFrom('runs').selectAll().where('user_id', '=', user.id).where('idempotency_key', '=', idem).executeTakeFirst() : undefined;
      if (prior) { ctx.status = 202; ctx.body = { run_id: prior.id, workflow_id: prior.workflow_id, status: prior.status }; return; }
      throw err;
    }
    const input: AnalysisJobInput = { run_id: runId, user_id: user.id, dataset_id: ds.id, options, timeouts, task_queues: deps.taskQueues };
    try {
      // A deadline, so an unreachable cluster answers 503 in seconds instead of hanging the request.
      await withTemporalDeadline(deps, () => deps.temporal.workflow.start(WORKFLOW_TYPE, {
        workflowId, taskQueue: deps.taskQueues.analysis, args: [input],
        typedSearchAttributes: [
          { key: searchAttributeKeys.user, value: user.id }, { key: searchAttributeKeys.dataset, value: ds.id }, { key: searchAttributeKeys.stage, value: 'ingest' },
        ],
        memo: { dataset_name: ds.name },
      }));
    } catch (err) {
      await deps.db.deleteFrom('runs').where('id', '=', runId).execute(); // no run row without a workflow
      deps.logger.error({ err, run_id: runId }, 'could not start workflow');
      throw new ApiError('SERVICE_UNAVAILABLE', 'The workflow service is unavailable; the run was not started. Try again shortly.');
    }
    await deps.db.insertInto('logs').values({ run_id: runId, user_id: user.id, level: 'info', message: `run started on dataset ${ds.name}` }).execute();
    ctx.status = 202;
    ctx.body = { run_id: runId, workflow_id: workflowId, status: 'queued' };
  });

  r.add(router, { method: 'get', path: '/runs', summary: 'List runs', tag: 'runs', auth: true, query: RunListQuery, response: Page(RunOut) }, async (ctx) => {
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

  r.add(router, { method: 'get', path: '/runs/:id/status', summary: 'Live status (workflow query)', tag: 'runs', auth: true, response: StatusOut }, async (ctx) => {
    ctx.body = await runStatus(deps, await findRun(deps, ctx));
  });

  /** Signals a run after checking its live state, so a late signal gets a 409 instead of vanishing. */
  const signalIf = async (ctx: Context, allowed: (s: RunStatus) => boolean, conflict: string, send: (h: ReturnType<AppDeps['temporal']['workflow']['getHandle']>) => Promise<void>) => {
    const run = await findRun(deps, ctx, { write: true });
    const handle = deps.temporal.workflow.getHandle(run.workflow_id);
    const live = TERMINAL_STATUSES.includes(run.status as RunStatus) ? null : await queryState(deps, handle);
    const status = (live?.status ?? run.status) as RunStatus;
    if (!allowed(status)) throw new ApiError('CONFLICT', `${conflict} (the run is ${status}).`, { status });
    try {
      await withTemporalDeadline(deps, () => send(handle));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new ApiError('CONFLICT', `${conflict} (the run has ended).`);
      throw new ApiError('SERVICE_UNAVAILABLE', 'The workflow service did not take the request; try again shortly.');
    }
    return run;
  };

  r.add(router, { method: 'post', path: '/runs/:id/clarify', summary: 'Answer the clarification question', tag: 'runs', auth: true, body: ClarifyBody, response: StartRunOut, status: 202 },
    async (ctx) => {
      const body = parse(ClarifyBody, ctx.request.body);
      const run = await findRun(deps, ctx, { write: true });
      if (body.target) {
        const ds = await deps.db.selectFrom('datasets').select('columns').where('id', '=', run.dataset_id).executeTakeFirst();
        if (ds && !ds.columns.some((c) => c.name === body.target)) {
          throw new ApiError('VALIDATION_ERROR', `target: column '${body.target}' does not exist`, {}, 422);
        }
      }
      await signalIf(ctx, (s) => s === 'awaiting_clarification', 'The run is not waiting for clarification', (h) => h.signal(clarifySignal, body));
      ctx.status = 202;
      ctx.body = { run_id: run.id, workflow_id: run.workflow_id, status: 'running' };
    });

  r.add(router, { method: 'post', path: '/runs/:id/cancel', summary: 'Cancel a run', tag: 'runs', auth: true, response: StartRunOut, status: 202 }, async (ctx) => {
    const run = await signalIf(ctx, (s) => !TERMINAL_STATUSES.includes(s), 'The run has already finished', (h) => h.signal(cancelSignal, { reason: 'api' }));
    ctx.status = 202;
    ctx.body = { run_id: run.id, workflow_id: run.workflow_id, status: run.status };
  });

  r.add(router, { method: 'post', path: '/runs/:id/retry', summary: 'Retry the stage of a run that needs attention', tag: 'runs', auth: true, response: StartRunOut, status: 202 },
    async (ctx) => {
      const run = await signalIf(ctx, (s) => s === 'needs_attention', 'Only a run in needs_attention can be retried', (h) => h.signal(retrySignal, { by: currentUser(ctx).id }));
      ctx.status = 202;
      ctx.body = { run_id: run.id, workflow_id: run.workflow_id, status: 'running' };
    });

  r.add(router, { method: 'get', path: '/runs/:id/result', summary: 'result.json of a finished run', tag: 'runs', auth: true }, async (ctx) => {
    const run = await findRun(deps, ctx);
    if (!run.result_key) throw new ApiError('CONFLICT', `The run is ${run.status}; its result is written when it ends.`, { status: run.status });
    ctx.type = 'application/json';
    ctx.body = await deps.storage.get(run.result_key);
  });

  r.add(router, { method: 'get', path: '/runs/:id/timeline', summary: 'Timeline derived from the workflow history', tag: 'runs', auth: true, response: TimelineOut },
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

  r.add(router, { method: 'get', path: '/runs/:id/artifacts', summary: 'Artifacts with expiring download links', tag: 'runs', auth: true, response: Items(ArtifactOut) },
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

  r.add(router, { method: 'get', path: '/runs/:id/logs', summary: "The run's log lines", tag: 'runs', auth: true, query: LogsQuery }, async (ctx) => {
    const run = await findRun(deps, ctx);
    const { format } = parse(LogsQuery, ctx.query);
    const rows = await deps.db.selectFrom('logs').select(['at', 'level', 'message']).where('run_id', '=', run.id).orderBy('id').execute();
    const lines = rows.map((l) => ({ at: iso(l.at)!, level: l.level, message: l.message }));
    if (format === 'text') { ctx.type = 'text/plain'; ctx.body = lines.map((l) => `${l.at} ${l.level.toUpperCase()} ${l.message}`).join('\n') + '\n'; }
    else ctx.body = { items: lines };
  });

  r.add(router, { method: 'get', path: '/runs/:id/events', summary: 'Server-sent events: status and log, until the run ends', tag: 'runs', auth: true, produces: 'text/event-stream' },
    async (ctx) => {
      const run = await findRun(deps, ctx);
      const stream = new PassThrough();
      ctx.req.socket.setTimeout(0);
      ctx.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      ctx.status = 200;
      ctx.body = stream;
      // The hub polls once per run for every stream; a reconnecting client resumes after its Last-Event-ID.
      const unsubscribe = deps.runEvents.subscribe(run.id, { write: (frame) => stream.write(frame), end: () => stream.end() },
        { afterLogId: logIdFromLastEventId(ctx.get('last-event-id')) });
      ctx.res.once('close', unsubscribe); // the client left, or the hub ended the stream
    });
}
