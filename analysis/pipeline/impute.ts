import { DataError } from '../errors.js';
import { queryJson, sqlIdent, sqlString } from '../duck.js';
import { fmt, isIntegerType, num, replaceColumn, scalar, type StepContext, type StepPlan } from './step-context.js';
import type { StepOf } from './steps.js';

/**
 * Fills a column's empty cells: with its median or mean (rounded for whole-number columns, so they stay whole),
 * its commonest value (ties go to the smallest), or a constant cast to the column's type.
 */
export async function planImpute(ctx: StepContext, step: StepOf<'impute'>): Promise<StepPlan> {
  const c = sqlIdent(step.column), t = ctx.table, storage = ctx.storageType(step.column);
  const missing = (await scalar(ctx.conn, `SELECT count(*) - count(${c}) FROM ${t}`)) ?? 0;
  const { strategy } = step.params;
  let fill: string, shown: string;
  if (strategy === 'median' || strategy === 'mean') {
    const agg = strategy === 'median' ? `quantile_cont(${c}::DOUBLE, 0.5)` : `avg(${c}::DOUBLE)`;
    const v = await scalar(ctx.conn, `SELECT ${agg} FROM ${t} WHERE isfinite(${c}::DOUBLE)`);
    if (v === null) throw new DataError('INVALID_OPTIONS', `'${step.column}' has no values to take a ${strategy} from; drop it or impute a constant.`, { column: step.column });
    const value = isIntegerType(storage) ? Math.round(v) : v;
    fill = `CAST(${num(value)} AS ${storage})`;
    shown = `the ${strategy} ${fmt(value)}${isIntegerType(storage) && value !== v ? ` (${fmt(v)} rounded: the column holds whole numbers)` : ''}`;
  } else if (strategy === 'mode') {
    const [row] = await queryJson(ctx.conn, `SELECT ${c}::VARCHAR AS v, count(*) AS n FROM ${t} WHERE ${c} IS NOT NULL GROUP BY ${c} ORDER BY n DESC, ${c} LIMIT 1`);
    if (!row) throw new DataError('INVALID_OPTIONS', `'${step.column}' has no values to take a mode from; drop it or impute a constant.`, { column: step.column });
    fill = `(SELECT ${c} FROM ${t} WHERE ${c} IS NOT NULL GROUP BY ${c} ORDER BY count(*) DESC, ${c} LIMIT 1)`;
    shown = `its commonest value '${String(row.v)}' (${Number(row.n)} rows)`;
  } else {
    const literal = sqlString(String(step.params.value));
    const ok = await scalar(ctx.conn, `SELECT TRY_CAST(${literal} AS ${storage}) IS NOT NULL`);
    if (!ok) throw new DataError('INVALID_OPTIONS', `The constant ${JSON.stringify(step.params.value)} cannot be stored in '${step.column}' (${storage}).`, { column: step.column });
    fill = `CAST(${literal} AS ${storage})`;
    shown = `the constant ${JSON.stringify(step.params.value)}`;
  }
  return {
    ...replaceColumn(step.column, `coalesce(${c}, ${fill})`),
    note: `Filled ${missing} empty cell${missing === 1 ? '' : 's'} of '${step.column}' with ${shown}.`,
  };
}
