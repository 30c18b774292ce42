import { vegaLiteBase } from '../charts/spec.js';
import { groupAlias, measureAlias } from './compile.js';
import { describeMeasure } from './interpret.js';
import type { QueryForm } from './query.js';

/** Which chart fits an answer: none for a single number or a row listing. */
export type ChartKind = 'bar' | 'line' | 'histogram' | 'scatter' | null;

/** The chart an answer gets: bars for groups and top k, a line for a trend, a histogram, a scatter for a correlation. */
export function chartKind(q: QueryForm): ChartKind {
  if (q.measures.some((m) => m.fn === 'corr')) return 'scatter';
  if (!q.group || !q.measures.length) return null;
  if (q.group.bucket === 'bins') return 'histogram';
  if (q.group.bucket) return 'line';
  return 'bar';
}

// vega-lite reads dots and brackets in field names as paths: escape them.
const field = (name: string) => name.replace(/[.[\]\\]/g, (ch) => `\\${ch}`);

/**
 * A vega-lite spec (data inline) for an answer, or null when a number or a table says it better.
 * @param rows the answer's rows; `points` the sampled pairs of a correlation
 */
export function chartFor(q: QueryForm, rows: Record<string, unknown>[], title: string, points: Record<string, unknown>[] = []): Record<string, unknown> | null {
  const kind = chartKind(q);
  if (!kind) return null;
  if (kind === 'scatter') {
    const m = q.measures.find((x) => x.fn === 'corr')!;
    return {
      ...vegaLiteBase(title, `Scatter of ${m.column2} against ${m.column}, ${points.length} sampled rows.`, points),
      mark: { type: 'point', opacity: 0.6 },
      encoding: { x: { field: field(m.column!), type: 'quantitative', title: m.column }, y: { field: field(m.column2!), type: 'quantitative', title: m.column2 } },
    };
  }
  const g = groupAlias(q)!;
  const y = q.share ? 'percent' : measureAlias(q.measures[0]);
  const yTitle = q.share ? 'percent of total' : describeMeasure(q.measures[0]);
  if (kind === 'histogram') {
    return {
      ...vegaLiteBase(title, `Histogram of ${q.group!.column}: rows per bin.`, rows),
      mark: 'bar',
      encoding: { x: { field: 'bin_start', type: 'quantitative', bin: { binned: true }, title: q.group!.column }, x2: { field: 'bin_end' }, y: { field: 'count', type: 'quantitative', title: 'rows' } },
    };
  }
  // A second group column: one colour per value, its bars side by side (or one line per value).
  const and = q.group!.and;
  const color = and ? { color: { field: field(and), type: 'nominal', title: and } } : {};
  const per = and ? ` and ${and}` : '';
  if (kind === 'line') {
    return {
      ...vegaLiteBase(title, `${yTitle} per ${q.group!.bucket} of ${q.group!.column}${per}.`, rows),
      mark: { type: 'line', point: true },
      encoding: { x: { field: field(g), type: 'temporal', title: `${q.group!.column} (${q.group!.bucket})` }, y: { field: field(y), type: 'quantitative', title: yTitle }, ...color },
    };
  }
  return {
    ...vegaLiteBase(title, `${yTitle} per ${q.group!.column}${per}.`, rows),
    mark: 'bar',
    encoding: {
      // Pairs sort by the first column; a single group by the bars' height when the rows were ordered so.
      x: { field: field(g), type: 'nominal', title: q.group!.column, sort: q.order?.by === 'measure' && !and ? (q.order.direction === 'desc' ? '-y' : 'y') : 'ascending' },
      y: { field: field(y), type: 'quantitative', title: yTitle },
      ...color,
      ...(and ? { xOffset: { field: field(and), type: 'nominal' } } : {}),
    },
  };
}
