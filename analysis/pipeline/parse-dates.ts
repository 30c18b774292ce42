import { DataError } from '../errors.js';
import { queryJson, sqlIdent, sqlString } from '../duck.js';
import { detectDates } from '../ingest/dates.js';
import { replaceColumn, type StepContext, type StepPlan } from './step-context.js';
import type { StepOf } from './steps.js';

/** Rows the form of a column's dates is guessed from (as ingest does). */
const SAMPLE_ROWS = 10_000;

/**
 * Reads a text column as dates: with the strptime form given, or the form most of its values take (ingest's own
 * detector, which it applies only when every value parses). Values that do not parse become empty; the note
 * counts them and quotes a few.
 */
export async function planParseDates(ctx: StepContext, step: StepOf<'parse_dates'>): Promise<StepPlan> {
  const c = sqlIdent(step.column);
  let expr: string, form: string;
  if (step.params.format) {
    expr = `try_strptime(trim(${c}), ${sqlString(step.params.format)})`;
    form = step.params.format;
  } else {
    const reading = (await detectDates(ctx.conn, ctx.table, [step.column], SAMPLE_ROWS, { partial: true })).get(step.column);
    if (!reading) throw new DataError('INVALID_OPTIONS', `'${step.column}' does not hold dates in a form Assay recognises; give params.format (a strptime form such as '%d/%m/%Y').`, { column: step.column });
    expr = reading.expr;
    form = reading.note.replace(/^'.*?' holds /, '').replace(/; read as (dates|timestamps)\.$/, '');
  }
  const [r] = await queryJson(ctx.conn, `SELECT count(${c}) AS n, count(${expr}) AS ok FROM ${ctx.table}`);
  const n = Number(r.n), ok = Number(r.ok);
  if (n > 0 && ok === 0) throw new DataError('INVALID_OPTIONS', `No value of '${step.column}' reads as a date in the form ${form}.`, { column: step.column });
  const bad = await queryJson(ctx.conn, `SELECT DISTINCT ${c} AS v FROM ${ctx.table} WHERE ${c} IS NOT NULL AND (${expr}) IS NULL ORDER BY 1 LIMIT 3`);
  const examples = bad.map((b) => JSON.stringify(String(b.v))).join(', ');
  return {
    ...replaceColumn(step.column, expr),
    note: `Read '${step.column}' as dates (${form}): ${ok} of ${n} values parsed${n > ok ? `; ${n - ok} could not be read and are now empty (e.g. ${examples})` : ''}.`,
  };
}
