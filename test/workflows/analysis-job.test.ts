import { Context } from '@temporalio/activity';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { FinalizeInput } from '../../activities/finalize.js';
import { cancelSignal, cancelUpdate, clarifySignal, clarifyUpdate, retrySignal, retryUpdate, UPDATE_REFUSED } from '../../workflows/definitions.js';
import { bundle, createEnv, jobInput, mockActivities, scenario, waitForState, type Calls } from './harness.js';

let env: TestWorkflowEnvironment;
let wb: WorkflowBundleWithSourceMap;
beforeAll(async () => { [env, wb] = await Promise.all([createEnv(), bundle()]); });
afterAll(async () => { await env?.teardown(); });

const names = (calls: Calls) => calls.map((c) => c.name).filter((n) => n !== 'recordRunState');
const finalizeOf = (calls: Calls) => calls.find((c) => c.name === 'finalize')!.input as FinalizeInput;

/** A train activity that fails twice (the object store "down"), then succeeds; `calls` counts attempts. */
function failingTwice() {
  const t = {
    calls: 0,
    activity: async (i: { target: string }) => {
      t.calls++;
      if (t.calls <= 2) throw new Error('object store unreachable');
      return { modeling_key: 'mo', model_id: 'm', task: 'classification', target: i.target, metric: 'roc_auc', leaderboard: [], best_model: 'linear', resumed_folds: 0, attempt: 1 };
    },
  };
  return t;
}

/** An activity that heartbeats until it is cancelled, noting that it saw the cancellation. */
const untilCancelled = (seen: { cancelled: boolean; started?: boolean }) => async () => {
  const ctx = Context.current();
  seen.started = true;
  try {
    for (;;) { ctx.heartbeat({ working: true }); await ctx.sleep(100); }
  } catch (err) {
    if (err instanceof CancelledFailure) seen.cancelled = true;
    throw err;
  }
};

/** Resolves once `ready()` holds (vitest's waitFor: polled every 20 ms, for at most 20 s). */
const until = (ready: () => boolean) => vi.waitFor(() => { if (!ready()) throw new Error('condition not reached'); }, { timeout: 20_000, interval: 20 });

