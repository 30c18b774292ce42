import type { EdaResult, HistogramBin } from '../profile/types.js';
import { html, type Html } from './escape.js';

export interface ReportModeling {
  task: string; target: string; metric: string; best_model: string;
  leaderboard: { model: string; cv_mean: number; cv_std: number }[];
  importances: { feature: string; importance: number }[];
  excluded: { column: string; reason: string }[];
}

export interface ReportInput {
  title: string;
  dataset: { name: string; filename: string; sha256: string };
  eda: EdaResult;
  modeling: ReportModeling | null;
  warnings: string[];
  run: { run_id: string; workflow_id: string; temporal_ui_url: string; namespace: string; options: Record<string, unknown> };
  generatedAt: string;
}

const fmt = (v: unknown): string => {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toPrecision(4);
  return String(v);
};
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function histogramSvg(bins: HistogramBin[], label: string): Html {
  const max = Math.max(1, ...bins.map((b) => b.count));
  const w = 240, h = 60, bw = w / bins.length;
  const bars = bins.map((b, i) => {
    const bh = (b.count / max) * h;
    return html`<rect x="${(i * bw).toFixed(1)}" y="${(h - bh).toFixed(1)}" width="${Math.max(0, bw - 1).toFixed(1)}" height="${bh.toFixed(1)}"></rect>`;
  });
  return html`<svg class="hist" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Histogram of ${label}">${bars}</svg>`;
}

function keyFindings(r: ReportInput): Html[] {
  const d = r.eda.dataset;
  const out = [html`<li>${d.rows.toLocaleString('en-US')} rows and ${d.cols} columns; ${d.missing_cells.toLocaleString('en-US')} cells are missing and ${d.duplicate_rows} rows are duplicates.</li>`];
  if (r.modeling) {
    const best = r.modeling.leaderboard[0];
    const base = r.modeling.leaderboard.find((e) => e.model === 'baseline');
    out.push(html`<li>The best model for '${r.modeling.target}' (${r.modeling.task}) is ${best.model} with ${r.modeling.metric} ${best.cv_mean.toFixed(3)} ± ${best.cv_std.toFixed(3)}${base && base !== best ? html` against ${base.cv_mean.toFixed(3)} for the baseline` : ''}.</li>`);
    const top = r.modeling.importances.filter((i) => i.importance > 0).slice(0, 3).map((i) => i.feature);
    if (top.length) out.push(html`<li>The features that matter most: ${top.join(', ')}.</li>`);
  } else {
    out.push(html`<li>No model was trained; this report covers the exploratory analysis only.</li>`);
  }
  if (r.eda.alerts.length) out.push(html`<li>${r.eda.alerts.length} data-quality alerts, listed below.</li>`);
  return out;
}

/**
 * Renders the self-contained HTML report. Every user-supplied string (names, values, file names) is escaped.
 * @example const page = renderReportHtml(input); // '<!doctype html>…'
 */
