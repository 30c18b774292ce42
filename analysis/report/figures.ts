import type { ChartSpec } from '../charts/spec.js';
import { Html, html } from './escape.js';

/** Charts rendered for one report, by chart id. */
export type RenderedCharts = Map<string, { chart: ChartSpec; svg: string }>;

/** A chart with its visible text alternative, or nothing when the chart does not exist. */
export function figure(charts: RenderedCharts, id: string, title = true): Html | '' {
  const c = charts.get(id);
  if (!c) return '';
  // The SVG is vega's output: it escapes every text it draws (tested with hostile names), so it is inserted as markup.
  return html`<figure>${title ? html`<h3>${c.chart.title}</h3>` : ''}${new Html(c.svg)}<figcaption>${c.chart.description}</figcaption></figure>`;
}

/** Numbers as people read them: thousands separators for counts, four significant digits otherwise. */
export const fmt = (v: unknown): string => {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    return Number.isInteger(v) ? v.toLocaleString('en-US') : Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
  }
  return String(v);
};
export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
