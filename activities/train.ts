import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { taskFor } from '../analysis/clarify/target-candidates.js';
import { DataError } from '../analysis/errors.js';
import type { TableManifest } from '../analysis/ingest/read-table.js';
import type { ModelName } from '../analysis/ml/candidates.js';
import { defaultTimeBudget, loadRowsFor, MAX_LOAD_CELLS, sampleRowsFor } from '../analysis/ml/budget.js';
import { loadFrame } from '../analysis/ml/load-frame.js';
import type { MetricOption } from '../analysis/ml/metrics.js';
import { trainInPool } from '../analysis/ml/train-pool.js';
import type { FoldScore, LeaderboardEntry, ModelArtifact } from '../analysis/ml/train-models.js';
import type { EdaResult } from '../analysis/profile/types.js';
import type { RunOptions } from '../workflows/definitions.js';
import type { ActivityDeps } from './deps.js';
import { dataErrorsAreFinal } from './failures.js';
import { foldLogger, foldMetric } from './fold-log.js';
import { resumeDetails, whileHeartbeating } from './heartbeat.js';
import { oofPrefix, storageOofStore } from './oof-store.js';
import { putArtifact, readJson, runLog } from './run-records.js';
import { insertModelVersion } from '../db/models.js';
import { jsonb } from '../db/text.js';

export interface TrainInput {
  run_id: string; manifest_key: string; parquet_key: string; eda_key: string;
  target: string; task: 'auto' | 'classification' | 'regression'; options: RunOptions;
}
export interface TrainSummary {
  modeling_key: string; model_id: string; task: string; target: string; metric: string;
  leaderboard: Omit<LeaderboardEntry, 'folds'>[]; best_model: string; resumed_folds: number; attempt: number;
}
/**
 * Heartbeat details: fold scores finished so far (small: trials × folds numbers, each with the storage key of its
 * out-of-fold predictions, never the predictions) and how many in all.
 */
export interface TrainCheckpoint { folds: FoldScore[]; total?: number }

/** The input schema a caller must send to predict: names, types, known categories, training ranges. */
export function modelFeatures(a: ModelArtifact) {
  return a.preprocessing.inputs.map((f) => {
    const ref = a.drift.find((d) => d.feature === f.name);
    const bins = a.preprocessing.binner.find((b) => b.input === f.name);
    return { name: f.name, type: f.type, ...(bins?.kind === 'categorical' ? { categories: bins.categories.slice(0, 50) } : {}),
      missing_share: ref?.missing ?? 0 };
  });
}

