import { expect, test } from 'vitest';
import { CONFIDENT_MARGIN, CONFIDENT_SCORE, decideTarget } from '../../../analysis/clarify/decide-target.js';
import { rankTargetCandidates } from '../../../analysis/clarify/target-candidates.js';
import type { ColumnProfile } from '../../../analysis/profile/types.js';

const col = (name: string, type: ColumnProfile['type'], distinct: number, missing_pct = 0): ColumnProfile => ({
  name, type, count: 100, missing: missing_pct * 100, missing_pct, distinct, unique_ratio: distinct / 100, min: null, max: null, mean: null, std: null,
  quantiles: null, skewness: null, kurtosis: null, zeros: null, negatives: null, histogram: null, top_values: null, avg_length: null, infinities: null, outliers: null, length: null, datetime: null,
});

test('a column named like a target, with few classes, is chosen without asking', () => {
  const ranked = rankTargetCandidates([col('age', 'integer', 60), col('height', 'float', 90), col('churn', 'boolean', 2)]);
  expect(ranked[0]).toMatchObject({ column: 'churn', task: 'classification' });
  const d = decideTarget(ranked);
  expect(d).toMatchObject({ kind: 'chosen', target: 'churn', task: 'classification' });
});

test('no clear leader means a question with ranked options and reasons', () => {
  const d = decideTarget(rankTargetCandidates([col('a', 'float', 90), col('b', 'float', 80), col('c', 'categorical', 3)]));
  expect(d.kind).toBe('ask');
  if (d.kind !== 'ask') return;
  expect(d.options[0]).toMatchObject({ column: 'c', reason: expect.stringContaining('last column') });
  expect(d.options.map((o) => o.score)).toEqual([...d.options.map((o) => o.score)].sort((x, y) => y - x));
});

test('identifiers, free text, dates, constants and mostly-missing columns are never candidates', () => {
  const ranked = rankTargetCandidates([col('id', 'identifier', 100), col('note', 'text', 95), col('when', 'datetime', 50),
    col('k', 'categorical', 1), col('sparse', 'float', 40, 0.8)]);
  expect(ranked).toEqual([]);
  expect(decideTarget(ranked).kind).toBe('none');
});

test('the rule is the documented one: score and margin thresholds', () => {
  const mk = (s1: number, s2: number) => decideTarget([{ column: 'x', score: s1, reason: '', task: 'regression' }, { column: 'y', score: s2, reason: '', task: 'regression' }]).kind;
  expect(mk(CONFIDENT_SCORE, CONFIDENT_SCORE - CONFIDENT_MARGIN)).toBe('chosen');
  expect(mk(CONFIDENT_SCORE - 0.01, 0)).toBe('ask');
  expect(mk(0.9, 0.9 - CONFIDENT_MARGIN + 0.01)).toBe('ask');
});
