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
 * Rows the search cross-validates on within a budget (`budget_s × 10,000 / columns`): the sample grows with the
 * budget instead of a fixed cap, and never below `floor` (the configured default sample). More rows than this may be
 * loaded for the finish ({@link loadRowsFor}).
 */
export function sampleRowsFor(budgetS: number, columns: number, floor: number): number {
  return Math.max(floor, Math.floor((budgetS * SAMPLE_CELLS_PER_BUDGET_SECOND) / Math.max(1, columns)));
}

/**
 * Most cells (rows × columns) the train stage loads, whatever the budget: the activity holds the table as JS values
 * and each pool thread receives its own copy and prepares its own encoding, and the fits' buffers grow with the rows.
 * Measured on flights-3m (bench:large, 5 columns): the worker process peaked at 8.6 GB resident with 6M cells loaded
 * (120 s budget), 9.3 GB with 12M (120 s) and 19.6 GB with 12M (600 s, a 1.2M-row search and a finish on 2.4M) — too
 * much for a shared machine, so 6M.
 */
export const MAX_LOAD_CELLS = 6_000_000;
/**
 * Cells one second of budget is worth loading. Not what the finish could fit (a GBDT handles ~1.5M cells a second)
 * but what the stage can afford to prepare: each thread parses, bins and encodes every loaded row before the search
 * starts, at roughly 1 s per million cells per thread on the shared 2-core machine, and that time comes out of the
 * search's budget. 50,000 cells per second keeps the preparation near 5% of the budget.
 */
export const LOAD_CELLS_PER_BUDGET_SECOND = 50_000;

/**
 * Rows to load: more than the search uses (`searchRows`, from {@link sampleRowsFor}), `budget_s × 50,000 / columns`,
 * at most 6M cells, never fewer than `searchRows`. A 120 s budget on 5 columns loads 1.2M rows (the cap), 600 s on
 * 20 columns 300,000 (the cap, which the search's own 300,000 then equals). The finish then fits as many of them as the time left affords (`finishRows`).
 */
export function loadRowsFor(budgetS: number, columns: number, searchRows: number): number {
  const cols = Math.max(1, columns);
  return Math.max(searchRows, Math.floor(Math.min(MAX_LOAD_CELLS, budgetS * LOAD_CELLS_PER_BUDGET_SECOND) / cols));
}
