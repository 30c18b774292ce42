import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { sql } from 'kysely';
import { DataError } from '../analysis/errors.js';
import { applyPipeline } from '../analysis/pipeline/apply.js';
import { parseSteps, type StepEffect } from '../analysis/pipeline/steps.js';
import { StepProblem } from '../analysis/pipeline/validate.js';
import type { Dataset } from '../db/schema.js';
import { cleanText, jsonb } from '../db/text.js';
import type { PipelineOutcome, PipelineStatus } from '../workflows/definitions.js';
import { datasetTable } from './dataset-table.js';
import type { ActivityDeps } from './deps.js';
import { dataErrorsAreFinal } from './failures.js';
import { checkpoint, whileHeartbeating } from './heartbeat.js';

export interface PipelineActivityInput { pipeline_id: string; user_id: string; dataset_id: string; output_dataset_id: string; steps: unknown[] }

/** Appends a line to the pipeline's log (returned by `GET /pipelines/:id`) and to pino. */
export async function pipelineLog(deps: ActivityDeps, pipelineId: string, level: 'info' | 'warn' | 'error', message: string): Promise<void> {
  const line = jsonb([{ at: new Date().toISOString(), level, message }]);
  await deps.db.updateTable('pipelines').set({ logs: sql`logs || ${line}::jsonb` as never }).where('id', '=', pipelineId).execute();
  deps.logger[level]({ pipeline_id: pipelineId, workflow_id: `pipeline-${pipelineId}` }, message);
}

