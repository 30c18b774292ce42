import { ID_NAME } from '../ingest/column-types.js';
import { taskFor } from '../clarify/target-candidates.js';
import type { EdaResult } from '../profile/types.js';
import type { PipelineStep } from './steps.js';
import { NUMERIC_TYPES, TEXT_TYPES } from './validate.js';
import { groupCandidates } from '../clarify/group-candidates.js';

/** A proposed step: a pipeline step as `POST /pipelines/run` takes it, with how sure we are and why, quoting the figure. */
export type Suggestion = PipelineStep & { confidence: number; reason: string };

/** Advice for the run itself (validation, metric, folds), with the run options that carry it out. */
export interface Recommendation {
  kind: 'validation' | 'metric' | 'target' | 'sampling';
  message: string;
  /** Options for `POST /runs` that follow the advice. */
  options: Record<string, unknown>;
}

/** Figures the profile does not keep, measured beside it (analysis/pipeline/suggest-facts.ts). */
export interface SuggestFacts {
  /** Text columns most of whose values read as dates (ingest converts a column only when all do). */
  dates: { column: string; values: number; parsed: number }[];
  /** Categories under `threshold` of a text column's values. */
  rare: { column: string; categories: number; rare: number; rows: number; values: number; threshold: number }[];
}

export interface SuggestOptions { target?: string }

/** Thresholds the suggestions use, said in their reasons. */
export const SUGGEST_RULES = {
  /** Columns missing more than this share are proposed for dropping rather than filling. */
  drop_missing_pct: 0.6,
  /** |skewness| above this proposes a log transform (ydata-profiling's alert is at 20; models feel far less). */
  skewness: 2,
  /** A text column is proposed for date parsing when this share of its values parse. */
  dates_share: 0.8,
  /** Rare categories: under this share each, at least this many of them. */
  rare_threshold: 0.01, rare_min: 2,
  /** …and only when the rare ones hold at most this share of the values: past it, "other" would swallow the column. */
  rare_max_share: 0.25,
  /** Majority : minority above this calls for a balanced metric. */
  imbalance_ratio: 5,
  /** Tables up to this many rows are "small". */
  small_rows: 1000,
  large_rows: 1_000_000,
} as const;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const round2 = (x: number) => Math.round(x * 100) / 100;
const fmt = (x: number) => (Number.isInteger(x) ? String(x) : Number(x.toPrecision(4)).toString());

/**
 * Proposes preprocessing steps and run advice from a table's profile: the steps in an order that runs as one
 * pipeline (deduplicate, drops, dates, fills, caps, logs, rare categories), each with a confidence in [0, 1] and
 * a reason quoting the profile's figure. Pure: the same profile always gives the same suggestions.
 * @example const { steps } = suggestSteps(eda, facts); await api.post('/pipelines/run', { dataset_id, steps });
 */
