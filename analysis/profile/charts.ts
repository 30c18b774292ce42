import { vegaLiteBase as base, type ChartSpec } from '../charts/spec.js';
import { matrixPairs, strongestFirst } from './pairs.js';
import type { ColumnProfile, Correlations, TimeSeriesHint } from './types.js';

/** Column cards are small: charts sized to sit beside the statistics. */
const CARD_WIDTH = 240;
const CARD_HEIGHT = 90;
/** Above this many columns the heatmap shows those in the most strongly correlated pairs. */
const HEATMAP_MAX = 30;

const num = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toPrecision(4));

function histogramChart(c: ColumnProfile): ChartSpec | null {
  if (!c.histogram?.length) return null;
  const fullest = c.histogram.reduce((a, b) => (b.count > a.count ? b : a));
  const text = `Histogram of ${c.name}: ${c.histogram.length} bins from ${num(c.histogram[0].start)} to ${num(c.histogram.at(-1)!.end)}; `
    + `the fullest bin, ${num(fullest.start)} to ${num(fullest.end)}, holds ${fullest.count.toLocaleString('en-US')} rows.`;
  return { id: `histogram:${c.name}`, title: `Distribution of ${c.name}`, description: text, spec: { ...base('', text, c.histogram, CARD_WIDTH), height: CARD_HEIGHT,
    mark: { type: 'bar', binSpacing: 1 },
    encoding: { x: { field: 'start', type: 'quantitative', bin: { binned: true }, title: c.name }, x2: { field: 'end' }, y: { field: 'count', type: 'quantitative', title: 'rows' } } } };
}

function topValuesChart(c: ColumnProfile): ChartSpec | null {
  if (!c.top_values?.length || c.histogram) return null;
  const top = c.top_values.slice(0, 10);
  const text = `Most frequent values of ${c.name}: ${top.slice(0, 5).map((t) => `${t.value} (${t.count.toLocaleString('en-US')})`).join(', ')}`
    + `${c.distinct > top.length ? `, among ${c.distinct.toLocaleString('en-US')} distinct values` : ''}.`;
  return { id: `top_values:${c.name}`, title: `Top values of ${c.name}`, description: text, spec: { ...base('', text, top, CARD_WIDTH),
    mark: 'bar', encoding: { y: { field: 'value', type: 'nominal', sort: '-x', title: null, axis: { labelLimit: 110 } }, x: { field: 'count', type: 'quantitative', title: 'rows' } } } };
}

function heatmap(corr: Correlations): ChartSpec | null {
  const n = corr.columns.length;
  if (n < 2) return null;
  const pairs = strongestFirst(matrixPairs(corr));
  let keep = corr.columns.map((_, i) => i);
  if (n > HEATMAP_MAX) {
    const chosen = new Set<number>();
    for (const p of pairs) { if (chosen.size >= HEATMAP_MAX) break; chosen.add(p.i); if (chosen.size < HEATMAP_MAX) chosen.add(p.j); }
    keep = [...chosen].sort((a, b) => a - b);
  }
  const cells = keep.flatMap((i) => keep.map((j) => ({ x: corr.columns[j], y: corr.columns[i], r: corr.matrix[i][j] }))).filter((c) => c.r !== null);
  const strongest = pairs.slice(0, 3).map((p) => `${p.a} and ${p.b} (r = ${p.v.toFixed(2)})`);
  const text = `Pearson correlations between ${keep.length} numeric columns${n > keep.length ? ` (of ${n}, those in the strongest pairs)` : ''}`
    + `${strongest.length ? `; the strongest: ${strongest.join(', ')}` : ''}.`;
  const side = Math.min(560, Math.max(160, keep.length * 22));
  return { id: 'correlations', title: 'Correlations', description: text, spec: { ...base('', text, cells, side), height: side,
    mark: 'rect', encoding: {
      x: { field: 'x', type: 'nominal', sort: null, title: null, axis: { labelAngle: -45, labelLimit: 100 } },
      y: { field: 'y', type: 'nominal', sort: null, title: null, axis: { labelLimit: 100 } },
      color: { field: 'r', type: 'quantitative', scale: { domain: [-1, 1], scheme: 'redblue', reverse: true }, title: 'r' } } } };
}

function missingness(columns: ColumnProfile[]): ChartSpec | null {
  const rows = columns.filter((c) => c.missing > 0).map((c) => ({ column: c.name, share: c.missing_pct, missing: c.missing }))
    .sort((a, b) => b.share - a.share).slice(0, 40);
  if (!rows.length) return null;
  const text = `Share of missing values per column: ${rows.slice(0, 5).map((r) => `${r.column} ${(r.share * 100).toFixed(1)}%`).join(', ')}`
    + `${rows.length > 5 ? `, and ${rows.length - 5} more columns with gaps` : ''}.`;
  return { id: 'missingness', title: 'Missing values', description: text, spec: { ...base('', text, rows), height: { step: 16 },
    mark: 'bar', encoding: { y: { field: 'column', type: 'nominal', sort: '-x', title: null, axis: { labelLimit: 160 } },
      x: { field: 'share', type: 'quantitative', title: 'share missing', axis: { format: '%' }, scale: { domain: [0, 1] } } } } };
}

function timeSeriesChart(ts: { hint: TimeSeriesHint; points: Record<string, unknown>[] }): ChartSpec | null {
  if (!ts.points.length) return null;
  const names = [...new Set(ts.points.map((p) => String(p.series)))];
  const text = `${names.join(', ')} over '${ts.hint.column}' (mean of each of up to 500 equal runs of rows). ${ts.hint.series.map((s) => s.sentence).join(' ')}`;
  // One row per series, each on its own scale: the columns rarely share units.
  return { id: 'time_series', title: `Over time: ${names.join(', ')}`, description: text, spec: { ...base('', text, ts.points, 640), height: names.length > 1 ? 110 : 200,
    mark: { type: 'line' }, encoding: { x: { field: 'time', type: 'temporal', title: ts.hint.column }, y: { field: 'value', type: 'quantitative', title: null },
      ...(names.length > 1 ? { row: { field: 'series', type: 'nominal', title: null } } : {}) },
    ...(names.length > 1 ? { resolve: { scale: { y: 'independent' } } } : {}) } };
}

/**
 * Vega-lite specs for eda.json: a histogram or top-values bar per column, the correlation heatmap,
 * missingness and, for a time series, its first numeric columns over time. Every spec carries its data inline and a text alternative.
 * @example const charts = edaCharts(columns, correlations); // [{ id: 'histogram:age', … }, …]
 */
export function edaCharts(columns: ColumnProfile[], correlations: Correlations, ts?: { hint: TimeSeriesHint; points: Record<string, unknown>[] }): ChartSpec[] {
  const charts: (ChartSpec | null)[] = [];
  for (const c of columns) charts.push(histogramChart(c) ?? topValuesChart(c));
  charts.push(heatmap(correlations), missingness(columns), ts ? timeSeriesChart(ts) : null);
  return charts.filter((c): c is ChartSpec => c !== null);
}
