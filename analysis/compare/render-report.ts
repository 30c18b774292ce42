import { vegaLiteBase, type ChartSpec } from '../charts/spec.js';
import { Html, html } from '../report/escape.js';
import { fmt } from '../report/figures.js';
import { renderChartSvg } from '../report/render-chart.js';
import { reportCss } from '../report/styles.js';
import type { Theme } from '../report/theme.js';
import type { ColumnComparison, TableComparison } from './types.js';

/** A compared dataset as the report names it. */
export interface CompareDatasetInfo { id: string; name: string; filename: string; sha256: string }

export interface CompareReportInput {
  compare_id: string;
  workflow_id: string;
  dataset_a: CompareDatasetInfo;
  dataset_b: CompareDatasetInfo;
  comparison: TableComparison;
  theme: Theme;
  versions: Record<string, string>;
  generatedAt: string;
}

/** Bars in the PSI chart: the largest ones (a chart of thousands of bars helps nobody). */
export const MAX_CHART_COLUMNS = 40;
/** Drifted columns shown with their bins, side by side. */
export const MAX_DETAIL_COLUMNS = 20;

const pct = (x: number) => `${x.toFixed(1)}%`;
const pValue = (p: number | null) => (p === null ? '—' : p < 1e-4 ? (p === 0 ? '< 1e-300' : p.toExponential(1)) : p.toFixed(4));
const testName = (c: ColumnComparison) => (c.test === 'ks' ? 'KS' : `χ² (${c.dof} dof)`);

/** The per-column PSI chart, largest first, drifted bars in the theme's error colour and the PSI threshold as a line. */
export function psiChart(cmp: TableComparison, theme: Theme): ChartSpec | null {
  if (cmp.columns.length === 0) return null;
  const top = [...cmp.columns].sort((x, y) => y.psi - x.psi).slice(0, MAX_CHART_COLUMNS);
  const values = top.map((c) => ({ column: c.name, psi: Number(c.psi.toFixed(4)), status: c.drifted ? 'drifted' : 'not drifted' }));
  const more = cmp.columns.length > top.length ? ` (the ${top.length} largest of ${cmp.columns.length})` : '';
  const drifted = top.filter((c) => c.drifted).map((c) => c.name);
  const description = `Bar chart of the population stability index per column${more}; the dashed line marks PSI ${cmp.rule.psi_at_least}. `
    + (drifted.length ? `Drifted: ${drifted.join(', ')}.` : 'No column drifted.');
  return {
    id: 'psi', title: 'Population stability index per column', description,
    spec: {
      ...vegaLiteBase('Population stability index per column', description, values, 420),
      height: { step: 18 },
      layer: [
        { mark: 'bar', encoding: {
          y: { field: 'column', type: 'nominal', sort: '-x', title: null },
          x: { field: 'psi', type: 'quantitative', title: 'PSI' },
          color: { field: 'status', type: 'nominal', title: null, scale: { domain: ['drifted', 'not drifted'], range: [theme.error, theme.primary] } },
          tooltip: [{ field: 'column' }, { field: 'psi' }],
        } },
        { data: { values: [{ threshold: cmp.rule.psi_at_least }] }, mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { x: { field: 'threshold', type: 'quantitative' } } },
      ],
    },
  };
}

function schemaSection(cmp: TableComparison): Html {
  const s = cmp.schema_changes;
  const rows = [
    ...s.added.map((c) => html`<tr><td>${c.name}</td><td><span class="badge ok">added</span></td><td>—</td><td>${c.type}</td></tr>`),
    ...s.removed.map((c) => html`<tr><td>${c.name}</td><td><span class="badge error">removed</span></td><td>${c.type}</td><td>—</td></tr>`),
    ...s.type_changed.map((c) => html`<tr><td>${c.name}</td><td><span class="badge warn">type changed</span></td><td>${c.type_a}</td><td>${c.type_b}</td></tr>`),
  ];
  return html`<section id="schema" aria-labelledby="h-schema"><h2 id="h-schema">Schema changes</h2>
${rows.length ? html`<div class="scroll"><table><thead><tr><th scope="col">Column</th><th scope="col">Change</th><th scope="col">Type in A</th><th scope="col">Type in B</th></tr></thead><tbody>${rows}</tbody></table></div>
${s.type_changed.length ? html`<p class="note">Columns whose type changed between number and text are compared as text.</p>` : ''}`
    : html`<p class="ok">Same columns with the same types in both datasets.</p>`}</section>`;
}