export function suggestSteps(eda: EdaResult, facts: SuggestFacts, opts: SuggestOptions = {}): { steps: Suggestion[]; recommendations: Recommendation[] } {
  const rows = eda.dataset.rows;
  const steps: Suggestion[] = [];
  const target = opts.target ?? eda.target_candidates[0]?.column;
  const dropped = new Set<string>();
  const dates = new Map(facts.dates.filter((d) => d.values > 0 && d.parsed / d.values >= SUGGEST_RULES.dates_share).map((d) => [d.column, d]));

  if (eda.dataset.duplicate_rows > 0) {
    const d = eda.dataset.duplicate_rows;
    steps.push({ step: 'deduplicate', params: {}, confidence: d / rows > 0.2 ? 0.7 : 0.9,
      reason: `${d} of ${rows} rows (${pct(d / rows)}) repeat an earlier row exactly; duplicates weigh twice in training and leak between folds.` });
  }
  for (const c of eda.columns) {
    if (c.name === target) continue;
    if (c.distinct <= 1 && c.count > 0) {
      steps.push({ step: 'drop_column', column: c.name, params: {}, confidence: 0.95, reason: `'${c.name}' has a single value in ${c.count} rows: it carries no information.` });
    } else if (c.count === 0) {
      steps.push({ step: 'drop_column', column: c.name, params: {}, confidence: 0.95, reason: `'${c.name}' is empty in all ${rows} rows.` });
    } else if (c.type === 'identifier' && !dates.has(c.name)) {
      // Dates written as text are near-unique too; they are parsed below, not dropped as identifiers.
      steps.push({ step: 'drop_column', column: c.name, params: {}, confidence: ID_NAME.test(c.name) ? 0.9 : 0.75,
        reason: `'${c.name}' looks like an identifier: ${c.distinct} distinct values in ${c.count} (${pct(c.unique_ratio)} unique); models learn nothing general from it.` });
    } else if (c.missing_pct > SUGGEST_RULES.drop_missing_pct) {
      steps.push({ step: 'drop_column', column: c.name, params: {}, confidence: 0.6,
        reason: `'${c.name}' is missing in ${c.missing} of ${rows} rows (${pct(c.missing_pct)}), above ${pct(SUGGEST_RULES.drop_missing_pct)}: too little to fill from.` });
    } else continue;
    dropped.add(c.name);
  }
  for (const d of dates.values()) {
    if (dropped.has(d.column)) continue;
    steps.push({ step: 'parse_dates', column: d.column, params: {}, confidence: round2(Math.min(0.95, d.parsed / d.values)),
      reason: `'${d.column}' holds dates as text: ${d.parsed} of ${d.values} values (${pct(d.parsed / d.values)}) parse as dates; the other ${d.values - d.parsed} become empty.` });
  }
  const kept = eda.columns.filter((c) => !dropped.has(c.name) && c.name !== target);
  for (const c of kept) {
    if (c.missing === 0 || dates.has(c.name)) continue;
    const numeric = NUMERIC_TYPES.includes(c.type);
    if (!numeric && !TEXT_TYPES.includes(c.type) && c.type !== 'boolean') continue;
    const confidence = c.missing_pct <= 0.05 ? 0.9 : c.missing_pct <= 0.3 ? 0.75 : 0.5;
    const shown = numeric ? (c.quantiles ? `the median (${fmt(c.quantiles.p50)})` : 'the median') : c.top_values?.[0] ? `the commonest value ('${c.top_values[0].value}')` : 'the commonest value';
    steps.push({ step: 'impute', column: c.name, params: { strategy: numeric ? 'median' : 'mode' }, confidence,
      reason: `'${c.name}' is missing in ${c.missing} of ${rows} rows (${pct(c.missing_pct)}); filling with ${shown} keeps those rows${numeric ? ' and is robust to its outliers' : ''}.` });
  }
  for (const c of kept) {
    if (!NUMERIC_TYPES.includes(c.type) || !c.outliers || !c.quantiles) continue;
    const iqr = c.quantiles.p75 - c.quantiles.p25;
    if (iqr <= 0) continue;
    steps.push({ step: 'cap_outliers', column: c.name, params: { method: 'iqr', k: 3, lower: 0.01, upper: 0.99 }, confidence: c.outliers / c.count > 0.05 ? 0.4 : 0.6,
      reason: `'${c.name}' has ${c.outliers} value${c.outliers === 1 ? '' : 's'} (${pct(c.outliers / c.count)}) beyond 3 IQR of the quartiles, outside [${fmt(c.quantiles.p25 - 3 * iqr)}, ${fmt(c.quantiles.p75 + 3 * iqr)}]; capping keeps the rows but limits their pull (check first that they are errors, not news).` });
  }
  for (const c of kept) {
    if (!NUMERIC_TYPES.includes(c.type) || c.skewness === null || Math.abs(c.skewness) <= SUGGEST_RULES.skewness || c.distinct <= 2) continue;
    const signed = (c.negatives ?? 0) > 0;
    steps.push({ step: 'log_transform', column: c.name, params: {}, confidence: signed ? 0.5 : Math.abs(c.skewness) > 5 ? 0.8 : 0.65,
      reason: `'${c.name}' is skewed (skewness ${c.skewness.toFixed(2)}, beyond ±${SUGGEST_RULES.skewness}); sign(x)·ln(1 + |x|) brings it closer to symmetric for linear models${signed ? ` (it has ${c.negatives} negative values, which keep their sign)` : ''}.` });
  }
  for (const r of facts.rare) {
    if (dropped.has(r.column) || r.column === target || r.rare < SUGGEST_RULES.rare_min) continue;
    // A column of many small categories (free-ish text) would become one value: proposing that would be wrong.
    if (r.rows / r.values > SUGGEST_RULES.rare_max_share || r.categories - r.rare < 2) continue;
    steps.push({ step: 'encode_rare', column: r.column, params: { threshold: r.threshold, other: 'other' }, confidence: r.rows / r.values < 0.1 ? 0.7 : 0.5,
      reason: `'${r.column}' has ${r.rare} of ${r.categories} categories under ${pct(r.threshold)} of its values each (${r.rows} rows, ${pct(r.rows / r.values)} in all); grouping them as 'other' keeps the encoding small and stable.` });
  }
  return { steps, recommendations: recommend(eda, target) };
}

