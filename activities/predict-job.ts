import fs from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { withDuck } from '../analysis/duck.js';
import { DataError } from '../analysis/errors.js';
import { missingInputs, predictionColumns, scoreRows } from '../analysis/ml/batch-predict.js';
import { readModelArtifact } from '../analysis/ml/model-artifact.js';
import { concatPredictionFiles, readParquetRows, writeParquetColumns } from '../analysis/ml/prediction-files.js';
import type { ModelArtifact } from '../analysis/ml/train-models.js';
import type { Dataset } from '../db/schema.js';
import type { PredictHeartbeat, PredictJobInput, PredictJobOutcome, PredictJobStatus, PredictionFormat, ScoredChunks } from '../workflows/predict-definitions.js';
import { datasetTable } from './dataset-table.js';
import type { ActivityDeps } from './deps.js';
import { quotaOverrun } from '../db/usage.js';
import { dataErrorsAreFinal } from './failures.js';
import { checkpoint, resumeDetails, whileHeartbeating } from './heartbeat.js';
import { untilRead } from './ingest.js';
import { putArtifact } from './run-records.js';

/** Where a job's chunk outputs live while it runs (deleted once the artifact is made, or the job ends otherwise). */
export const predictChunksPrefix = (jobId: string) => `predict-jobs/${jobId}/chunks/`;
/** One chunk's predictions: keyed by its index, so a chunk scored again replaces itself instead of adding rows. */
export const predictChunkKey = (jobId: string, chunk: number) => `${predictChunksPrefix(jobId)}${String(chunk).padStart(6, '0')}.parquet`;

export type ScorePredictionsInput = Pick<PredictJobInput, 'job_id' | 'user_id' | 'model_id' | 'dataset_id' | 'explain' | 'chunk_rows' | 'explain_max_rows'>;

const PARQUET = 'application/vnd.apache.parquet';
const CONTENT_TYPES: Record<PredictionFormat, string> = { csv: 'text/csv; charset=utf-8', parquet: PARQUET };

/**
 * Runs an activity body; once the activity has been cancelled, whatever the body threw (DuckDB's "Interrupted!",
 * a storage call cut short) becomes the cancellation itself, so the workflow records "cancelled", not a failure.
 */
async function cancellationWins<T>(fn: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  try {
    return await fn();
  } catch (err) {
    if (ctx.cancellationSignal.aborted) await ctx.cancelled;
    throw err;
  }
}

/** The job's model, the caller's own, as a file this code can predict with. */
async function loadModel(deps: ActivityDeps, userId: string, modelId: string): Promise<ModelArtifact> {
  const row = await deps.db.selectFrom('models').select('storage_key').where('id', '=', modelId).where('user_id', '=', userId).executeTakeFirst();
  if (!row) throw new DataError('INVALID_OPTIONS', 'The model was deleted before the job could score with it.');
  const model = readModelArtifact(await deps.storage.get(row.storage_key));
  if (!model) throw new DataError('CORRUPT_ARTIFACT', 'This model was saved by an earlier version of Assay and cannot predict; train it again.');
  return model;
}

/** The job's dataset once its full read has ended: waits while the upload is still being read, like a run's ingest. */
async function readyDataset(deps: ActivityDeps, userId: string, datasetId: string): Promise<Dataset> {
  const find = () => deps.db.selectFrom('datasets').selectAll().where('id', '=', datasetId).where('user_id', '=', userId).executeTakeFirst();
  let ds = await find();
  if (ds?.status === 'reading') {
    await untilRead(deps, ds.id);
    ds = await find();
  }
  if (!ds) throw new DataError('UNPROCESSABLE_DATASET', 'The dataset was deleted before the job could score it.');
  if (ds.status === 'failed') throw new DataError('UNPROCESSABLE_DATASET', `The dataset could not be read: ${ds.error ?? 'unknown reason'}`);
  return ds;
}

/** The chunk a retried attempt goes on from: the last heartbeat's, when it was about this very table. */
function resumeChunk(rowsTotal: number, chunks: number): number {
  const d = resumeDetails<Partial<PredictHeartbeat>>();
  if (typeof d?.next_chunk !== 'number' || d.rows_total !== rowsTotal) return 0;
  return Math.max(0, Math.min(chunks, Math.floor(d.next_chunk)));
}

