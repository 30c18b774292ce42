import fs from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { compareTables } from '../analysis/compare/compare-tables.js';
import { renderCompareHtml } from '../analysis/compare/render-report.js';
import type { TableComparison } from '../analysis/compare/types.js';
import { DataError } from '../analysis/errors.js';
import type { ReportSettings } from '../analysis/report/settings.js';
import { resolveTheme } from '../analysis/report/theme.js';
import { softwareVersions } from '../analysis/report/versions.js';
import type { Dataset } from '../db/schema.js';
import { compareWorkflowIdFor, type CompareOutcome, type CompareStatus } from '../workflows/definitions.js';
import { datasetTable, type DatasetTable } from './dataset-table.js';
import type { ActivityDeps } from './deps.js';
import { dataErrorsAreFinal } from './failures.js';
import { checkpoint, whileHeartbeating } from './heartbeat.js';

export interface CompareActivityInput { compare_id: string; user_id: string; dataset_a: string; dataset_b: string }

/** Where a comparison's files live. */
export const compareKey = (compareId: string, file: 'compare.json' | 'report.html') => `compares/${compareId}/${file}`;

/** A compared dataset as compare.json describes it. */
export interface CompareDatasetOut { id: string; name: string; filename: string; rows: number; cols: number }

/** compare.json: the body `GET /datasets/compare/:id` answers once the comparison is done. */
export interface CompareResult extends Omit<TableComparison, 'rule'> {
  compare_id: string; status: 'completed'; dataset_a: CompareDatasetOut; dataset_b: CompareDatasetOut;
  /** The drift rule in one sentence; `thresholds` holds its numbers. */
  rule: string;
  thresholds: { p_value_below: number; psi_at_least: number; effect_at_least: number };
  /** The HTML report is served at `/datasets/compare/<report_id>/report` (the comparison's id). */
  report_id: string;
  finished_at: string;
}

async function ownDataset(deps: ActivityDeps, userId: string, id: string, which: 'A' | 'B'): Promise<Dataset> {
  const ds = await deps.db.selectFrom('datasets').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  if (!ds) throw new DataError('UNPROCESSABLE_DATASET', `Dataset ${which} was deleted before it could be compared.`, { dataset: which });
  return ds;
}

/** Reads a dataset's normalised copy (once per content, reused afterwards), naming the dataset if it is unreadable. */
async function tableOf(deps: ActivityDeps, ds: Dataset, which: 'A' | 'B'): Promise<DatasetTable> {
  try {
    return await datasetTable(deps, ds);
  } catch (err) {
    if (err instanceof DataError) throw new DataError(err.code, `Dataset ${which} (${ds.filename}) cannot be read: ${err.message}`, { ...err.details, dataset: which });
    throw err;
  }
}

/**
 * Compares two of a user's datasets over all their rows: reads each (or reuses its normalised copy), compares them
 * with DuckDB, writes compare.json and the HTML report under `compares/<id>/`, and marks the comparison completed.
 * Unreadable or deleted datasets are non-retryable failures.
 */
export function compareActivity(deps: ActivityDeps, settings: ReportSettings) {
  return async function compare(input: CompareActivityInput): Promise<CompareOutcome> {
    return dataErrorsAreFinal(async () => {
      const ctx = Context.current();
      const a = await ownDataset(deps, input.user_id, input.dataset_a, 'A');
      const b = await ownDataset(deps, input.user_id, input.dataset_b, 'B');
      const ta = await tableOf(deps, a, 'A');
      await checkpoint({ phase: 'read', done: 1, total: 2 });
      const tb = await tableOf(deps, b, 'B');
      await checkpoint({ phase: 'read', done: 2, total: 2 });
      const dir = await fs.mkdtemp(path.join(deps.tmpDir, 'compare-'));
      try {
        const pa = path.join(dir, 'a.parquet');
        // Two datasets with the same bytes share one normalised copy: downloaded once.
        const pb = tb.parquet_key === ta.parquet_key ? pa : path.join(dir, 'b.parquet');
        await whileHeartbeating(Promise.all([
          deps.storage.getToFile(ta.parquet_key, pa), pb !== pa ? deps.storage.getToFile(tb.parquet_key, pb) : Promise.resolve(),
        ]), () => ({ phase: 'download' }));
        const progress = { phase: 'compare', done: 0, total: 0 };
        const cmp = await whileHeartbeating(compareTables(
          { parquetPath: pa, manifest: ta.manifest }, { parquetPath: pb, manifest: tb.manifest },
          { signal: ctx.cancellationSignal, onColumn: (done, total) => Object.assign(progress, { done, total }) },
        ), () => progress);
        const describe = (d: Dataset, rows: number, cols: number): CompareDatasetOut => ({ id: d.id, name: d.name, filename: d.filename, rows, cols });
        const finishedAt = new Date().toISOString();
        const { rule, ...rest } = cmp;
        const result: CompareResult = {
          compare_id: input.compare_id, status: 'completed',
          dataset_a: describe(a, cmp.rows_a, cmp.cols_a), dataset_b: describe(b, cmp.rows_b, cmp.cols_b),
          rule: rule.text, thresholds: { p_value_below: rule.p_value_below, psi_at_least: rule.psi_at_least, effect_at_least: rule.effect_at_least },
          ...rest, report_id: input.compare_id, finished_at: finishedAt,
        };
        const { theme } = resolveTheme(settings.theme);
        const page = await renderCompareHtml({
          compare_id: input.compare_id, workflow_id: compareWorkflowIdFor(input.compare_id), comparison: cmp, theme, versions: softwareVersions(), generatedAt: finishedAt,
          dataset_a: { id: a.id, name: a.name, filename: a.filename, sha256: a.sha256 }, dataset_b: { id: b.id, name: b.name, filename: b.filename, sha256: b.sha256 },
        });
        const resultKey = compareKey(input.compare_id, 'compare.json'), reportKey = compareKey(input.compare_id, 'report.html');
        await deps.storage.put(resultKey, JSON.stringify(result), 'application/json');
        await deps.storage.put(reportKey, page, 'text/html; charset=utf-8');
        await deps.db.updateTable('compares').set({ status: 'completed', result_key: resultKey, report_key: reportKey, error: null, error_code: null, finished_at: finishedAt })
          .where('id', '=', input.compare_id).execute();
        return { result_key: resultKey, report_key: reportKey, columns_compared: cmp.summary.columns_compared, drifted: cmp.summary.drifted };
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });
  };
}

export interface CompareFailureInput { compare_id: string; status: Exclude<CompareStatus, 'running' | 'completed'>; error: string; error_code: string | null }

/** Records a comparison that failed or was cancelled (idempotent bookkeeping: the workflow retries it until the database answers). */
export function recordCompareFailureActivity(deps: ActivityDeps) {
  return async function recordCompareFailure(input: CompareFailureInput): Promise<void> {
    await deps.db.updateTable('compares').set({ status: input.status, error: input.error, error_code: input.error_code, finished_at: new Date().toISOString() })
      .where('id', '=', input.compare_id).where('status', '=', 'running').execute();
  };
}
