import { afterEach, expect, test } from 'vitest';
import type { Run } from '../../db/schema.js';
import { logIdFromLastEventId, runEventHub, type RunEventHub, type RunEventReads, type RunLogRow } from '../../api/run-events.js';
import type { StatusCore } from '../../api/run-status.js';

/** A run in memory: its status can change, log lines can be added, and every read is counted. */
function fakeRun(runId = 'r1') {
  const state = { status: 'running', logs: [] as RunLogRow[], runReads: 0, statusReads: 0 };
  const reads: RunEventReads = {
    run: async (id) => { state.runReads += 1; return id === runId ? ({ id, workflow_id: `run-${id}`, status: state.status, stage: 'train', error: null } as unknown as Run) : undefined; },
    logs: async (_id, after, upTo) => state.logs.filter((l) => l.id > after && (upTo === undefined || l.id <= upTo)),
    status: async (run) => { state.statusReads += 1; return { run_id: run.id, status: run.status } as unknown as StatusCore; },
  };
  const log = (message: string) => state.logs.push({ id: state.logs.length + 1, at: new Date(0), level: 'info', message });
  return { state, reads, log };
}

/** A sink that records what it was sent. */
function sink() {
  const s = { text: '', ended: false, write: (f: string) => { s.text += f; }, end: () => { s.ended = true; } };
  return s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (pred: () => boolean, ms = 2000) => {
  const deadline = Date.now() + ms;
  while (!pred()) { if (Date.now() > deadline) throw new Error('condition not reached'); await sleep(5); }
};
const events = (text: string) => [...text.matchAll(/id: (\S+)\nevent: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({ id: m[1], event: m[2], data: JSON.parse(m[3]) }));

let hub: RunEventHub | undefined;
afterEach(() => hub?.close());

test('two subscribers to one run share one poll loop and get the same events', async () => {
  const run = fakeRun();
  run.log('ingest: read');
  hub = runEventHub({ reads: run.reads, logger: console, intervalMs: 40, keepAliveMs: 60_000 });
  const a = sink(), b = sink();
  hub.subscribe('r1', a);
  hub.subscribe('r1', b);
  expect(hub.watching).toBe(1);
  await until(() => events(a.text).length === 2 && events(b.text).length === 2);
  run.log('train: fold 1');
  await sleep(400); // ten intervals: one loop polls at most ~11 times, two would poll ~20
  expect(run.state.runReads).toBeLessThanOrEqual(12);
  expect(run.state.statusReads).toBe(run.state.runReads);
  expect(events(a.text).map((e) => `${e.id} ${e.event}`)).toEqual(['1 log', '1.1 status', '2 log']);
  expect(b.text).toBe(a.text);
});

test('a late subscriber gets the log lines so far and the current status, then live events', async () => {
  const run = fakeRun();
  run.log('one');
  run.log('two');
  hub = runEventHub({ reads: run.reads, logger: console, intervalMs: 30, keepAliveMs: 60_000 });
  const a = sink();
  hub.subscribe('r1', a);
  await until(() => events(a.text).length === 3);
  const late = sink();
  hub.subscribe('r1', late);
  await until(() => events(late.text).length === 3);
  run.log('three');
  await until(() => events(late.text).length === 4);
  expect(events(late.text).map((e) => `${e.id} ${e.event}`)).toEqual(['1 log', '2 log', '2.1 status', '3 log']);
  const resumed = sink();
  hub.subscribe('r1', resumed, { afterLogId: logIdFromLastEventId('2.1') }); // a reconnect: only what it missed
  await until(() => events(resumed.text).length === 2);
  expect(events(resumed.text).map((e) => e.data.message ?? e.event)).toEqual(['three', 'status']);
});

test('unsubscribing the last subscriber stops the loop', async () => {
  const run = fakeRun();
  hub = runEventHub({ reads: run.reads, logger: console, intervalMs: 20, keepAliveMs: 60_000 });
  const offA = hub.subscribe('r1', sink());
  const offB = hub.subscribe('r1', sink());
  await until(() => run.state.runReads >= 2);
  offA();
  expect(hub.watching).toBe(1);
  offB();
  expect(hub.watching).toBe(0);
  await sleep(30); // a poll in flight may finish
  const reads = run.state.runReads;
  await sleep(150);
  expect(run.state.runReads).toBe(reads);
});

test('a terminal status ends every subscriber, after that status', async () => {
  const run = fakeRun();
  hub = runEventHub({ reads: run.reads, logger: console, intervalMs: 20, keepAliveMs: 60_000 });
  const a = sink(), b = sink();
  hub.subscribe('r1', a);
  hub.subscribe('r1', b);
  await until(() => events(a.text).length === 1);
  run.log('finalize: run completed');
  run.state.status = 'completed';
  await until(() => a.ended && b.ended);
  for (const s of [a, b]) expect(events(s.text).map((e) => e.data.status ?? e.data.message)).toEqual(['running', 'finalize: run completed', 'completed']);
  expect(hub.watching).toBe(0);
});

test('a quiet run gets keep-alive comments; a failing read ends the streams so clients reconnect', async () => {
  const run = fakeRun();
  const errors: unknown[] = [];
  hub = runEventHub({ reads: run.reads, logger: { error: (o: unknown) => errors.push(o) } as never, intervalMs: 20, keepAliveMs: 50 });
  const a = sink();
  hub.subscribe('r1', a);
  await until(() => a.text.includes(': keep-alive\n\n'));
  run.reads.run = async () => { throw new Error('database down'); };
  await until(() => a.ended);
  expect(errors).toHaveLength(1);
  expect(hub.watching).toBe(0);
});

test('Last-Event-ID gives the log cursor of a log or status id, and 0 for anything else', () => {
  expect(logIdFromLastEventId('57')).toBe(57);
  expect(logIdFromLastEventId('57.3')).toBe(57);
  expect(logIdFromLastEventId(undefined)).toBe(0);
  expect(logIdFromLastEventId('')).toBe(0);
  expect(logIdFromLastEventId('abc')).toBe(0);
  expect(logIdFromLastEventId('-4')).toBe(0);
});
