import {
  ActivityCancellationType, ActivityFailure, allHandlersFinished, ApplicationFailure, CancellationScope, condition,
  isCancellation, patched, proxyActivities, setHandler, upsertSearchAttributes,
} from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { FinalizeInput, StageTiming } from '../activities/finalize.js';
import {
  cancelSignal, cancelUpdate, clarifySignal, clarifyUpdate, DATA_FAILURE_TYPES, isDataFailure, retrySignal, retryUpdate, searchAttributeKeys,
  STAGE_PROGRESS as PROGRESS, statusQuery, TERMINAL_STATUSES, UPDATE_REFUSED, workflowIdFor,
  type AnalysisJobInput, type ClarifyInput, type JobState, type RunStatus, type Stage,
} from './definitions.js';

export interface JobOutcome { status: 'completed' | 'cancelled'; result_key: string }

function isDataError(err: unknown): boolean {
  return isDataFailure(err instanceof ActivityFailure ? err.cause : err);
}
function messageOf(err: unknown): string {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/** One analysis: ingest → profile → clarify → train → report → qa → finalize, durable end to end. */
export async function analysisJob(input: AnalysisJobInput): Promise<JobOutcome> {
  const t = input.timeouts;
  const retry: RetryPolicy = { maximumAttempts: t.max_attempts, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes: [...DATA_FAILURE_TYPES] };
  const heavy = (startToCloseS: number, taskQueue = input.task_queues.analysis) => proxyActivities<Activities>({
    taskQueue, startToCloseTimeout: `${startToCloseS}s`, heartbeatTimeout: `${t.heartbeat_s}s`, retry,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const { ingest } = heavy(t.ingest_s);
  const { profile } = heavy(t.eda_s);
  const { train } = heavy(t.model_s, input.task_queues.modeling);
  const { report } = heavy(t.report_s);
  const { qa } = heavy(t.qa_s);
  // Read-model bookkeeping is idempotent: it retries until the database is back rather than failing the run.
  const { finalize, recordRunState } = proxyActivities<Activities>({
    taskQueue: input.task_queues.analysis, startToCloseTimeout: '60s', retry: { initialInterval: '1s', maximumInterval: '60s' }, // no maximumAttempts: unlimited
  });

  const state: JobState = { status: 'running', stage: 'ingest', progress: 0, question: null, error: null, warnings: [] };
  const timings: Record<string, StageTiming> = {};
  const keys: Omit<FinalizeInput, 'run_id' | 'status' | 'error' | 'warnings' | 'timings'> = {
    rows: null, cols: null, eda_key: null, modeling_key: null, model_id: null, report_key: null, report_id: null,
  };
  let answer: ClarifyInput | undefined;
  let retryRequested = false;
  let cancelRequested = false;
  const job = new CancellationScope();

  setHandler(statusQuery, () => state);
  setHandler(clarifySignal, (a) => { if (state.status === 'awaiting_clarification') answer = a; });
  setHandler(retrySignal, () => { if (state.status === 'needs_attention') retryRequested = true; });
  setHandler(cancelSignal, () => { cancelRequested = true; job.cancel(); });

  const refuse = (why: string) => { throw ApplicationFailure.create({ message: `${why} (the run is ${state.status}).`, type: UPDATE_REFUSED, nonRetryable: true }); };
  const ended = () => TERMINAL_STATUSES.includes(state.status);
  setHandler(clarifyUpdate, async (a) => {
    answer = a;
    await condition(() => state.status !== 'awaiting_clarification');
    return state;
  }, { validator: (_a: ClarifyInput) => { if (state.status !== 'awaiting_clarification' || answer !== undefined) refuse('The run is not waiting for clarification'); } });
  setHandler(retryUpdate, async () => {
    retryRequested = true;
    await condition(() => state.status !== 'needs_attention');
    return state;
  }, { validator: (_r: { by?: string }) => { if (state.status !== 'needs_attention' || retryRequested) refuse('Only a run in needs_attention can be retried'); } });
  setHandler(cancelUpdate, async () => {
    cancelRequested = true;
    job.cancel();
    // Answers once the run has ended (usually within a second or two), so the caller sees "cancelled".
    await condition(ended);
    return state;
  }, { validator: (_c: { reason?: string }) => { if (ended() || cancelRequested) refuse('The run has already finished or is being cancelled'); } });

  // Added after the first histories were recorded: runs can be filtered by status in the Web UI, and an
  // ended run shows its final stage instead of the last one that ran.
  const showStatus = (status: RunStatus, stage?: Stage) => {
    if (!patched('status-attribute')) return;
    upsertSearchAttributes([{ key: searchAttributeKeys.status, value: status }, ...(stage ? [{ key: searchAttributeKeys.stage, value: stage }] : [])]);
  };
  const record = (message?: string) => recordRunState({ run_id: input.run_id, status: state.status, stage: state.stage, error: state.error, message });

  /** Runs a stage; when its retries are exhausted for an infrastructure reason, waits for ops to retry it. */
  async function stage<T extends { attempt: number }>(name: Stage, run: () => Promise<T>): Promise<T> {
    state.stage = name;
    state.progress = PROGRESS[name];
    upsertSearchAttributes([{ key: searchAttributeKeys.stage, value: name }]);
    await record(`${name}: started`);
    const startedAt = Date.now();
    let attempts = 0;
    for (;;) {
      try {
        const out = await run();
        timings[name] = { started_at: new Date(startedAt).toISOString(), duration_ms: Date.now() - startedAt, attempts: attempts + out.attempt };
        return out;
      } catch (err) {
        if (isCancellation(err) || isDataError(err)) throw err;
        attempts += t.max_attempts;
        state.status = 'needs_attention';
        showStatus('needs_attention');
        state.error = `${name} failed after ${t.max_attempts} attempts: ${messageOf(err)}`;
        await record(`${state.error}; waiting for retry or cancel`);
        const retried = await condition(() => retryRequested, `${t.needs_attention_s}s`);
        if (!retried) throw ApplicationFailure.nonRetryable(`${state.error} (no retry within ${t.needs_attention_s} s)`, 'NeedsAttentionTimeout');
        retryRequested = false;
        state.status = 'running';
        showStatus('running');
        state.error = null;
        await record(`${name}: retried by ops`);
      }
    }
  }

  async function pipeline(): Promise<void> {
    const o = input.options;
    showStatus('running');
    const ing = await stage('ingest', () => ingest({ run_id: input.run_id, dataset_id: input.dataset_id, column_types: o.column_types }));
    keys.rows = ing.rows;
    state.warnings.push(...(ing.warnings ?? []));
    keys.cols = ing.cols;
    const prof = await stage('profile', () => profile({
      run_id: input.run_id, manifest_key: ing.manifest_key, parquet_key: ing.parquet_key, thresholds: o.alert_thresholds, target: o.target,
    }));
    keys.eda_key = prof.eda_key;

    let target = o.target;
    let task = o.task ?? 'auto';
    let skip = o.skip_modeling ?? false;
    let groupColumn: string | undefined;
    if (!skip && !target) {
      const d = prof.decision;
      if (d.kind === 'chosen') {
        target = d.target;
        state.warnings.push(d.reason);
      } else if (d.kind === 'none') {
        skip = true;
        state.warnings.push(d.message);
      } else {
        state.stage = 'clarify';
        state.progress = PROGRESS.clarify;
        state.status = 'awaiting_clarification';
        // Added after the first histories were recorded: runs waiting for a person can be filtered by stage.
        if (patched('clarify-stage-attribute')) upsertSearchAttributes([{ key: searchAttributeKeys.stage, value: 'clarify' }]);
        showStatus('awaiting_clarification');
        state.question = { kind: 'target', message: d.message, options: d.options.map(({ column, score, reason }) => ({ column, score, reason })) };
        // A repeated identifier (several rows per customer or store) is offered as the folds' grouping.
        if (d.group_options?.length) {
          state.question.group_options = d.group_options.map(({ column, groups, rows_per_group }) => ({ column, groups, rows_per_group }));
        }
        await record('clarify: waiting for the user to choose a target');
        const answered = await condition(() => answer !== undefined, `${t.clarify_s}s`);
        state.question = null;
        state.status = 'running';
        showStatus('running');
        if (!answered || !answer) {
          skip = true;
          state.warnings.push(`No answer to the clarification question within ${t.clarify_s} s; the report covers EDA only.`);
        } else if (answer.skip_modeling || !answer.target) {
          skip = true;
          state.warnings.push('Modeling skipped at the user\'s request.');
        } else {
          target = answer.target;
          task = answer.task ?? task;
          groupColumn = answer.group_column;
        }
        await record(skip ? 'clarify: continuing without modeling' : `clarify: target '${target}'`);
      }
    }
    if (!skip && target) {
      const tr = await stage('train', () => train({
        run_id: input.run_id, manifest_key: ing.manifest_key, parquet_key: ing.parquet_key, eda_key: prof.eda_key, target: target!, task,
        options: groupColumn ? { ...o, validation: { ...o.validation, group_column: groupColumn } } : o,
      }));
      keys.modeling_key = tr.modeling_key;
      keys.model_id = tr.model_id;
    }
    const rep = await stage('report', () => report({
      run_id: input.run_id, workflow_id: workflowIdFor(input.run_id), manifest_key: ing.manifest_key, eda_key: prof.eda_key,
      modeling_key: keys.modeling_key, warnings: state.warnings, options: { ...o },
    }));
    keys.report_key = rep.report_key;
    keys.report_id = rep.report_id;
    state.warnings.push(...(rep.warnings ?? []));
    const check = await stage('qa', () => qa({
      run_id: input.run_id, rows: ing.rows, eda_key: prof.eda_key, modeling_key: keys.modeling_key, report_key: rep.report_key,
      ending: { ...keys, warnings: state.warnings, timings }, pdf_key: rep.pdf_key ?? null,
    }));
    state.warnings.push(...check.warnings);
  }

  const end = (status: FinalizeInput['status'], error: string | null) => {
    state.stage = 'finalize';
    state.progress = PROGRESS.finalize;
    return finalize({ run_id: input.run_id, status, error, warnings: state.warnings, timings, ...keys });
  };

  try {
    await job.run(pipeline);
    const done = await end('completed', null);
    state.status = 'completed';
    showStatus('completed', 'finalize');
    state.progress = 100;
    await condition(allHandlersFinished);
    return { status: 'completed', result_key: done.result_key };
  } catch (err) {
    if (isCancellation(err)) {
      // Signal and Temporal cancellation end alike: partial artifacts kept, result written, status cancelled.
      const done = await CancellationScope.nonCancellable(() => end('cancelled', 'Cancelled by request.'));
      state.status = 'cancelled';
      showStatus('cancelled', 'finalize');
      state.question = null;
      if (!cancelRequested) throw err; // Cancelled from the Web UI or CLI: the execution itself ends Canceled.
      await condition(allHandlersFinished); // the cancel update answers with the final state before the run closes
      return { status: 'cancelled', result_key: done.result_key };
    }
    const message = messageOf(err);
    state.error = message;
    await CancellationScope.nonCancellable(() => end('failed', message));
    state.status = 'failed'; // only once result.json exists, so a client seeing "failed" can read it
    showStatus('failed', 'finalize');
    throw ApplicationFailure.nonRetryable(message, 'JobFailed');
  }
}
