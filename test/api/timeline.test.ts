import fs from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { expect, test } from 'vitest';
import { timelineFromHistory } from '../../api/timeline.js';

const load = (name: string) => historyFromJSON(JSON.parse(fs.readFileSync(`test/histories/${name}.json`, 'utf8'))).events ?? [];

test('the retry path reads as attempts, the ops signal, then the stage completing', () => {
  const events = timelineFromHistory(load('retry-needs-attention'));
  const train = events.filter((e) => e.stage === 'train' || e.kind === 'signal').map((e) => `${e.kind}#${e.attempt ?? '-'}${e.detail ? `:${e.detail}` : ''}`);
  expect(train).toEqual([
    'stage_scheduled#-', 'stage_started#2:previous attempt: object store unreachable', 'stage_failed#2:object store unreachable',
    'signal#-:retry', 'stage_scheduled#-', 'stage_started#1', 'stage_completed#1',
  ]);
  expect(events[0].kind).toBe('workflow_started');
  expect(events.at(-1)!.kind).toBe('workflow_completed');
  for (const e of events) expect(e.at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
});

test('Temporal cancellation shows the request, the cancelled stage and the cancelled workflow', () => {
  const kinds = timelineFromHistory(load('cancel-temporal')).map((e) => `${e.kind}:${e.stage ?? ''}`);
  expect(kinds).toEqual(expect.arrayContaining(['cancel_requested:', 'stage_cancelled:train', 'stage_completed:finalize', 'workflow_cancelled:']));
  expect(kinds.indexOf('cancel_requested:')).toBeLessThan(kinds.indexOf('workflow_cancelled:'));
});

test('bad data fails the workflow with the readable reason', () => {
  const events = timelineFromHistory(load('bad-data'));
  expect(events.find((e) => e.kind === 'stage_failed')).toMatchObject({ stage: 'ingest', attempt: 1, detail: 'The file has a header but no data rows.' });
  expect(events.at(-1)).toMatchObject({ kind: 'workflow_failed' });
});