/**
 * Scores a dataset with a model, chunk after chunk (`chunk_rows` rows each), each chunk's predictions stored as its
 * own Parquet object (`predictChunkKey`). Heartbeats the next chunk after every stored one, so an attempt after a
 * worker loss resumes from there: no chunk is scored twice into the output (a chunk stored just before the loss is
 * scored again into the same key). Bad data (missing or unreadable columns, an unreadable dataset) fails for good.
 */
export function scorePredictionsActivity(deps: ActivityDeps) {
  return async function scorePredictions(input: ScorePredictionsInput): Promise<ScoredChunks> {
    return dataErrorsAreFinal(() => cancellationWins(async () => {
      const ctx = Context.current();
      const model = await loadModel(deps, input.user_id, input.model_id);
      const ds = await readyDataset(deps, input.user_id, input.dataset_id);
      const table = await datasetTable(deps, ds);
      const missing = missingInputs(model, table.manifest.columns.map((c) => c.name));
      if (missing.length) throw new DataError('UNPROCESSABLE_DATASET', `The dataset lacks columns the model needs: ${missing.join(', ')}.`, { missing });
      const total = table.manifest.rows;
      if (total === 0) throw new DataError('UNPROCESSABLE_DATASET', 'The dataset has no rows to score.');
      const chunks = Math.ceil(total / input.chunk_rows);
      const explained = input.explain ? Math.min(total, input.explain_max_rows) : 0;
      const start = resumeChunk(total, chunks);
      const resumedFrom = start > 0 ? Math.min(total, start * input.chunk_rows) : null;
      await deps.db.updateTable('predict_jobs').set((eb) => ({
        status: 'running', rows_total: total, rows_done: resumedFrom ?? 0, explained_rows: input.explain ? explained : null, attempts: ctx.info.attempt,
        resumed_from_row: resumedFrom ?? eb.ref('resumed_from_row'),
      })).where('id', '=', input.job_id).where('status', 'in', ['queued', 'running']).execute();
      if (resumedFrom !== null) deps.logger.info({ job_id: input.job_id, attempt: ctx.info.attempt, row: resumedFrom }, 'predict job: resuming from the last heartbeat');

      const layout = predictionColumns(model, input.explain);
      const inputs = model.preprocessing.inputs.map((f) => f.name);
      const dir = await fs.mkdtemp(path.join(deps.tmpDir, 'predict-'));
      try {
        const source = path.join(dir, 'data.parquet');
        await whileHeartbeating(deps.storage.getToFile(table.parquet_key, source), () => ({ next_chunk: start, rows_done: resumedFrom ?? 0, rows_total: total }));
        await withDuck(async (conn) => {
          for (let i = start; i < chunks; i++) {
            const offset = i * input.chunk_rows, n = Math.min(input.chunk_rows, total - offset);
            const before: PredictHeartbeat = { next_chunk: i, rows_done: offset, rows_total: total };
            const rows = await readParquetRows(conn, source, inputs, offset, n);
            const values = await scoreRows(model, rows, {
              firstRow: offset, explain: input.explain, explainRows: Math.max(0, Math.min(n, explained - offset)), onBatch: () => checkpoint(before),
            });
            const file = path.join(dir, `chunk-${i}.parquet`);
            await writeParquetColumns(conn, file, layout, values);
            await deps.storage.putFile(predictChunkKey(input.job_id, i), file, PARQUET);
            await fs.rm(file, { force: true });
            await checkpoint({ next_chunk: i + 1, rows_done: offset + n, rows_total: total } satisfies PredictHeartbeat);
            await deps.db.updateTable('predict_jobs').set({ rows_done: offset + n }).where('id', '=', input.job_id).execute();
          }
        }, { signal: ctx.cancellationSignal });
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
      return { chunks, rows: total, explained_rows: explained, resumed_from_row: resumedFrom };
    }));
  };
}

export interface AssemblePredictionsInput {
  job_id: string; chunks: number; rows: number; format: PredictionFormat; resumed_from_row: number | null;
  /** The owner's storage quota (0: none); absent in jobs started before it was checked here. */
  quota_mb?: number;
}

/**
 * Concatenates a job's chunk objects into one CSV or Parquet file ordered by row, checks that it holds every row
 * exactly once, stores and records it as an artifact of the model's run (type `predictions`), marks the job
 * completed and deletes the chunks. A retry after the job was marked completed answers with what it recorded.
 */
export function assemblePredictionsActivity(deps: ActivityDeps) {
  return async function assemblePredictions(input: AssemblePredictionsInput): Promise<PredictJobOutcome> {
    return dataErrorsAreFinal(() => cancellationWins(() => assemble(input)));
  };

  async function assemble(input: AssemblePredictionsInput): Promise<PredictJobOutcome> {
    const job = await deps.db.selectFrom('predict_jobs').selectAll().where('id', '=', input.job_id).executeTakeFirstOrThrow();
    if (job.status === 'completed' && job.artifact_id) {
      const a = await deps.db.selectFrom('artifacts').select(['storage_key', 'size']).where('id', '=', job.artifact_id).executeTakeFirstOrThrow();
      return { artifact_id: job.artifact_id, storage_key: a.storage_key, rows: input.rows, size: Number(a.size), resumed_from_row: input.resumed_from_row };
    }
    const ctx = Context.current();
    const dir = await fs.mkdtemp(path.join(deps.tmpDir, 'predict-out-'));
    try {
      const paths = Array.from({ length: input.chunks }, (_, i) => path.join(dir, `${String(i).padStart(6, '0')}.parquet`));
      const progress = { phase: 'download', done: 0, total: input.chunks };
      await whileHeartbeating((async () => {
        for (let i = 0; i < paths.length; i += 4) { // a few at a time: thousands of chunks must not open thousands of sockets
          await Promise.all(paths.slice(i, i + 4).map((p, j) => deps.storage.getToFile(predictChunkKey(input.job_id, i + j), p)));
          progress.done = Math.min(paths.length, i + 4);
        }
      })(), () => progress);
      const out = path.join(dir, `predictions.${input.format}`);
      const counted = await whileHeartbeating(concatPredictionFiles(paths, out, input.format, { signal: ctx.cancellationSignal }), () => ({ phase: 'concatenate' }));
      if (counted.rows !== input.rows || counted.distinct_rows !== input.rows) {
        throw new Error(`The chunks hold ${counted.rows} rows (${counted.distinct_rows} distinct) where the dataset has ${input.rows}; they are scored again on retry.`);
      }
      // The start checked an estimate; the file's real size is checked before it is kept.
      const size = (await fs.stat(out)).size;
      const over = await quotaOverrun(deps.db, job.user_id, size, input.quota_mb ?? 0);
      if (over) {
        const { quota, held } = over;
        const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
        throw new DataError('QUOTA_EXCEEDED', `The predictions file is ${megabytes(size)}, more than is left of your storage quota of ${megabytes(quota)} (you hold ${megabytes(held)}); it was not kept. Delete datasets or predictions you no longer need, or score fewer rows, and start the job again.`,
          { quota_bytes: quota, held_bytes: held, needed_bytes: size });
      }
      const artifact = await putArtifact(deps, job.run_id, {
        type: 'predictions', filename: `predictions-${input.job_id}.${input.format}`, filePath: out, contentType: CONTENT_TYPES[input.format],
      });
      await deps.db.updateTable('predict_jobs').set({ status: 'completed', artifact_id: artifact.id, rows_done: input.rows, error: null, error_code: null, finished_at: new Date().toISOString() })
        .where('id', '=', input.job_id).execute();
      await deps.storage.deletePrefix(predictChunksPrefix(input.job_id));
      return { artifact_id: artifact.id, storage_key: artifact.key, rows: input.rows, size: artifact.size, resumed_from_row: input.resumed_from_row };
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
}

export interface PredictJobEndInput { job_id: string; status: Extract<PredictJobStatus, 'failed' | 'cancelled'>; error: string; error_code: string | null }

/**
 * Deletes a failed or cancelled job's chunks, then records its end (idempotent: the workflow retries it until storage
 * and the database answer). Chunks go first so that a job shown as ended has nothing of its own left in storage.
 */
export function recordPredictJobEndActivity(deps: ActivityDeps) {
  return async function recordPredictJobEnd(input: PredictJobEndInput): Promise<void> {
    await deps.storage.deletePrefix(predictChunksPrefix(input.job_id));
    await deps.db.updateTable('predict_jobs').set({ status: input.status, error: input.error, error_code: input.error_code, finished_at: new Date().toISOString() })
      .where('id', '=', input.job_id).where('status', 'in', ['queued', 'running']).execute();
  };
}