async function sha256Of(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The lineage's next version number: one more than the highest of the upload and every version made from it. */
async function nextVersion(deps: ActivityDeps, rootId: string): Promise<number> {
  const row = await deps.db.selectFrom('datasets').select(sql<number>`coalesce(max(version), 1)`.as('v'))
    .where((eb) => eb.or([eb('id', '=', rootId), eb('root_id', '=', rootId)])).executeTakeFirst();
  return Number(row?.v ?? 1) + 1;
}

/**
 * Runs a pipeline's steps over a dataset's normalised copy with DuckDB and stores the result as a new dataset
 * version: its Parquet (the version's "upload") and its own normalised copy, read back through the reader so runs
 * treat it like any upload; then the dataset row, ready, with exact rows, types and preview. Each step is logged
 * and its effect recorded on the pipeline row as it finishes. Idempotent: a retry after the row was written
 * returns it. Steps that do not fit the data are a non-retryable INVALID_OPTIONS failure naming the step.
 */
export function pipelineActivity(deps: ActivityDeps) {
  return async function runPipeline(input: PipelineActivityInput): Promise<PipelineOutcome> {
    return dataErrorsAreFinal(async () => {
      const done = await deps.db.selectFrom('datasets').selectAll().where('id', '=', input.output_dataset_id).executeTakeFirst();
      if (done) return finish(deps, input.pipeline_id, done);
      const ds = await deps.db.selectFrom('datasets').selectAll().where('id', '=', input.dataset_id).where('user_id', '=', input.user_id).executeTakeFirst();
      if (!ds) throw new DataError('UNPROCESSABLE_DATASET', 'The dataset was deleted before the pipeline could run.');
      const parsed = parseSteps(input.steps);
      if (!parsed.ok) throw new DataError('INVALID_OPTIONS', parsed.message);
      const ctx = Context.current();
      const table = await datasetTable(deps, ds);
      await pipelineLog(deps, input.pipeline_id, 'info', `read ${table.manifest.rows} rows × ${table.manifest.cols} columns of ${ds.filename} (version ${ds.version})`);
      const dir = await fs.mkdtemp(path.join(deps.tmpDir, 'pipeline-'));
      try {
        const inPath = path.join(dir, 'in.parquet'), outPath = path.join(dir, 'out.parquet');
        await whileHeartbeating(deps.storage.getToFile(table.parquet_key, inPath), () => ({ phase: 'download' }));
        const progress = { phase: 'steps', done: 0, total: parsed.steps.length };
        const effects: StepEffect[] = [];
        const result = await whileHeartbeating(applyPipeline(inPath, outPath, table.manifest.columns, parsed.steps, {
          signal: ctx.cancellationSignal,
          onStep: async (effect, total) => {
            effects.push(effect);
            Object.assign(progress, { done: effects.length, total });
            await deps.db.updateTable('pipelines').set({ effects: jsonb(effects) }).where('id', '=', input.pipeline_id).execute();
            await pipelineLog(deps, input.pipeline_id, 'info', `step ${effect.index + 1}/${total} ${effect.step}${effect.column ? ` '${effect.column}'` : ''}: ${effect.note} (${effect.rows_before} → ${effect.rows_after} rows, ${effect.values_changed} values changed, ${effect.ms} ms)`);
          },
        }).catch((err: unknown) => {
          if (err instanceof StepProblem) throw new DataError('INVALID_OPTIONS', err.message, { step: err.index, column: err.column });
          throw err;
        }), () => progress);
        await checkpoint({ phase: 'store' });
        const rootId = ds.root_id ?? ds.id;
        const base = ds.name.replace(/ v\d+$/, '');
        const { size } = await fs.stat(outPath);
        const storageKey = `datasets/${ds.user_id}/${input.output_dataset_id}/upload.parquet`;
        const shape = (version: number): Dataset => ({
          id: input.output_dataset_id, user_id: ds.user_id, project_id: ds.project_id, name: `${base} v${version}`, filename: `${base}-v${version}.parquet`,
          format: 'parquet', storage_key: storageKey, size_bytes: size, sha256: '', rows: result.rows, cols: result.cols, columns: [], preview: { columns: [], first_rows: [] },
          sheet: null, status: 'ready', error: null, notes: [], parent_id: ds.id, root_id: rootId, version, created_at: new Date(),
        });
        const sha256 = await sha256Of(outPath);
        await deps.storage.putFile(storageKey, outPath, 'application/vnd.apache.parquet');
        // Read back through the reader, as an upload is: runs and compares of this version reuse that copy (keyed by
        // content, so the version number given here does not matter).
        const { manifest } = await datasetTable(deps, { ...shape(ds.version + 1), sha256 });
        const made = `Made by pipeline ${input.pipeline_id} from ${ds.filename} (version ${ds.version}): ${parsed.steps.map((s) => s.step + ('column' in s ? ` '${s.column}'` : '')).join(', ')}.`;
        // The lineage's next number; a pipeline of the same lineage finishing at the same moment takes the one after.
        for (let tries = 0; ; tries++) {
          const out = shape(await nextVersion(deps, rootId));
          try {
            await deps.db.insertInto('datasets').values({
              ...out, sha256, columns: jsonb(manifest.columns), preview: jsonb(manifest.preview), notes: jsonb([made, ...manifest.source.notes]),
              rows: manifest.rows, cols: manifest.cols,
            }).execute();
            break;
          } catch (err) {
            if ((err as { code?: string }).code !== '23505' || tries >= 5) throw err;
          }
        }
        const row = await deps.db.selectFrom('datasets').selectAll().where('id', '=', input.output_dataset_id).executeTakeFirstOrThrow();
        return finish(deps, input.pipeline_id, row);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });
  };
}

async function finish(deps: ActivityDeps, pipelineId: string, out: Dataset): Promise<PipelineOutcome> {
  const updated = await deps.db.updateTable('pipelines').set({ status: 'completed', error: null, error_code: null, finished_at: new Date().toISOString() })
    .where('id', '=', pipelineId).where('status', '=', 'running').executeTakeFirst();
  if (Number(updated.numUpdatedRows) > 0) {
    await pipelineLog(deps, pipelineId, 'info', `wrote ${cleanText(out.name)} (dataset ${out.id}, version ${out.version}): ${out.rows} rows × ${out.cols} columns, ${out.size_bytes} bytes`);
  }
  return { output_dataset_id: out.id, version: out.version, rows: Number(out.rows), cols: out.cols };
}

export interface PipelineFailureInput { pipeline_id: string; status: Exclude<PipelineStatus, 'running' | 'completed'>; error: string; error_code: string | null }

/** Records a pipeline that failed or was cancelled (idempotent bookkeeping: the workflow retries it until the database answers). */
export function recordPipelineFailureActivity(deps: ActivityDeps) {
  return async function recordPipelineFailure(input: PipelineFailureInput): Promise<void> {
    const r = await deps.db.updateTable('pipelines').set({ status: input.status, error: input.error, error_code: input.error_code, finished_at: new Date().toISOString() })
      .where('id', '=', input.pipeline_id).where('status', '=', 'running').executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) await pipelineLog(deps, input.pipeline_id, input.status === 'cancelled' ? 'warn' : 'error', `${input.status}: ${input.error}`);
  };
}
