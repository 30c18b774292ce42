import { DataError } from '../errors.js';
import { queryJson, sqlIdent } from '../duck.js';
import { fmt, isIntegerType, num, replaceColumn, type StepContext, type StepPlan } from './step-context.js';
import type { StepOf } from './steps.js';

/**
 * Caps a numeric column at bounds: the quartiles ∓ k interquartile ranges (`iqr`), or two quantiles (`percentile`).
 * Values past a bound become the bound; for whole-number columns the bounds are rounded outwards so they stay whole.
 */
export async function planCapOutliers(ctx: StepContext, step: StepOf<'cap_outliers'>): Promise<StepPlan> {
  const c = sqlIdent(step.column), t = ctx.table, storage = ctx.storageType(step.column);
  const p = step.params;
  const probs = p.method === 'iqr' ? [0.25, 0.75] : [p.lower, p.upper];
  const [q] = await queryJson(ctx.conn, `SELECT quantile_cont(${c}::DOUBLE, ${num(probs[0])}) AS a, quantile_cont(${c}::DOUBLE, ${num(probs[1])}) AS b FROM ${t} WHERE isfinite(${c}::DOUBLE)`);
  if (q.a === null || q.b === null) throw new DataError('INVALID_OPTIONS', `'${step.column}' has no finite values to cap.`, { column: step.column });
  const [a, b] = [Number(q.a), Number(q.b)];
  let lo = p.method === 'iqr' ? a - p.k * (b - a) : a;
  let hi = p.method === 'iqr' ? b + p.k * (b - a) : b;
  if (isIntegerType(storage)) [lo, hi] = [Math.floor(lo), Math.ceil(hi)];
  const [n] = await queryJson(ctx.conn, `SELECT count_if(${c} < ${num(lo)}) AS below, count_if(${c} > ${num(hi)}) AS above FROM ${t}`);
  const how = p.method === 'iqr' ? `the quartiles ∓ ${fmt(p.k)} IQR` : `the ${fmt(p.lower * 100)}th and ${fmt(p.upper * 100)}th percentiles`;
  const expr = `CAST(CASE WHEN ${c} < ${num(lo)} THEN ${num(lo)} WHEN ${c} > ${num(hi)} THEN ${num(hi)} ELSE ${c} END AS ${storage})`;
  return {
    ...replaceColumn(step.column, expr),
    note: `Capped '${step.column}' at [${fmt(lo)}, ${fmt(hi)}] (${how}): ${Number(n.below)} value${Number(n.below) === 1 ? '' : 's'} raised, ${Number(n.above)} lowered.`,
  };
}