/** Advice for modeling the table: how to validate, which metric, which target. */
function recommend(eda: EdaResult, target: string | undefined): Recommendation[] {
  const rows = eda.dataset.rows;
  const out: Recommendation[] = [];
  const time = eda.time_series?.column ?? eda.columns.find((c) => c.type === 'datetime' && c.datetime?.ordered && c.distinct > 1)?.name;
  if (time) {
    out.push({ kind: 'validation', message: `Rows are ordered by '${time}': validate forward in time (train on the past, test on later rows); shuffled folds would score the future from itself.`,
      options: { validation: { scheme: 'time', time_column: time } } });
  }
  // The same test as the run's clarification offer and training's warning (analysis/ml/validation/repeated-ids.ts).
  const group = groupCandidates(eda.columns.filter((c) => c.name !== target))[0];
  if (group) {
    out.push({ kind: 'validation', message: `'${group.column}' repeats (${group.groups} distinct values, ${group.rows_per_group} rows each on average): group folds by it, so no ${group.column} is in training and test at once.`,
      options: { validation: { scheme: 'group', group_column: group.column } } });
  }
  const t = target ? eda.columns.find((c) => c.name === target) : undefined;
  if (t) {
    const cand = eda.target_candidates.find((c) => c.column === t.name);
    out.push({ kind: 'target', message: cand ? `Target '${t.name}' (${cand.task}): ${cand.reason}.` : `Target '${t.name}' (${taskFor(t)}), as asked.`, options: { target: t.name } });
    const counts = (t.top_values ?? []).map((v) => v.count);
    if (taskFor(t) === 'classification' && counts.length >= 2) {
      const ratio = Math.max(...counts) / Math.min(...counts);
      if (ratio >= SUGGEST_RULES.imbalance_ratio) {
        out.push({ kind: 'metric', message: `Target '${t.name}' is imbalanced 1:${Math.round(ratio)} (smallest class ${Math.min(...counts)} rows, largest ${Math.max(...counts)}): use balanced_accuracy or f1_macro, not accuracy.`,
          options: { metric: 'balanced_accuracy', validation: { scheme: 'stratified' } } });
      }
    }
  }
  if (rows <= SUGGEST_RULES.small_rows && !time) {
    out.push({ kind: 'validation', message: `Small table (${rows} rows): use 5-fold cross-validation so every row is tested once; a single split would be noisy.`,
      options: { validation: { scheme: 'kfold', folds: 5 } } });
  }
  if (rows > SUGGEST_RULES.large_rows) {
    out.push({ kind: 'sampling', message: `Large table (${rows} rows): train on a sample of 200,000 rows first; the profile above is over every row.`, options: { sample_rows: 200_000 } });
  }
  return out;
}