export function renderReportHtml(r: ReportInput): string {
  const columns = r.eda.columns.map((c) => html`<article class="col"><h3>${c.name} <small>${c.type}</small></h3>
    <dl><dt>Missing</dt><dd>${c.missing} (${pct(c.missing_pct)})</dd><dt>Distinct</dt><dd>${c.distinct}</dd>
    ${c.mean !== null ? html`<dt>Mean</dt><dd>${fmt(c.mean)}</dd><dt>Std</dt><dd>${fmt(c.std)}</dd>` : ''}
    ${c.min !== null ? html`<dt>Min</dt><dd>${fmt(c.min)}</dd><dt>Max</dt><dd>${fmt(c.max)}</dd>` : ''}</dl>
    ${c.histogram ? histogramSvg(c.histogram, c.name) : ''}
    ${c.top_values ? html`<table><caption>Top values</caption><tbody>${c.top_values.slice(0, 5).map((t) => html`<tr><td>${t.value}</td><td>${t.count}</td></tr>`)}</tbody></table>` : ''}
  </article>`);
  const corr = r.eda.correlations;
  const m = r.modeling;
  const uiLink = `${r.run.temporal_ui_url}/namespaces/${encodeURIComponent(r.run.namespace)}/workflows/${encodeURIComponent(r.run.workflow_id)}`;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${r.title}</title>
<style>
body{font-family:system-ui,sans-serif;color:#1f2933;background:#fff;margin:0 auto;max-width:1100px;padding:1.5rem;line-height:1.45}
h1{color:#1d4ed8}h2{border-bottom:2px solid #e5e7eb;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}td,th{border:1px solid #e5e7eb;padding:.25rem .5rem;text-align:left}
.cols{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:1rem}.col{border:1px solid #e5e7eb;border-radius:6px;padding:.5rem .75rem}
.col h3{margin:.2rem 0;font-size:1rem;word-break:break-word}.col small{color:#52606d;font-weight:normal}dl{display:grid;grid-template-columns:auto 1fr;gap:0 .75rem;margin:.3rem 0}dd{margin:0}
.hist rect{fill:#1d4ed8}.alert{color:#9a3412}.scroll{overflow-x:auto}footer{margin-top:2rem;color:#52606d;font-size:.85rem}
@media print{.cols{display:block}.col{break-inside:avoid;margin-bottom:.5rem}}
</style></head><body>
<header><h1>${r.title}</h1><p>${r.dataset.filename} · generated ${r.generatedAt}</p></header>
<nav aria-label="Contents"><ol><li><a href="#findings">Key findings</a></li><li><a href="#alerts">Alerts</a></li><li><a href="#overview">Overview</a></li>
<li><a href="#columns">Columns</a></li><li><a href="#correlations">Correlations</a></li><li><a href="#modeling">Modeling</a></li><li><a href="#warnings">Warnings</a></li></ol></nav>
<section id="findings"><h2>Key findings</h2><ul>${keyFindings(r)}</ul></section>
<section id="alerts"><h2>Data-quality alerts</h2>${r.eda.alerts.length ? html`<ul>${r.eda.alerts.map((a) => html`<li class="alert"><strong>${a.kind}</strong> ${a.message}</li>`)}</ul>` : html`<p>No alerts.</p>`}</section>
<section id="overview"><h2>Overview</h2><table><tbody>
<tr><th>Rows</th><td>${r.eda.dataset.rows}</td></tr><tr><th>Columns</th><td>${r.eda.dataset.cols}</td></tr>
<tr><th>Duplicate rows</th><td>${r.eda.dataset.duplicate_rows}</td></tr><tr><th>Missing cells</th><td>${r.eda.dataset.missing_cells}</td></tr>
<tr><th>Column types</th><td>${Object.entries(r.eda.dataset.type_counts).map(([k, v]) => `${k}: ${v}`).join(', ')}</td></tr></tbody></table></section>
<section id="columns"><h2>Columns</h2><div class="cols">${columns}</div></section>
<section id="correlations"><h2>Correlations (Pearson)</h2>${corr.columns.length > 1 ? html`<div class="scroll"><table><thead><tr><th></th>${corr.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead><tbody>
${corr.columns.map((c, i) => html`<tr><th scope="row">${c}</th>${corr.matrix[i].map((v) => html`<td>${v === null ? '—' : v.toFixed(2)}</td>`)}</tr>`)}</tbody></table></div>` : html`<p>Fewer than two numeric columns.</p>`}</section>
<section id="modeling"><h2>Modeling</h2>${m ? html`<p>Target <strong>${m.target}</strong>, task ${m.task}, metric ${m.metric} (cross-validated).</p>
<table><caption>Leaderboard</caption><thead><tr><th>Model</th><th>CV mean</th><th>CV std</th></tr></thead><tbody>
${m.leaderboard.map((e) => html`<tr><td>${e.model}</td><td>${e.cv_mean.toFixed(4)}</td><td>${e.cv_std.toFixed(4)}</td></tr>`)}</tbody></table>
<table><caption>Permutation importance (held-out fold)</caption><thead><tr><th>Feature</th><th>Importance</th></tr></thead><tbody>
${m.importances.slice(0, 20).map((i) => html`<tr><td>${i.feature}</td><td>${i.importance.toFixed(4)}</td></tr>`)}</tbody></table>
${m.excluded.length ? html`<p>Left out of modeling: ${m.excluded.map((e) => `${e.column} (${e.reason})`).join(', ')}.</p>` : ''}` : html`<p>No model was trained for this run.</p>`}</section>
<section id="warnings"><h2>Warnings</h2>${r.warnings.length ? html`<ul>${r.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : html`<p>None.</p>`}</section>
<footer><p>Dataset SHA-256 ${r.dataset.sha256}. Options ${JSON.stringify(r.run.options)}.
Workflow <a href="${uiLink}">${r.run.workflow_id}</a> (run ${r.run.run_id}).</p></footer>
</body></html>`;
  return page.value;
}
