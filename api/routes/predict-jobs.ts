import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Context } from 'koa';
import { missingInputs, predictionBytesEstimate } from '../../analysis/ml/batch-predict.js';
import { readModelArtifact } from '../../analysis/ml/model-artifact.js';
import { checkRows } from '../../analysis/ml/predict.js';
import type { PredictJob } from '../../db/schema.js';
import { searchAttributeKeys } from '../../workflows/definitions.js';
import {
  PREDICT_JOB_ENDED, PREDICT_WORKFLOW_TYPE, predictWorkflowIdFor, type PredictJobInput, type PredictJobStatus,
} from '../../workflows/predict-definitions.js';
import { currentUser } from '../auth.js';
import { startDatasetRead } from '../dataset-read.js';
import { withTemporalDeadline, type AppDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { PredictJobBody, PredictJobListQuery, PredictJobOut, PredictJobStartOut } from '../predict-job-schemas.js';
import { paramsOf, parse, type RouteRegistry } from '../route-registry.js';
import { IdParam, Page } from '../schemas.js';
import { afterCursor, decodeCursor, iso, pageOf, readerScope } from '../scope.js';
import { assertWithinQuota } from '../storage-quota.js';
import { findDataset } from './datasets.js';
import { findModel, outdated } from './models.js';

const ACTIVE: PredictJobStatus[] = ['queued', 'running'];

/** The job in the path if the caller may see it (or act on it, with `write`), else 404. */
async function findJob(deps: AppDeps, ctx: Context, opts: { write?: boolean } = {}): Promise<PredictJob> {
  const { id } = parse(IdParam, paramsOf(ctx));
  const owner = readerScope(ctx, opts);
  let q = deps.db.selectFrom('predict_jobs').selectAll().where('id', '=', id);
  if (owner) q = q.where('user_id', '=', owner);
  const job = await q.executeTakeFirst();
  if (!job) throw notFound('predict job');
  return job;
}

const num = (v: number | string | null) => (v === null ? null : Number(v));

const jobOut = (j: PredictJob) => {
  const total = num(j.rows_total), done = Number(j.rows_done);
  return {
    job_id: j.id, workflow_id: j.workflow_id, model_id: j.model_id, dataset_id: j.dataset_id, status: j.status as PredictJobStatus,
    progress: j.status === 'completed' ? 100 : total ? Math.min(99, Math.floor((100 * done) / total)) : 0,
    rows_done: done, rows_total: total, explain: j.explain, format: j.format as 'csv' | 'parquet',
    explained_rows: num(j.explained_rows), resumed_from_row: num(j.resumed_from_row), attempts: j.attempts,
    artifact_id: j.artifact_id, download_path: j.status === 'completed' && j.artifact_id ? `/predict-jobs/${j.id}/download` : null,
    error: j.error, error_code: j.error_code, created_at: iso(j.created_at)!, finished_at: iso(j.finished_at),
  };
};

/** Why a dataset cannot be scored by the model: missing columns, or values of the first rows the model cannot read. */
function schemaProblem(inputs: Parameters<typeof checkRows>[0], columns: string[], firstRows: Record<string, unknown>[]): ApiError | null {
  const missing = missingInputs(inputs, columns);
  if (missing.length) {
    return new ApiError('VALIDATION_ERROR', `dataset_id: the dataset lacks columns the model needs: ${missing.join(', ')}`,
      { missing, model_inputs: inputs.preprocessing.inputs.map((f) => f.name) }, 422);
  }
  const mistyped = checkRows(inputs, firstRows)?.mistyped ?? [];
  if (!mistyped.length) return null;
  const parts = [...new Map(mistyped.map((p) => [p.column, p])).values()]
    .map((p) => `'${p.column}' must be ${p.expected === 'integer' || p.expected === 'float' ? 'a number' : `a ${p.expected}`} (row ${p.row + 1}: '${p.value}')`);
  return new ApiError('VALIDATION_ERROR', `dataset_id: ${parts.join('; ')}`, { mistyped }, 422);
}

export function predictJobRoutes(r: RouteRegistry, router: Router, deps: AppDeps) {
  const env = deps.env;

  r.add(router, { method: 'post', path: '/models/:id/predict-jobs', operationId: 'startPredictJob', tag: 'models', auth: true, body: PredictJobBody, response: PredictJobStartOut, status: 202,
    summary: 'Score an uploaded dataset with the model in the background (chunked, resumable); poll GET /predict-jobs/{job_id}' },
  async (ctx) => {
    const user = currentUser(ctx);
    const m = await findModel(deps, ctx, { write: true }); // before the body, so another user's model is 404 whatever was sent
    const body = parse(PredictJobBody, ctx.request.body);
    const ds = await findDataset(deps, ctx, body.dataset_id, { write: true });
    if (ds.status === 'failed') throw new ApiError('UNPROCESSABLE_DATASET', `The dataset could not be read: ${ds.error ?? 'unknown reason'}`, { dataset_status: ds.status });
    const model = readModelArtifact(await deps.storage.get(m.storage_key));
    if (!model) throw outdated();
    // While the dataset is still being read, its names and first rows come from the upload's sniff; the job checks again.
    const problem = schemaProblem(model, ds.columns.map((c) => c.name), ds.preview.first_rows);
    if (problem) throw problem;
    // The file the job will write counts against the quota now, so a job is refused before it scores, not after.
    const explained = body.explain ? Math.min(ds.rows, env.PREDICT_EXPLAIN_MAX_ROWS) : 0;
    await assertWithinQuota(deps.db, user.id, predictionBytesEstimate(model, ds.rows, explained, body.format), env.STORAGE_QUOTA_MB);
    const id = randomUUID();
    const workflowId = predictWorkflowIdFor(id);
    // One transaction holding the user's row (as runs do): two starts at once cannot both pass the cap.
    await deps.db.transaction().execute(async (tx) => {
      await tx.selectFrom('users').select('id').where('id', '=', user.id).forUpdate().executeTakeFirstOrThrow();
      const active = await tx.selectFrom('predict_jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', user.id).where('status', 'in', ACTIVE).executeTakeFirstOrThrow();
      if (Number(active.n) >= env.MAX_ACTIVE_RUNS_PER_USER) {
        throw new ApiError('RATE_LIMITED', `You have ${active.n} predict jobs running; at most ${env.MAX_ACTIVE_RUNS_PER_USER} may run at once. Wait for one to finish or cancel one.`);
      }
      await tx.insertInto('predict_jobs').values({
        id, user_id: user.id, model_id: m.id, run_id: m.run_id, dataset_id: ds.id, workflow_id: workflowId, status: 'queued',
        explain: body.explain, format: body.format, chunk_rows: env.PREDICT_CHUNK_ROWS,
      }).execute();
    });
    // A read that could not start at upload (Temporal was down) starts now; the job waits for it like a run does.
    if (ds.status === 'reading') await startDatasetRead(deps, ds.id, ds.user_id).catch((err: unknown) => deps.logger.warn({ err, dataset_id: ds.id }, 'could not start the dataset read'));
    const input: PredictJobInput = {
      job_id: id, user_id: user.id, model_id: m.id, dataset_id: ds.id, explain: body.explain, format: body.format,
      chunk_rows: env.PREDICT_CHUNK_ROWS, explain_max_rows: env.PREDICT_EXPLAIN_MAX_ROWS, task_queue: deps.taskQueues.analysis, quota_mb: env.STORAGE_QUOTA_MB,
      timeouts: { predict_s: env.PREDICT_TIMEOUT_S, heartbeat_s: env.HEARTBEAT_TIMEOUT_S, max_attempts: env.ACTIVITY_MAX_ATTEMPTS },
    };
    try {
      await withTemporalDeadline(deps, () => deps.temporal.workflow.start(PREDICT_WORKFLOW_TYPE, {
        workflowId, taskQueue: deps.taskQueues.analysis, args: [input],
        typedSearchAttributes: [{ key: searchAttributeKeys.user, value: user.id }, { key: searchAttributeKeys.dataset, value: ds.id }],
        memo: { model: m.name, dataset: ds.name },
      }));
    } catch (err) {
      await deps.db.deleteFrom('predict_jobs').where('id', '=', id).execute(); // no job row without a workflow
      deps.logger.error({ err, job_id: id }, 'could not start the predict job workflow');
      throw new ApiError('SERVICE_UNAVAILABLE', 'The workflow service is unavailable; the job was not started. Try again shortly.');
    }
    ctx.status = 202;
    ctx.set('Location', `/predict-jobs/${id}`);
    ctx.body = { job_id: id, workflow_id: workflowId, status: 'queued' };
  });

  const list = async (ctx: Context, modelId?: string) => {
    const q = parse(PredictJobListQuery, ctx.query);
    const owner = readerScope(ctx);
    let sel = deps.db.selectFrom('predict_jobs').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit + 1);
    if (owner) sel = sel.where('user_id', '=', owner);
    if (modelId ?? q.model_id) sel = sel.where('model_id', '=', (modelId ?? q.model_id)!);
    if (q.status) sel = sel.where('status', '=', q.status);
    if (q.cursor) sel = sel.where(afterCursor(decodeCursor(q.cursor)));
    ctx.body = pageOf(await sel.execute(), q.limit, jobOut);
  };

  r.add(router, { method: 'get', path: '/models/:id/predict-jobs', operationId: 'listModelPredictJobs', summary: "The model's predict jobs, newest first", tag: 'models', auth: true,
    query: PredictJobListQuery.omit({ model_id: true }), response: Page(PredictJobOut) }, async (ctx) => {
    await list(ctx, (await findModel(deps, ctx)).id);
  });

  r.add(router, { method: 'get', path: '/predict-jobs', operationId: 'listPredictJobs', summary: 'Predict jobs, newest first (?status, ?model_id)', tag: 'models', auth: true,
    query: PredictJobListQuery, response: Page(PredictJobOut) }, async (ctx) => {
    await list(ctx);
  });

  r.add(router, { method: 'get', path: '/predict-jobs/:id', operationId: 'getPredictJob', summary: 'A predict job: status, progress in rows, the artifact once completed', tag: 'models', auth: true,
    response: PredictJobOut }, async (ctx) => {
    ctx.body = jobOut(await findJob(deps, ctx));
  });

  r.add(router, { method: 'post', path: '/predict-jobs/:id/cancel', operationId: 'cancelPredictJob', summary: 'Cancel a predict job (409 once it has ended)', tag: 'models', auth: true,
    response: PredictJobStartOut, status: 202 }, async (ctx) => {
    const job = await findJob(deps, ctx, { write: true });
    const ended = () => new ApiError('CONFLICT', `The job has ended (it is ${job.status}).`, { status: job.status });
    if (PREDICT_JOB_ENDED.includes(job.status as PredictJobStatus)) throw ended();
    try {
      await withTemporalDeadline(deps, () => deps.temporal.workflow.getHandle(job.workflow_id).cancel());
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw ended();
      throw new ApiError('SERVICE_UNAVAILABLE', 'The workflow service did not take the request; try again shortly.');
    }
    // The running chunk stops at its next heartbeat (about a second); answer with the recorded end when it comes soon.
    let status = job.status;
    for (const deadline = Date.now() + 5000; Date.now() < deadline && ACTIVE.includes(status as PredictJobStatus);) {
      await new Promise((res) => setTimeout(res, 200));
      status = (await deps.db.selectFrom('predict_jobs').select('status').where('id', '=', job.id).executeTakeFirstOrThrow()).status;
    }
    ctx.status = 202;
    ctx.body = { job_id: job.id, workflow_id: job.workflow_id, status };
  });

  r.add(router, { method: 'get', path: '/predict-jobs/:id/download', operationId: 'downloadPredictJob', summary: 'The predictions file (redirect to a signed link); 409 until completed', tag: 'models', auth: true,
    status: 302 }, async (ctx) => {
    const job = await findJob(deps, ctx);
    if (job.status !== 'completed' || !job.artifact_id) throw new ApiError('CONFLICT', `The job is ${job.status}; its predictions file exists once it has completed.`, { status: job.status });
    const a = await deps.db.selectFrom('artifacts').selectAll().where('id', '=', job.artifact_id).executeTakeFirst();
    if (!a) throw new ApiError('NOT_FOUND', `The predictions file was deleted (stored predictions are kept ${env.PREDICTION_RETENTION_DAYS} days); start the job again.`);
    const link = await deps.storage.presign(a.storage_key, { expiresInS: env.DOWNLOAD_URL_TTL_S, filename: a.filename, contentType: a.content_type });
    ctx.redirect(link.url);
  });
}