/** Cross-validates the candidates, stores the best model and modeling.json, and records the model row. */
export function trainActivity(deps: ActivityDeps) {
  return async function train(input: TrainInput): Promise<TrainSummary> {
    return dataErrorsAreFinal(async () => {
      const started = Date.now();
      const manifest = await readJson<TableManifest>(deps, input.manifest_key);
      const col = manifest.columns.find((c) => c.name === input.target);
      if (!col) throw new DataError('INVALID_TARGET', `The target column '${input.target}' does not exist in the dataset.`);
      let task = input.task;
      const eda = await readJson<EdaResult>(deps, input.eda_key);
      if (task === 'auto') {
        const prof = eda.columns.find((c) => c.name === input.target);
        task = taskFor({ type: col.type, distinct: prof?.distinct ?? Infinity });
      }
      // The profile read every row in file order; a sample may not keep it.
      const ordered = eda.time_series?.column ?? eda.columns.find((c) => c.type === 'datetime' && c.datetime?.ordered && c.distinct >= 10)?.name;
      const timeHint = !ordered || ordered === input.target ? undefined
        : { column: ordered, why: eda.time_series?.column === ordered ? `the profile calls the table a time series ordered by '${ordered}'` : `'${ordered}' orders the rows` };
      const cvFolds = input.options.validation?.folds ?? input.options.cv_folds ?? 5;
      const prior = resumeDetails<TrainCheckpoint>();
      if (prior?.folds.length) await runLog(deps, input.run_id, 'info', `train: resuming with ${prior.folds.length} folds already scored`);
      const dir = await fs.mkdtemp(path.join(deps.tmpDir, 'train-'));
      try {
        const parquet = path.join(dir, 'data.parquet');
        await deps.storage.getToFile(input.parquet_key, parquet);
        // No budget given: one that scales with the table. The sample then grows with the budget (not a fixed cap).
        const given = input.options.time_budget_s;
        const fallback = defaultTimeBudget(manifest.rows, manifest.cols);
        const budget = given ?? fallback.seconds;
        // The search cross-validates on what the budget affords; more rows are loaded for the finish (the refit and
        // the explanation fit), which takes as many as the time left affords. sample_rows given: one sample for all.
        const asked = input.options.sample_rows;
        const searchRows = asked ?? sampleRowsFor(budget, manifest.cols, deps.defaultSampleRows);
        const sampleRows = asked ?? loadRowsFor(budget, manifest.cols, searchRows);
        const seed = input.options.seed ?? 42;
        const loaded = await whileHeartbeating(
          loadFrame(parquet, manifest.columns.map((c) => c.name), { sampleRows, seed, stratifyBy: task === 'classification' ? input.target : undefined, signal: Context.current().cancellationSignal }), () => ({ folds: prior?.folds ?? [] }));
        const { totalRows, sampled } = loaded;
        const loadedRows = loaded.frame.rows;
        // CPU-heavy: a worker thread fits while this thread heartbeats the folds finished so far.
        const ctx = Context.current();
        let folds: FoldScore[] = prior?.folds ?? [];
        let total: number | undefined;
        // The budget counts from the start of the stage, so loading the data spends it too.
        const spent = (Date.now() - started) / 1000;
        // A log line per finished fold: the run's event stream (it reads the logs table) shows training moving.
        const classes = eda.columns.find((c) => c.name === input.target)?.distinct ?? 0;
        const foldLog = foldLogger((line) => runLog(deps, input.run_id, 'info', line),
          foldMetric(task, classes, input.options.metric as MetricOption | undefined), prior?.folds);
        const job = trainInPool({
          frame: loaded.frame, target: input.target, task, columns: manifest.columns, leakThreshold: input.options.alert_thresholds?.leakage,
          cvFolds, seed, models: input.options.models as ModelName[] | undefined,
          validation: input.options.validation, timeHint, metric: input.options.metric as MetricOption | undefined,
          ignoreColumns: input.options.ignore_columns, positiveClass: input.options.positive_class,
          timeBudgetS: Math.max(budget - spent, 0.001), searchRows: asked === undefined ? searchRows : undefined,
        }, { done: prior?.folds, oof: storageOofStore(deps, input.run_id), onFold: (done, all) => {
          folds = done; total = all;
          ctx.heartbeat({ folds, total } satisfies TrainCheckpoint);
          foldLog.onFold(done);
        } });
        // Each thread received its own copy when it started: this one lets its copy go (millions of values on a large table).
        loaded.frame = { rows: loadedRows, columns: {} };
        let result;
        try {
          result = await whileHeartbeating(job.result, () => ({ folds, total } satisfies TrainCheckpoint));
        } finally {
          await job.cancel(); // stops the thread at once when the activity is cancelled
          await foldLog.flush(); // every fold's line is written before the stage's own lines
        }
        if (input.task === 'auto') {
          result.warnings.push(`Task inferred as ${task} from '${input.target}' (${col.type}); set options.task to choose otherwise.`);
        }
        const stages = result.rows_by_stage;
        if (sampled || stages.search < stages.refit) {
          const n = (x: number) => x.toLocaleString('en-US');
          const loaded = !sampled ? `all ${n(totalRows)} rows were loaded`
            : `a ${task === 'classification' ? 'stratified ' : ''}sample of ${n(loadedRows)} of ${n(totalRows)} rows was loaded (${asked !== undefined ? 'options.sample_rows' : `what the ${budget} s budget could fit: ${n(sampleRows)} rows, at most ${n(MAX_LOAD_CELLS)} cells`})`;
          const search = asked !== undefined || stages.search >= stages.refit ? '' : ` (the ${budget} s budget's search size: ${n(searchRows)} non-test rows, at least ${n(deps.defaultSampleRows)})`;
          result.warnings.push(`Large table: ${loaded}; the search cross-validated on ${n(stages.search)} rows${search}, the served model was refitted on ${n(stages.refit)}`
            + ` and the model explained was fitted on ${n(stages.explain)} (${stages.finish_rule}).`);
        }
        const modelFile = await putArtifact(deps, input.run_id, {
          type: 'model', filename: `model-${result.best_model}.json`, body: JSON.stringify(result.artifact), contentType: 'application/json',
        });
        const { artifact, ...modeling } = result;
        const modelingFile = await putArtifact(deps, input.run_id, {
          type: 'modeling', filename: 'modeling.json', contentType: 'application/json',
          body: JSON.stringify({ version: 2, ...modeling, search: { ...modeling.search, time_budget_s: budget, budget_rule: given === undefined ? fallback.rule : 'options.time_budget_s', load_seconds: spent, stage_seconds: (Date.now() - started) / 1000 },
            rows_by_stage: { loaded: loadedRows, ...modeling.rows_by_stage }, sampled, total_rows: totalRows, cv_folds: result.validation.folds, seed }),
        });
        await deps.storage.deletePrefix(oofPrefix(input.run_id)); // the model is stored: no attempt will need them
        const run = await deps.db.selectFrom('runs').select('user_id').where('id', '=', input.run_id).executeTakeFirstOrThrow();
        const best = result.leaderboard[0];
        const row = {
          run_id: input.run_id, user_id: run.user_id, name: result.best_model, task, target: input.target,
          metrics: jsonb({ metric: result.metric, cv_mean: best.cv_mean, cv_std: best.cv_std, test_score: result.test_score, validation: result.validation.scheme }),
          storage_key: modelFile.key, features: jsonb(modelFeatures(artifact)), importances: jsonb(result.importances.map((i) => ({ ...i, mean_abs_shap: result.shap_importance.find((x) => x.feature === i.feature)?.mean_abs_shap ?? null }))),
        };
        const model = await insertModelVersion(deps.db, row);
        await runLog(deps, input.run_id, 'info', `train: best ${result.best_model} ${result.metric}=${best.cv_mean.toFixed(4)} over ${result.validation.folds} ${result.validation.scheme} folds`
          + (result.test_score === null ? '' : `, test ${result.test_score.toFixed(4)} on ${result.validation.test_rows} held-out rows`));
        return {
          modeling_key: modelingFile.key, model_id: model.id, task, target: input.target, metric: result.metric,
          leaderboard: result.leaderboard.map(({ folds: _f, ...e }) => e), best_model: result.best_model,
          resumed_folds: prior?.folds.length ?? 0, attempt: Context.current().info.attempt,
        };
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });
  };
}

