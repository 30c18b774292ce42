import { expect, test } from 'vitest';
import { groupCandidates } from '../../../analysis/clarify/group-candidates.js';
import { prepareTraining } from '../../../analysis/ml/prepare-training.js';
import { repeatedId, repeatedIdsIn } from '../../../analysis/ml/validation/repeated-ids.js';

test('an id-named column repeats when its values average two or more rows, over at least five values', () => {
  expect(repeatedId('customer_id', 100, 20)).toEqual({ column: 'customer_id', groups: 20, rows_per_group: 5 });
  expect(repeatedId('customer_id', 100, 60)).toBeNull(); // mostly one row per customer
  expect(repeatedId('customer_id', 100, 3)).toBeNull(); // too few to group folds by
  expect(repeatedId('colour', 100, 20)).toBeNull(); // not named like an identifier
  expect(repeatedIdsIn({ user_id: [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, null], x: [1, 1, 1] }, ['user_id', 'x'])).toEqual([{ column: 'user_id', groups: 5, rows_per_group: 2 }]);
  // The clarification's offer and training's warning use the same test.
  expect(groupCandidates([{ name: 'store_id', count: 240, distinct: 20 }, { name: 'id', count: 240, distinct: 240 }, { name: 'sku', count: 240, distinct: 20 }]))
    .toEqual([{ column: 'store_id', groups: 20, rows_per_group: 12 }]);
});

test('training warns when a repeated identifier was not used to group the folds, and not when it was', () => {
  const rows = 120;
  const frame = { rows, columns: {
    patient_id: Array.from({ length: rows }, (_, i) => `P${i % 12}`),
    x: Array.from({ length: rows }, (_, i) => (i * 37) % 11),
    y: Array.from({ length: rows }, (_, i) => ((i * 37) % 11) * 2 + (i % 12)),
  } };
  const columns = [{ name: 'patient_id', type: 'categorical' as const }, { name: 'x', type: 'integer' as const }, { name: 'y', type: 'float' as const }];
  const base = { frame, target: 'y', task: 'regression' as const, columns, cvFolds: 3, seed: 1 };
  const plain = prepareTraining(base);
  expect(plain.validation.scheme).toBe('kfold');
  expect(plain.warnings).toContainEqual(expect.stringMatching(/^'patient_id' repeats \(12 values, 10 rows each on average\) and folds were not grouped by it/));
  const grouped = prepareTraining({ ...base, validation: { group_column: 'patient_id' } });
  expect(grouped.validation.scheme).toBe('group');
  expect(grouped.warnings.join(' ')).not.toMatch(/not grouped/);
});