function columnsTable(cmp: TableComparison): Html {
  const cols = [...cmp.columns].sort((x, y) => Number(y.drifted) - Number(x.drifted) || y.psi - x.psi);
  return html`<section id="columns" aria-labelledby="h-columns"><h2 id="h-columns">Columns in both datasets</h2>
<div class="scroll"><table><thead><tr><th scope="col">Column</th><th scope="col">Type A → B</th><th scope="col">Drift</th><th scope="col" class="num">PSI</th>
<th scope="col">Test</th><th scope="col" class="num">Statistic</th><th scope="col" class="num">p-value</th><th scope="col" class="num">Effect</th>
<th scope="col" class="num">Missing A → B</th><th scope="col" class="num">Distinct A → B</th><th scope="col" class="num">Mean A → B</th></tr></thead><tbody>
${cols.map((c) => html`<tr><th scope="row">${c.name}</th><td>${c.type_a === c.type_b ? c.type_a : `${c.type_a} → ${c.type_b}`}</td>
<td>${c.drifted ? html`<span class="badge error">drifted</span>` : html`<span class="ok">no</span>`}</td><td class="num">${c.psi.toFixed(3)}</td><td>${testName(c)}</td>
<td class="num">${fmt(c.statistic)}</td><td class="num">${pValue(c.p_value)}</td><td class="num">${c.effect_size.toFixed(3)}</td>
<td class="num">${pct(c.missing_pct_a)} → ${pct(c.missing_pct_b)}</td><td class="num">${fmt(c.distinct_a)} → ${fmt(c.distinct_b)}</td>
<td class="num">${c.mean_a === null && c.mean_b === null ? '—' : `${fmt(c.mean_a)} → ${fmt(c.mean_b)}`}</td></tr>`)}
</tbody></table></div></section>`;
}

function detailsSection(cmp: TableComparison): Html {
  const drifted = cmp.columns.filter((c) => c.drifted).sort((x, y) => y.psi - x.psi);
  if (drifted.length === 0) return html``;
  const shown = drifted.slice(0, MAX_DETAIL_COLUMNS);
  return html`<section id="details" aria-labelledby="h-details"><h2 id="h-details">Drifted columns, bin by bin</h2>
${drifted.length > shown.length ? html`<p class="note">The ${shown.length} drifted columns with the largest PSI of ${drifted.length}.</p>` : ''}
<div class="cards">${shown.map((c) => html`<article class="card"><h3>${c.name} <span class="type">${c.kind}</span></h3>
<table><thead><tr><th scope="col">Bin</th><th scope="col" class="num">A</th><th scope="col" class="num">B</th></tr></thead><tbody>
${c.bins.filter((b) => b.pct_a > 0 || b.pct_b > 0).map((b) => html`<tr><td>${b.label}</td><td class="num">${pct(b.pct_a)}</td><td class="num">${pct(b.pct_b)}</td></tr>`)}
</tbody></table></article>`)}</div></section>`;
}

/**
 * The comparison as a self-contained HTML page in the run reports' style: summary, the rule, schema changes, a PSI
 * chart (SVG rendered on the server), every column's numbers, and the bins of drifted columns. It loads nothing from
 * the network, and every user-supplied string (column names, categories, file names) is escaped.
 */
export async function renderCompareHtml(r: CompareReportInput): Promise<string> {
  const cmp = r.comparison;
  const chart = psiChart(cmp, r.theme);
  const svg = chart ? await renderChartSvg(chart, r.theme) : null;
  const s = cmp.schema_changes;
  const findings = [
    `${cmp.summary.drifted} of ${cmp.summary.columns_compared} columns in both datasets drifted${cmp.summary.drifted ? `: ${cmp.summary.drifted_columns.slice(0, 20).join(', ')}${cmp.summary.drifted > 20 ? ', …' : ''}` : ''}.`,
    `A has ${fmt(cmp.rows_a)} rows × ${cmp.cols_a} columns; B has ${fmt(cmp.rows_b)} rows × ${cmp.cols_b} columns.`,
    `${s.added.length} column${s.added.length === 1 ? '' : 's'} added, ${s.removed.length} removed, ${s.type_changed.length} with a changed type.`,
  ];
  const title = `Comparison: ${r.dataset_a.name} → ${r.dataset_b.name}`;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${title}</title>
<style>${new Html(reportCss(r.theme))}</style></head><body>
<header class="top"><div><h1>${title}</h1><p class="sub">A: ${r.dataset_a.filename} · B: ${r.dataset_b.filename} · generated ${r.generatedAt}</p></div></header>
<main>
<section id="findings" aria-labelledby="h-findings"><h2 id="h-findings">Summary</h2><ul class="findings">${findings.map((f) => html`<li>${f}</li>`)}</ul></section>
<section id="rule" aria-labelledby="h-rule"><h2 id="h-rule">How drift is decided</h2><p>${cmp.rule.text}</p><ul>${cmp.method.map((m) => html`<li>${m}</li>`)}</ul></section>
${schemaSection(cmp)}
${chart && svg ? html`<section id="psi" aria-labelledby="h-psi"><h2 id="h-psi">${chart.title}</h2><figure>${new Html(svg)}<figcaption>${chart.description}</figcaption></figure></section>` : ''}
${columnsTable(cmp)}${detailsSection(cmp)}
</main>
<footer id="reproducibility" aria-labelledby="h-repro"><h2 id="h-repro">Reproducibility</h2><dl>
<dt>Dataset A</dt><dd>${r.dataset_a.filename} (<code>${r.dataset_a.id}</code>), SHA-256 <code>${r.dataset_a.sha256}</code></dd>
<dt>Dataset B</dt><dd>${r.dataset_b.filename} (<code>${r.dataset_b.id}</code>), SHA-256 <code>${r.dataset_b.sha256}</code></dd>
<dt>Comparison</dt><dd><code>${r.compare_id}</code>, workflow <code>${r.workflow_id}</code></dd>
<dt>Versions</dt><dd>${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ')}</dd>
<dt>Generated</dt><dd>${r.generatedAt}</dd></dl></footer>
</body></html>`;
  return page.value;
}
