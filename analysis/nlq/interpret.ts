import { monthName } from './months.js';
import type { Filter, Measure, QueryForm } from './query.js';

const FN_WORDS: Record<Measure['fn'], string> = {
  count: 'number of rows', count_distinct: 'number of distinct values of', sum: 'total', avg: 'average', median: 'median',
  min: 'smallest', max: 'largest', stddev: 'standard deviation (sample) of', missing: 'number of missing values in', percent: 'percent of rows', corr: 'Pearson correlation',
};
const OP_WORDS: Record<Filter['op'], string> = {
  '=': 'is', '!=': 'is not', in: 'is one of', '>': 'is over', '>=': 'is at least', '<': 'is under', '<=': 'is at most', between: 'is between',
  contains: 'contains', is_missing: 'is missing', not_missing: 'is not missing',
};

const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : String(v));

/** A filter in words: `Origin is 'Japan'`, `Year is between 1975 and 1980`. */
export function describeFilter(f: Filter): string {
  if (f.part === 'month') {
    const col = `the month of ${f.column}`;
    const mn = (v: unknown) => monthName(Number(v));
    if (f.op === 'between') return `${col} is ${mn(f.value)} to ${mn(f.value2)}`;
    if (f.op === 'in') return `${col} is one of ${f.values!.map(mn).join(', ')}`;
    return `${col} ${OP_WORDS[f.op]} ${mn(f.value)}`;
  }
  if (f.op === 'is_missing' || f.op === 'not_missing') return `${f.column} ${OP_WORDS[f.op]}`;
  if (f.op === 'between') return `${f.column} is between ${show(f.value)} and ${show(f.value2)}`;
  if (f.op === 'in') return `${f.column} is one of ${f.values!.map(show).join(', ')}`;
  return `${f.column} ${OP_WORDS[f.op]} ${show(f.value)}`;
}

/** A measure in words: `average Horsepower`, `Pearson correlation of Weight and Horsepower`. */
export function describeMeasure(m: Measure): string {
  if (m.fn === 'count') return 'number of rows';
  if (m.fn === 'corr') return `Pearson correlation of ${m.column} and ${m.column2}`;
  if (m.fn === 'percent') return `percent of rows where ${m.where!.map(describeFilter).join(' and ')}`;
  return `${FN_WORDS[m.fn]} ${m.column}`;
}

/**
 * Says in words what a query answers, so a reader can check the question was understood:
 * "Average Horsepower per Origin, for rows where Cylinders is over 4; highest first; top 3."
 */
export function interpret(q: QueryForm): string {
  const list = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);
  let head: string;
  if (!q.measures.length) {
    head = `Rows${q.columns?.length ? ` (${list(q.columns)})` : ''}`;
  } else if (q.group?.bucket === 'bins') {
    head = `Distribution of ${q.group.column}: rows in ${q.group.bins ?? 20} equal-width bins`;
  } else {
    const what = list(q.measures.length > 6 ? [...q.measures.slice(0, 5).map(describeMeasure), `${q.measures.length - 5} more`] : q.measures.map(describeMeasure));
    head = what.charAt(0).toUpperCase() + what.slice(1);
    if (q.group?.bucket) head += ` per ${q.group.bucket} of ${q.group.column}`;
    else if (q.group) head += ` per ${q.group.column}`;
    if (q.group?.and) head += ` and ${q.group.and}`;
    if (q.share) head += `, with each ${q.group?.and ? 'pair' : q.group?.bucket ?? 'group'}'s share of the total in percent`;
  }
  const parts = [head];
  if (q.filters.length) parts.push(`for rows where ${q.filters.map(describeFilter).join(' and ')}`);
  let tail = '';
  if (q.order) {
    const by = q.order.by === 'measure' ? describeMeasure(q.measures[0]) : q.order.by === 'group' ? (q.group?.bucket === 'bins' ? 'bin' : q.group?.bucket ?? q.group?.column) : q.order.by;
    tail += `; ordered by ${by}, ${q.order.direction === 'desc' ? 'highest first' : 'lowest first'}`;
  }
  if (q.limit) tail += `; ${q.limit === 1 ? 'the first row' : `at most ${q.limit} rows`}`;
  return `${parts.join(', ')}${tail}.`;
}
