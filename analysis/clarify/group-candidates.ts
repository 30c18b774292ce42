import { repeatedId, type RepeatedId } from '../ml/validation/repeated-ids.js';
import type { ColumnProfile } from '../profile/types.js';

/**
 * Identifier-like columns whose values repeat (several rows per customer, store or machine): the clarification
 * offers to keep each one's rows together in validation. Same test as training's warning (`repeatedId`).
 */
export function groupCandidates(columns: Pick<ColumnProfile, 'name' | 'count' | 'distinct'>[]): RepeatedId[] {
  return columns.map((c) => repeatedId(c.name, c.count, c.distinct)).filter((r): r is RepeatedId => r !== null)
    .sort((a, b) => b.rows_per_group - a.rows_per_group).slice(0, 3);
}

/** The sentence the question adds when it offers grouping. */
export function groupOffer(groups: RepeatedId[]): string {
  const names = groups.map((g) => `'${g.column}' (${g.groups} values, ${g.rows_per_group} rows each)`).join(', ');
  return ` ${names} ${groups.length > 1 ? 'repeat' : 'repeats'}: answer with group_column to keep each value's rows on one side of every fold, so the score is for values the model has not seen.`;
}
