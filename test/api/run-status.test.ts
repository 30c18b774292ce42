import { defaultPayloadConverter } from '@temporalio/common';
import { expect, test } from 'vitest';
import { fractionFromHeartbeat, overallProgress } from '../../api/run-status.js';

const details = (d: unknown) => ({ payloads: [defaultPayloadConverter.toPayload(d)] }) as never;

test('heartbeat details give the fraction of the stage done', () => {
  expect(fractionFromHeartbeat(details({ columns_done: 3, columns_total: 12, partial_key: 'k' }))).toBe(0.25);
  expect(fractionFromHeartbeat(details({ folds: [1, 2, 3, 4, 5], total: 10 }))).toBe(0.5);
  expect(fractionFromHeartbeat(details({ phase: 'read' }))).toBeNull();
  expect(fractionFromHeartbeat(undefined)).toBeNull();
});

test('overall progress interpolates between a stage and the next', () => {
  expect(overallProgress('train', 0.5)).toBe(60);
  expect(overallProgress('profile', 1)).toBe(35);
  expect(overallProgress('ingest', null)).toBe(0);
  expect(overallProgress('finalize', 1)).toBe(100);
});
