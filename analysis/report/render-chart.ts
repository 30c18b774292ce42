import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from '../charts/spec.js';
import { escapeHtml } from './escape.js';
import type { Theme } from './theme.js';

/** Vega's loader, refusing every load: specs carry their data inline, and the report must not touch the network. */
function offlineLoader(): vega.Loader {
  const refuse = (uri: string) => Promise.reject(new Error(`Chart data must be inline; refused to load '${uri}'.`));
  return { ...vega.loader(), load: refuse, sanitize: refuse, http: refuse, file: refuse } as unknown as vega.Loader;
}

/** Vega-lite config from the brand theme, so charts share the page's colours and font. */
function chartConfig(t: Theme) {
  const axis = { labelColor: t.text, titleColor: t.text, gridColor: '#d5dbe1', domainColor: t.muted, tickColor: t.muted, labelFont: t.fontFamily, titleFont: t.fontFamily };
  return {
    background: null, font: t.fontFamily, view: { stroke: null },
    title: { color: t.text, font: t.fontFamily }, axis, legend: { labelColor: t.text, titleColor: t.text },
    mark: { color: t.primary }, bar: { color: t.primary }, line: { color: t.primary }, point: { color: t.primary }, rule: { color: t.text },
    text: { color: t.text }, range: { category: [t.primary, t.accent, t.warn, t.ok, t.error, t.muted] },
  };
}

/**
 * Renders a vega-lite chart to an SVG string on the server (no canvas, no network), labelled with its text
 * alternative so screen readers announce the description.
 * @example const svg = await renderChartSvg(chart, theme); // '<svg role="img" aria-label="Histogram of age…" …'
 */
export async function renderChartSvg(chart: ChartSpec, theme: Theme): Promise<string> {
  // The page shows the chart's title as a heading of its own, so the drawing leaves it out.
  const spec = { ...chart.spec, title: undefined, config: chartConfig(theme) } as unknown as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none', loader: offlineLoader() });
  try {
    const svg = await view.toSVG();
    return svg.replace(/^<svg /, `<svg role="img" aria-label="${escapeHtml(chart.description)}" `);
  } finally {
    view.finalize();
  }
}
