import { queryJson, sqlIdent, sqlString } from '../duck.js';
import { fmt, num, replaceColumn, type StepContext, type StepPlan } from './step-context.js';
import type { StepOf } from './steps.js';

/** Merges a text column's rare categories (each under `threshold` of its non-empty values) into one `other`. */
export async function planEncodeRare(ctx: StepContext, step: StepOf<'encode_rare'>): Promise<StepPlan> {
  const c = sqlIdent(step.column);
  const rare = `rare_${ctx.index}`;
  await ctx.conn.run(`CREATE OR REPLACE TEMP TABLE ${rare} AS SELECT v FROM (SELECT ${c} AS v, count(*) AS n, sum(count(*)) OVER () AS total FROM ${ctx.table} WHERE ${c} IS NOT NULL GROUP BY 1) WHERE n < ${num(step.params.threshold)} * total`);
  const [r] = await queryJson(ctx.conn, `SELECT (SELECT count(*) FROM ${rare}) AS k, (SELECT count(DISTINCT ${c}) FROM ${ctx.table}) AS categories, count_if(${c} IN (SELECT v FROM ${rare})) AS rows FROM ${ctx.table}`);
  const k = Number(r.k), rows = Number(r.rows), other = sqlString(step.params.other);
  return {
    ...replaceColumn(step.column, `CASE WHEN ${c} IN (SELECT v FROM ${rare}) THEN ${other} ELSE ${c} END`),
    note: `Merged ${k} of ${Number(r.categories)} categories of '${step.column}' (each under ${fmt(step.params.threshold * 100)}% of its values; ${rows} rows) into '${step.params.other}'.`,
  };
}
