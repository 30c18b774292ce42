import type { ChartSpec } from '../charts/spec.js';
import { edaCharts } from '../profile/charts.js';
import { html, Html } from './escape.js';
import { keyFindings } from './findings.js';
import type { RenderedCharts } from './figures.js';
import { renderChartSvg } from './render-chart.js';
import { alertsSection, cardedColumns, columnsSection, correlationsSection, duplicatesSection, missingnessSection, overviewSection, targetSection, timeSeriesSection } from './sections-data.js';
import { dependenceSection, diagnosticsSection, importanceSection, leaderboardSection, qaSection } from './sections-model.js';
import { OPTIONAL_SECTIONS, REPORT_SECTIONS } from './section-list.js';
import { reportCss } from './styles.js';
import type { ReportInput } from './types.js';

export type { ReportInput } from './types.js';

/** The link to this run's workflow in the Temporal Web UI. */
export const temporalUiLink = (run: ReportInput['run']) =>
  `${run.temporal_ui_url.replace(/\/$/, '')}/namespaces/${encodeURIComponent(run.namespace)}/workflows/${encodeURIComponent(run.workflow_id)}`;

/** Renders the charts the page shows, one after another (each takes tens of milliseconds). */
async function renderCharts(r: ReportInput, onChart?: (done: number, total: number) => void): Promise<RenderedCharts> {
  const carded = new Set(cardedColumns(r).map((c) => c.name));
  const edaSpecs = (r.eda.charts ?? edaCharts(r.eda.columns, r.eda.correlations))
    .filter((c) => { const col = /^(histogram|top_values):(.*)$/s.exec(c.id); return !col || carded.has(col[2]); });
  const all: ChartSpec[] = [...edaSpecs, ...(r.modeling?.charts ?? [])];
  const out: RenderedCharts = new Map();
  for (const [i, chart] of all.entries()) {
    out.set(chart.id, { chart, svg: await renderChartSvg(chart, r.theme) });
    onChart?.(i + 1, all.length);
  }
  return out;
}

function footer(r: ReportInput): Html {
  const seed = r.modeling?.seed ?? r.run.options.seed;
  return html`<footer id="reproducibility" aria-labelledby="h-repro"><h2 id="h-repro">Reproducibility</h2><dl>
<dt>Dataset</dt><dd>${r.dataset.filename}</dd><dt>SHA-256</dt><dd><code>${r.dataset.sha256}</code></dd>
<dt>Options</dt><dd><code>${JSON.stringify(r.run.options)}</code></dd>${seed !== undefined ? html`<dt>Seed</dt><dd>${String(seed)}</dd>` : ''}
<dt>Versions</dt><dd>${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ')}</dd>
<dt>Workflow</dt><dd><a href="${temporalUiLink(r.run)}">${r.run.workflow_id}</a> in the Temporal Web UI (namespace ${r.run.namespace}); run ${r.run.run_id}</dd>
<dt>Generated</dt><dd>${r.generatedAt}</dd></dl></footer>`;
}

/**
 * Renders the self-contained HTML report: inline CSS, charts as inline SVG rendered on the server, the logo as a
 * data URI; it loads nothing from the network. Every user-supplied string (names, values, file names) is escaped.
 * @example const page = await renderReportHtml(input); // '<!doctype html>…'
 */
export async function renderReportHtml(r: ReportInput, onChart?: (done: number, total: number) => void): Promise<string> {
  const charts = await renderCharts(r, onChart);
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${r.title}</title>
<style>${new Html(reportCss(r.theme))}</style></head><body>
<header class="top">${r.logo ? html`<img src="${r.logo}" alt="Logo">` : ''}<div><h1>${r.title}</h1><p class="sub">${r.dataset.filename} · ${r.eda.dataset.rows.toLocaleString('en-US')} rows × ${r.eda.dataset.cols} columns · generated ${r.generatedAt}</p></div></header>
<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>${REPORT_SECTIONS.filter(([id]) => !OPTIONAL_SECTIONS.has(id) || (id === 'timeseries' && r.eda.time_series)).map(([id, title]) => html`<li><a href="#${id}">${title}</a></li>`)}</ol></nav>
<main>
<section id="findings" aria-labelledby="h-findings"><h2 id="h-findings">Key findings</h2><ul class="findings">${keyFindings(r).map((s) => html`<li>${s}</li>`)}</ul></section>
${alertsSection(r)}${overviewSection(r)}${columnsSection(r, charts)}${correlationsSection(r, charts)}${missingnessSection(r, charts)}${duplicatesSection(r)}${timeSeriesSection(r, charts)}
${targetSection(r, charts)}${leaderboardSection(r, charts)}${importanceSection(r, charts)}${dependenceSection(r, charts)}${diagnosticsSection(r, charts)}${qaSection(r)}
</main>
${footer(r)}
</body></html>`;
  return page.value;
}
