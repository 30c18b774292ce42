import { sqlIdent } from '../duck.js';
import { ROW, scalar, type StepContext, type StepPlan } from './step-context.js';
import type { StepOf } from './steps.js';

/** Keeps the first of each group of identical rows (identical in `subset` when given, else in every column). */
export async function planDeduplicate(ctx: StepContext, step: StepOf<'deduplicate'>, columns: string[]): Promise<StepPlan> {
  const keys = (step.params.subset ?? columns).map(sqlIdent).join(', ');
  const select = `SELECT * FROM ${ctx.table} QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY ${sqlIdent(ROW)}) = 1`;
  const repeated = (await scalar(ctx.conn, `SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT ${keys} FROM ${ctx.table})) FROM ${ctx.table}`)) ?? 0;
  const by = step.params.subset ? ` (same ${step.params.subset.map((s) => `'${s}'`).join(', ')})` : '';
  return { kind: 'select', select, rowsChange: true, note: `Removed ${repeated} row${repeated === 1 ? '' : 's'} repeating an earlier one${by}; the first of each was kept.` };
}