describe('analysisJob', () => {
  test('happy path: every stage runs in order and the run completes', async () => {
    const calls: Calls = [];
    const out = await scenario(env, wb, mockActivities(calls), (tq) => jobInput(tq, { target: 'y' }), (h) => h.result(), 'happy-path');
    expect(out.status).toBe('completed');
    expect(names(calls)).toEqual(['ingest', 'profile', 'train', 'report', 'qa', 'finalize']);
    const fin = finalizeOf(calls);
    expect(fin.status).toBe('completed');
    expect(Object.keys(fin.timings)).toEqual(['ingest', 'profile', 'train', 'report', 'qa']);
    expect(fin.report_key).toBe('r');
  });

  test('clarify: without a clear target the run asks, then trains on the answer', async () => {
    const calls: Calls = [];
    const acts = mockActivities(calls, {
      profile: async () => ({ eda_key: 'e', rows: 10, cols: 3, alerts: 0, resumed_from: 0, attempt: 1,
        decision: { kind: 'ask', message: 'Which column?', options: [{ column: 'a', score: 0.4, reason: 'r', task: 'classification' }, { column: 'b', score: 0.3, reason: 'r', task: 'regression' }] } }),
    });
    const out = await scenario(env, wb, acts, (tq) => jobInput(tq), async (h) => {
      const s = await waitForState(h, (st) => st.status === 'awaiting_clarification');
      expect(s.stage).toBe('clarify');
      expect(s.question?.options.map((o) => o.column)).toEqual(['a', 'b']);
      await h.signal(clarifySignal, { target: 'b', task: 'regression' });
      return h.result();
    }, 'clarify');
    expect(out.status).toBe('completed');
    const train = calls.find((c) => c.name === 'train')!.input as { target: string; task: string };
    expect(train).toMatchObject({ target: 'b', task: 'regression' });
  });

  test('clarify timeout: no answer means an EDA-only report', async () => {
    const calls: Calls = [];
    const acts = mockActivities(calls, {
      profile: async () => ({ eda_key: 'e', rows: 10, cols: 3, alerts: 0, resumed_from: 0, attempt: 1,
        decision: { kind: 'ask', message: 'Which column?', options: [{ column: 'a', score: 0.4, reason: 'r', task: 'classification' }] } }),
    });
    const out = await scenario(env, wb, acts, (tq) => jobInput(tq, {}, { clarify_s: 2 }), (h) => h.result(), 'clarify-timeout');
    expect(out.status).toBe('completed');
    expect(names(calls)).toEqual(['ingest', 'profile', 'report', 'qa', 'finalize']);
    expect(finalizeOf(calls).warnings.join(' ')).toMatch(/No answer to the clarification question within 2 s/);
  });

  test('cancel by signal: the running activity is cancelled through its heartbeat and partial results are finalized', async () => {
    const calls: Calls = [];
    const seen = { cancelled: false, started: false };
    const out = await scenario(env, wb, mockActivities(calls, { train: untilCancelled(seen) as never }), (tq) => jobInput(tq, { target: 'y' }), async (h) => {
      await waitForState(h, (s) => s.stage === 'train');
      await until(() => seen.started);
      await h.signal(cancelSignal, { reason: 'test' });
      return h.result();
    }, 'cancel-signal');
    expect(out.status).toBe('cancelled');
    expect(seen.cancelled).toBe(true);
    const fin = finalizeOf(calls);
    expect(fin.status).toBe('cancelled');
    expect(fin.eda_key).toBe('e'); // what profile produced is kept and listed
  });

  test('cancel from Temporal (Web UI / CLI) ends the same way, and the execution is Canceled', async () => {
    const calls: Calls = [];
    const seen = { cancelled: false, started: false };
    const err = await scenario(env, wb, mockActivities(calls, { train: untilCancelled(seen) as never }), (tq) => jobInput(tq, { target: 'y' }), async (h) => {
      await waitForState(h, (s) => s.stage === 'train');
      await until(() => seen.started); // the stage is set before its activity starts: a cancel in between never reaches it
      await h.cancel();
      return h.result().then(() => null, (e: unknown) => e);
    }, 'cancel-temporal');
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(seen.cancelled).toBe(true);
    expect(finalizeOf(calls).status).toBe('cancelled');
  });

  test('retry: a stage that exhausts its retries waits in needs_attention until ops retry it', async () => {
    const calls: Calls = [];
    const train = failingTwice();
    const acts = mockActivities(calls, { train: train.activity });
    const out = await scenario(env, wb, acts, (tq) => jobInput(tq, { target: 'y' }), async (h) => {
      const s = await waitForState(h, (st) => st.status === 'needs_attention');
      expect(s.stage).toBe('train');
      expect(s.error).toMatch(/train failed after 2 attempts: object store unreachable/);
      await h.signal(retrySignal, { by: 'ops' });
      return h.result();
    }, 'retry-needs-attention');
    expect(out.status).toBe('completed');
    expect(train.calls).toBe(3);
    expect(finalizeOf(calls).timings.train.attempts).toBe(3);
  });

  test('needs_attention without a retry fails the run after NEEDS_ATTENTION_TIMEOUT_S', async () => {
    const calls: Calls = [];
    const acts = mockActivities(calls, { report: async () => { throw new Error('disk full'); } });
    const err = await scenario(env, wb, acts, (tq) => jobInput(tq, { target: 'y' }, { needs_attention_s: 1 }), (h) => h.result().then(() => null, (e: unknown) => e));
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(finalizeOf(calls)).toMatchObject({ status: 'failed' });
    expect(finalizeOf(calls).error).toMatch(/report failed after 2 attempts: disk full/);
  });

  test('bad data fails the run at once, non-retryably, with the readable reason', async () => {
    const calls: Calls = [];
    const acts = mockActivities(calls, {
      ingest: async () => { throw ApplicationFailure.create({ type: 'UNPROCESSABLE_DATASET', message: 'The file has a header but no data rows.', nonRetryable: true }); },
    });
    const err = await scenario(env, wb, acts, (tq) => jobInput(tq, { target: 'y' }), (h) => h.result().then(() => null, (e: unknown) => e), 'bad-data');
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String((err as WorkflowFailedError).cause?.message)).toBe('The file has a header but no data rows.');
    expect(calls.filter((c) => c.name === 'ingest')).toHaveLength(1);
    expect(finalizeOf(calls)).toMatchObject({ status: 'failed', error: 'The file has a header but no data rows.' });
  });

  test('an activity retried after a crash resumes from its last heartbeat details', async () => {
    const calls: Calls = [];
    const seenDetails: unknown[] = [];
    const acts = mockActivities(calls, {
      profile: async () => {
        const ctx = Context.current();
        seenDetails.push(ctx.info.heartbeatDetails ?? null);
        if (ctx.info.attempt === 1) {
          ctx.heartbeat({ columns_done: 3, partial_key: 'runs/x/profile.partial.json' });
          await ctx.sleep(1500); // let the heartbeat reach the server before the crash
          throw new Error('worker lost its disk');
        }
        const d = ctx.info.heartbeatDetails as { columns_done: number };
        return { eda_key: 'e', rows: 10, cols: 5, alerts: 0, resumed_from: d.columns_done, attempt: ctx.info.attempt,
          decision: { kind: 'chosen', target: 'y', task: 'classification', reason: 'r' } };
      },
    });
    const out = await scenario(env, wb, acts, (tq) => jobInput(tq, { target: 'y' }, { max_attempts: 3 }), (h) => h.result(), 'heartbeat-resume');
    expect(out.status).toBe('completed');
    expect(seenDetails).toEqual([null, { columns_done: 3, partial_key: 'runs/x/profile.partial.json' }]);
    expect(finalizeOf(calls).timings.profile.attempts).toBe(2);
  });

  test('skip_modeling goes straight from profile to report', async () => {
    const calls: Calls = [];
    const out = await scenario(env, wb, mockActivities(calls), (tq) => jobInput(tq, { skip_modeling: true }), (h) => h.result());
    expect(out.status).toBe('completed');
    expect(names(calls)).toEqual(['ingest', 'profile', 'report', 'qa', 'finalize']);
  });

  describe('updates: the caller learns at once whether the message was taken', () => {
    const asking = (calls: Calls) => mockActivities(calls, {
      profile: async () => ({ eda_key: 'e', rows: 10, cols: 3, alerts: 0, resumed_from: 0, attempt: 1,
        decision: { kind: 'ask', message: 'Which column?', options: [{ column: 'a', score: 0.4, reason: 'r', task: 'classification' }] } }),
    });
    const refusal = (err: unknown) => {
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe(UPDATE_REFUSED);
      return cause.message;
    };

    test('clarify: refused before the question and after the answer; accepted in between, answering with the new state', async () => {
      const calls: Calls = [];
      let release!: () => void;
      const profileGate = new Promise<void>((r) => { release = r; });
      const acts = asking(calls);
      const ask = acts.profile;
      acts.profile = (async (i: never) => { await profileGate; return ask(i); }) as never;
      const out = await scenario(env, wb, acts, (tq) => jobInput(tq), async (h) => {
        await waitForState(h, (s) => s.stage === 'profile');
        expect(refusal(await h.executeUpdate(clarifyUpdate, { args: [{ target: 'a' }] }).catch((e: unknown) => e)))
          .toBe('The run is not waiting for clarification (the run is running).');
        release();
        await waitForState(h, (s) => s.status === 'awaiting_clarification');
        const state = await h.executeUpdate(clarifyUpdate, { args: [{ target: 'a', task: 'classification' }] });
        expect(state).toMatchObject({ status: 'running', question: null });
        expect(refusal(await h.executeUpdate(clarifyUpdate, { args: [{ target: 'a' }] }).catch((e: unknown) => e))).toMatch(/not waiting for clarification/);
        return h.result();
      }, 'clarify-update');
      expect(out.status).toBe('completed');
      expect((calls.find((c) => c.name === 'train')!.input as { target: string }).target).toBe('a');
    });

    test('cancel: answers with the cancelled state once the running activity has stopped', async () => {
      const calls: Calls = [];
      const seen = { cancelled: false, started: false };
      const out = await scenario(env, wb, mockActivities(calls, { train: untilCancelled(seen) as never }), (tq) => jobInput(tq, { target: 'y' }), async (h) => {
        await waitForState(h, (s) => s.stage === 'train');
        await until(() => seen.started);
        const state = await h.executeUpdate(cancelUpdate, { args: [{ reason: 'test' }] });
        expect(state.status).toBe('cancelled');
        const out = await h.result();
        expect((await h.describe()).searchAttributes).toMatchObject({ AssayStatus: ['cancelled'], AssayStage: ['finalize'] });
        return out;
      }, 'cancel-update');
      expect(out.status).toBe('cancelled');
      expect(seen.cancelled).toBe(true);
      expect(finalizeOf(calls)).toMatchObject({ status: 'cancelled', eda_key: 'e' });
    });

    test('retry: refused while running, accepted in needs_attention', async () => {
      const calls: Calls = [];
      const train = failingTwice();
      const acts = mockActivities(calls, { train: train.activity });
      const out = await scenario(env, wb, acts, (tq) => jobInput(tq, { target: 'y' }), async (h) => {
        expect(refusal(await h.executeUpdate(retryUpdate, { args: [{ by: 'ops' }] }).catch((e: unknown) => e))).toMatch(/Only a run in needs_attention can be retried/);
        await waitForState(h, (st) => st.status === 'needs_attention');
        expect((await h.describe()).searchAttributes).toMatchObject({ AssayStatus: ['needs_attention'], AssayStage: ['train'] });
        const state = await h.executeUpdate(retryUpdate, { args: [{ by: 'ops' }] });
        expect(state.status).toBe('running');
        const out = await h.result();
        // An ended run shows where it ended, not the last stage that ran.
        expect((await h.describe()).searchAttributes).toMatchObject({ AssayStatus: ['completed'], AssayStage: ['finalize'] });
        return out;
      }, 'retry-update');
      expect(out.status).toBe('completed');
      expect(train.calls).toBe(3);
    });
  });
});
