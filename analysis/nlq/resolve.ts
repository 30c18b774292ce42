import { nearColumns } from './columns.js';
import { NlqError } from './errors.js';
import { isDate, isNumeric, QueryForm, type Filter, type NlqColumn } from './query.js';
import { suggestQuestions } from './suggest.js';

const NUMERIC_FNS = new Set(['sum', 'avg', 'median', 'stddev', 'corr']);

/**
 * Checks a query form against the dataset before it is compiled: its shape (zod), that every column exists, and
 * that each use fits the column's type (averages of numbers, time buckets of dates, `>` of numbers or dates).
 * The reader's output passes through here, and so does anything an LLM proposes.
 * @throws NlqError `invalid_query` saying what is wrong, or `unknown_column` naming near matches
 */
export function resolveQuery(input: unknown, columns: NlqColumn[]): QueryForm {
  const parsed = QueryForm.safeParse(input);
  if (!parsed.success) {
    throw new NlqError('invalid_query', `The query form is not valid: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ')}.`, { try: suggestQuestions(columns) });
  }
  const q = parsed.data;
  const byName = new Map(columns.map((c) => [c.name, c]));
  const col = (name: string) => {
    const c = byName.get(name);
    if (!c) {
      const near = nearColumns(name, columns);
      throw new NlqError('unknown_column', `No column is called '${name}'; the nearest are ${near.map((n) => `'${n}'`).join(', ')}.`, { column: name, near, try: suggestQuestions(columns) });
    }
    return c;
  };
  const bad = (message: string): never => { throw new NlqError('invalid_query', message, { try: suggestQuestions(columns) }); };
  const checkFilter = (f: Filter) => {
    const c = col(f.column);
    const needsValue = f.op !== 'is_missing' && f.op !== 'not_missing';
    if (needsValue && f.op !== 'in' && f.value === undefined) bad(`The filter on '${c.name}' (${f.op}) has no value.`);
    if (f.op === 'in' && !f.values?.length) bad(`The filter on '${c.name}' (in) has no values.`);
    if (f.op === 'between' && f.value2 === undefined) bad(`The filter on '${c.name}' (between) needs two values.`);
    if (['>', '>=', '<', '<=', 'between'].includes(f.op) && !isNumeric(c) && !isDate(c)) bad(`'${c.name}' is ${c.type}; only numbers and dates compare with ${f.op}.`);
    if (['>', '>=', '<', '<=', 'between'].includes(f.op) && isNumeric(c) && [f.value, f.value2].some((v) => v !== undefined && typeof v !== 'number')) bad(`'${c.name}' is a number; compare it with a number.`);
    if (f.part === 'month') {
      if (!isDate(c)) bad(`'${c.name}' is ${c.type}; only dates compare by month.`);
      if (['contains', 'is_missing', 'not_missing'].includes(f.op)) bad(`A month filter on '${c.name}' compares with a month (1–12), not with ${f.op}.`);
      if ([f.value, f.value2, ...(f.values ?? [])].some((v) => v !== undefined && !(Number.isInteger(v) && Number(v) >= 1 && Number(v) <= 12))) bad(`A month filter on '${c.name}' needs months as numbers from 1 to 12.`);
      return;
    }
    if (isDate(c) && [f.value, f.value2].some((v) => v !== undefined && !validDate(v))) bad(`'${c.name}' is a date; compare it with a date (YYYY-MM-DD) or a year.`);
  };
  for (const f of q.filters) checkFilter(f);
  for (const m of q.measures) {
    if ((m.fn === 'count' || m.fn === 'percent') && m.column) col(m.column);
    if (m.fn === 'percent' && !m.where?.length) bad('A percent needs the condition it measures (where).');
    for (const f of m.where ?? []) checkFilter(f);
    if (m.fn === 'count' || m.fn === 'percent') continue;
    if (!m.column) bad(`${m.fn} needs a column.`);
    const c = col(m.column!);
    if (NUMERIC_FNS.has(m.fn) && !isNumeric(c) && c.type !== 'boolean') bad(`'${c.name}' is ${c.type}; ${m.fn === 'avg' ? 'an average' : m.fn === 'corr' ? 'a correlation' : `${m.fn}`} needs numbers.`);
    if (m.fn === 'corr') {
      if (!m.column2) bad('A correlation needs two columns.');
      const c2 = col(m.column2!);
      if (!isNumeric(c2) && c2.type !== 'boolean') bad(`'${c2.name}' is ${c2.type}; a correlation needs numbers.`);
    }
  }
  if (q.group) {
    const g = col(q.group.column);
    if (q.group.and !== undefined) {
      const a = col(q.group.and);
      if (a.name === g.name) bad(`'${g.name}' is grouped by once; name two different columns.`);
      if (q.group.bucket === 'bins') bad('A histogram has one column; a second group needs plain values.');
      if (a.type === 'float' || isDate(a)) bad(`'${a.name}' is ${a.type}; a second group column must hold categories or whole numbers (a date column goes first, as in 'by month and region').`);
    }
    if (q.group.bucket === 'bins' && !isNumeric(g)) bad(`'${g.name}' is ${g.type}; only numbers are binned.`);
    if (q.group.bucket && q.group.bucket !== 'bins' && !isDate(g)) bad(`'${g.name}' is ${g.type}; only dates group by ${q.group.bucket}.`);
    if (q.measures.length === 0) bad('A grouped question needs something to compute per group.');
    if (q.measures.some((m) => m.fn === 'corr')) bad('A correlation is answered for the whole table, not per group.');
  }
  if (q.share && (!q.group || !['count', 'sum'].includes(q.measures[0]?.fn ?? ''))) bad('A share is of a count or a sum, per group.');
  for (const name of q.columns ?? []) col(name);
  if (q.order && q.order.by !== 'measure' && q.order.by !== 'group') {
    if (q.measures.length) bad("With measures, order by 'measure' or 'group'.");
    col(q.order.by);
  }
  if (q.order?.by === 'measure' && !q.measures.length) bad('There is no measure to order by.');
  if (q.order?.by === 'group' && !q.group) bad('There is no group to order by.');
  return q;
}

/** A date a filter may compare with: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (optionally with a time), or a year as a number. */
function validDate(v: unknown): boolean {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 1000 && v <= 2999;
  return typeof v === 'string' && /^\d{4}(-\d{2}(-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?)?)?$/.test(v) && !Number.isNaN(Date.parse(v.length === 4 ? `${v}-01-01` : v.length === 7 ? `${v}-01` : v.replace(' ', 'T')));
}
