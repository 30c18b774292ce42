import { queryJson, sqlIdent } from '../duck.js';
import { fmt, replaceColumn, type StepContext, type StepPlan } from './step-context.js';
import type { StepOf } from './steps.js';

/** The signed log: ln(1 + |x|) with x's sign, defined for every number (zero stays zero, negatives stay negative). */
export const signedLog = (c: string) => `sign(${c}::DOUBLE) * ln(1 + abs(${c}::DOUBLE))`;

/** Replaces a skewed numeric column by its signed log, saying the skewness before and after. */
export async function planLogTransform(ctx: StepContext, step: StepOf<'log_transform'>): Promise<StepPlan> {
  const c = sqlIdent(step.column);
  const [s] = await queryJson(ctx.conn, `SELECT skewness(${c}::DOUBLE) AS before, skewness(${signedLog(c)}) AS after FROM ${ctx.table} WHERE isfinite(${c}::DOUBLE)`);
  const show = (v: unknown) => (v === null || v === undefined || !Number.isFinite(Number(v)) ? 'undefined' : fmt(Number(v)));
  return {
    ...replaceColumn(step.column, signedLog(c)),
    note: `Replaced '${step.column}' by sign(x)·ln(1 + |x|): skewness ${show(s?.before)} before, ${show(s?.after)} after.`,
  };
}
