/** The default time budget's floor and ceiling, in seconds. */
export const MIN_DEFAULT_BUDGET_S = 30;
export const MAX_DEFAULT_BUDGET_S = 600;
/** Cells (rows × columns) one second of default budget is granted for. */
export const CELLS_PER_BUDGET_SECOND = 10_000;
/**
 * Cells of training data one second of budget is worth loading: about 40 fold fits (8 trials of 5 folds)
 * in 75% of the budget on two threads, at the ~300k cells per second a GBDT fit of defaults manages.
 */
export const SAMPLE_CELLS_PER_BUDGET_SECOND = 10_000;

/**
 * The train stage's time budget when the caller gives none: 30 s plus one second per 10,000 cells, at most
 * 600 s. A 1,000 × 10 table gets 31 s, 100,000 × 20 gets 230 s, anything from 5.7M cells 600 s.
 * @returns the budget and the sentence the result states it with
 */
export function defaultTimeBudget(rows: number, columns: number): { seconds: number; rule: string } {
  const cells = rows * Math.max(1, columns);
  const seconds = Math.round(Math.min(MAX_DEFAULT_BUDGET_S, MIN_DEFAULT_BUDGET_S + cells / CELLS_PER_BUDGET_SECOND));
  return { seconds, rule: `options.time_budget_s was not given: ${MIN_DEFAULT_BUDGET_S} s + 1 s per ${CELLS_PER_BUDGET_SECOND.toLocaleString('en-US')} cells (rows × columns), at most ${MAX_DEFAULT_BUDGET_S} s; ${rows} × ${columns} gives ${seconds} s.` };
}

/**
 * Rows worth training on within a budget: the sample grows with the budget instead of a fixed cap, and
 * never below `floor` (the configured default sample).
 */
export function sampleRowsFor(budgetS: number, columns: number, floor: number): number {
  return Math.max(floor, Math.floor((budgetS * SAMPLE_CELLS_PER_BUDGET_SECOND) / Math.max(1, columns)));
}
