import { ID_NAME } from '../../ingest/column-types.js';

/** A column named like an identifier whose values repeat: rows of one entity (a customer, a store, a machine). */
export interface RepeatedId { column: string; groups: number; rows_per_group: number }

/** Fewer rows per value than this on average and the repeats are too rare to matter for folds. */
export const MIN_ROWS_PER_GROUP = 2;
/** At least this many entities, or grouping leaves too few folds. */
export const MIN_GROUPS = 5;

/**
 * The one test for "an identifier that repeats", used both for the clarification's offer (from the profile's
 * counts) and for training's warning (from the rows it trains on), so the two never disagree on a column.
 */
export function repeatedId(column: string, nonNull: number, distinct: number): RepeatedId | null {
  if (!ID_NAME.test(column) || distinct < MIN_GROUPS || nonNull < distinct * MIN_ROWS_PER_GROUP) return null;
  return { column, groups: distinct, rows_per_group: Math.round((nonNull / distinct) * 10) / 10 };
}

/** Repeated identifiers among `names`, counted over the given column values. */
export function repeatedIdsIn(columns: Record<string, unknown[] | undefined>, names: string[]): RepeatedId[] {
  const out: RepeatedId[] = [];
  for (const name of names) {
    const values = columns[name];
    if (!values || !ID_NAME.test(name)) continue;
    const seen = new Set<string>();
    let n = 0;
    for (const v of values) if (v !== null && v !== undefined && v !== '') { seen.add(String(v)); n++; }
    const hit = repeatedId(name, n, seen.size);
    if (hit) out.push(hit);
  }
  return out;
}

/** What training says when rows of a repeated identifier were not kept together in folds. */
export function ungroupedWarning(r: RepeatedId): string {
  return `'${r.column}' repeats (${r.groups} values, ${r.rows_per_group} rows each on average) and folds were not grouped by it, so rows of one `
    + `${r.column} sit on both sides of a fold and the scores may be optimistic for ${r.column} values the model has never seen; `
    + `set options.validation.group_column to '${r.column}' (or answer the clarification with group_column) for an honest score on new ones.`;
}
