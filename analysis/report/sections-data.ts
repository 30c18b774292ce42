import { matrixPairs, strongestFirst, type NamedMatrix } from '../profile/pairs.js';
import type { Alert, ColumnProfile } from '../profile/types.js';
import { html, type Html } from './escape.js';
import { figure, fmt, pct, type RenderedCharts } from './figures.js';
import type { ReportInput } from './types.js';

/** Column cards shown in full before the rest are summarised in one table. */
export const DEFAULT_MAX_COLUMN_CARDS = 50;

const numeric = (c: ColumnProfile) => c.quantiles !== null;
const bytes = (n: number) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

function stat(label: string, value: unknown): Html | '' {
  return value === null || value === undefined ? '' : html`<dt>${label}</dt><dd>${fmt(value)}</dd>`;
}

function columnCard(c: ColumnProfile, alerts: Alert[], charts: RenderedCharts): Html {
  const q = c.quantiles;
  return html`<article class="card"><h3>${c.name} <span class="type">${c.type}</span></h3>
${alerts.length ? html`<p>${alerts.map((a) => html`<span class="badge warn" title="${a.message}">${a.kind}</span>`)}</p>` : ''}
<dl>${stat('Count', c.count)}${html`<dt>Missing</dt><dd>${fmt(c.missing)} (${pct(c.missing_pct)})</dd>`}${stat('Distinct', c.distinct)}${html`<dt>Unique</dt><dd>${pct(c.unique_ratio)}</dd>`}
${stat('Mean', c.mean)}${stat('Std', c.std)}${stat('Min', c.min)}${stat('Max', c.max)}
${q ? html`${stat('5%', q.p5)}${stat('25%', q.p25)}${stat('Median', q.p50)}${stat('75%', q.p75)}${stat('95%', q.p95)}` : ''}
${stat('Skewness', c.skewness)}${stat('Kurtosis', c.kurtosis)}${numeric(c) ? html`${stat('Zeros', c.zeros)}${stat('Negatives', c.negatives)}${c.infinities ? stat('Infinite', c.infinities) : ''}${c.outliers ? stat('Outliers', c.outliers) : ''}` : ''}
${c.length ? html`${stat('Length', `${c.length.min}–${c.length.max}`)}${stat('Mean length', c.length.mean)}` : ''}
${c.datetime ? html`${stat('Span', `${fmt(c.datetime.range_days)} days`)}${stat('Spacing', c.datetime.frequency ?? (c.datetime.median_gap_s !== null ? `${fmt(c.datetime.median_gap_s)} s` : '—'))}${stat('Gaps', c.datetime.gaps)}${stat('Orders rows', c.datetime.ordered ? 'yes' : 'no')}` : ''}</dl>
${figure(charts, `histogram:${c.name}`, false) || figure(charts, `top_values:${c.name}`, false)}</article>`;
}

/** Alerts grouped under their column, listed in the order the profile raised them. */
export function alertsSection(r: ReportInput): Html {
  const a = r.eda.alerts;
  return html`<section id="alerts" aria-labelledby="h-alerts"><h2 id="h-alerts">Data-quality alerts</h2>
${a.length ? html`<div class="scroll"><table><thead><tr><th scope="col">Alert</th><th scope="col">Column</th><th scope="col">Detail</th></tr></thead><tbody>
${a.map((x) => html`<tr><td><span class="badge warn">${x.kind}</span></td><td>${x.column ?? 'whole table'}</td><td>${x.message}</td></tr>`)}</tbody></table></div>`
    : html`<p class="ok">No alerts: no constant, mostly-missing, skewed or duplicated data was found.</p>`}
${thresholdsLine(r.eda.alert_thresholds)}</section>`;
}

/** How each threshold reads in the report (shares as percentages), in the order a reader scans alerts. */
const THRESHOLD_TEXT: [string, (v: number) => string][] = [
  ['missing_pct', (v) => `MISSING above ${pctOf(v)} of rows`], ['duplicates_pct', (v) => `DUPLICATES above ${pctOf(v)} of rows`],
  ['zeros_pct', (v) => `ZEROS above ${pctOf(v)}`], ['outliers_pct', (v) => `OUTLIERS above ${pctOf(v)} beyond 3 IQR`],
  ['skewness', (v) => `SKEWED above |skewness| ${v}`], ['high_cardinality', (v) => `HIGH_CARDINALITY above ${v} categories`],
  ['correlation', (v) => `HIGH_CORRELATION at |r| or V ≥ ${v}`], ['imbalance', (v) => `IMBALANCE above ${v}`],
  ['uniform_p', (v) => `UNIFORM at χ² p > ${v}`], ['leakage', (v) => `LEAKAGE when one column alone ties to the target with strength ≥ ${v} (R², ROC AUC or share of rows determined; the same rule leaves it out of training)`],
];
const pctOf = (v: number) => `${Number((v * 100).toFixed(2))}%`;

/** The thresholds the alerts were raised with, so a reader knows what "no alert" means (set with options.alert_thresholds). */
function thresholdsLine(t: Record<string, number> | undefined): Html {
  if (!t) return html``;
  const parts = THRESHOLD_TEXT.filter(([k]) => typeof t[k] === 'number').map(([k, say]) => say(t[k]));
  return html`<p class="sub">Thresholds: ${parts.join('; ')}. A run sets its own with <code>options.alert_thresholds</code>.</p>`;
}

export function overviewSection(r: ReportInput): Html {
  const d = r.eda.dataset;
  return html`<section id="overview" aria-labelledby="h-overview"><h2 id="h-overview">Overview</h2><table><tbody>
<tr><th scope="row">File</th><td>${r.dataset.filename}</td></tr>
<tr><th scope="row">Rows</th><td class="num">${fmt(d.rows)}</td></tr><tr><th scope="row">Columns</th><td class="num">${fmt(d.cols)}</td></tr>
<tr><th scope="row">Missing cells</th><td class="num">${fmt(d.missing_cells)} (${pct(d.rows * d.cols ? d.missing_cells / (d.rows * d.cols) : 0)})</td></tr>
<tr><th scope="row">Duplicate rows</th><td class="num">${fmt(d.duplicate_rows)}</td></tr>
<tr><th scope="row">Column types</th><td>${Object.entries(d.type_counts).map(([k, v]) => `${k}: ${v}`).join(', ')}</td></tr>
${d.memory_bytes !== undefined ? html`<tr><th scope="row">Memory (estimate)</th><td class="num">${bytes(d.memory_bytes)}</td></tr>` : ''}</tbody></table>
${r.readNotes?.length ? html`<h3>How the file was read</h3><ul>${r.readNotes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}</section>`;
}

/** The columns shown as cards: the first `maxColumnCards`, and the target wherever it is. */
export function cardedColumns(r: ReportInput): ColumnProfile[] {
  const limit = r.maxColumnCards ?? DEFAULT_MAX_COLUMN_CARDS;
  return r.eda.columns.filter((c, i) => i < limit || c.name === r.modeling?.target);
}

/** One card per column up to the limit; the rest in a summary table, and the page says so. */
export function columnsSection(r: ReportInput, charts: RenderedCharts): Html {
  const limit = r.maxColumnCards ?? DEFAULT_MAX_COLUMN_CARDS;
  const cols = r.eda.columns;
  const carded = cardedColumns(r);
  const rest = cols.filter((c) => !carded.includes(c));
  const alertsOf = (name: string) => r.eda.alerts.filter((a) => a.column === name);
  return html`<section id="columns" aria-labelledby="h-columns"><h2 id="h-columns">Columns</h2>
<div class="cards">${carded.map((c) => columnCard(c, alertsOf(c.name), charts))}</div>
${rest.length ? html`<p class="note">The table has ${cols.length} columns; the ${rest.length} beyond the first ${limit} are summarised below without charts to keep the report small.</p>
<div class="scroll"><table><caption>More columns</caption><thead><tr><th scope="col">Column</th><th scope="col">Type</th><th scope="col" class="num">Missing</th><th scope="col" class="num">Distinct</th><th scope="col">Mean or top value</th><th scope="col">Alerts</th></tr></thead><tbody>
${rest.map((c) => html`<tr><td>${c.name}</td><td>${c.type}</td><td class="num">${pct(c.missing_pct)}</td><td class="num">${fmt(c.distinct)}</td><td>${c.mean !== null ? fmt(c.mean) : c.top_values?.[0]?.value ?? '—'}</td><td>${alertsOf(c.name).map((a) => a.kind).join(', ')}</td></tr>`)}</tbody></table></div>` : ''}</section>`;
}

const pairsOf = (m: NamedMatrix, measure: string) => matrixPairs(m).map(({ a, b, v }) => ({ a, b, v, measure }));

export function correlationsSection(r: ReportInput, charts: RenderedCharts): Html {
  const a = r.eda.associations;
  const pairs = [...pairsOf(r.eda.correlations, 'Pearson r'), ...(a ? pairsOf(a.spearman, 'Spearman ρ') : []), ...(a ? pairsOf(a.cramers_v, "Cramér's V") : [])];
  if (a) a.correlation_ratio.categorical.forEach((cat, i) => a.correlation_ratio.numeric.forEach((num, j) => {
    const v = a.correlation_ratio.matrix[i][j];
    if (v !== null) pairs.push({ a: cat, b: num, v, measure: 'correlation ratio η' });
  }));
  const strongest = strongestFirst(pairs);
  return html`<section id="correlations" aria-labelledby="h-correlations"><h2 id="h-correlations">Correlations</h2>
${r.eda.correlations.columns.length >= 2 ? figure(charts, 'correlations', false) : html`<p>Fewer than two numeric columns, so there is no Pearson matrix.</p>`}
${strongest.length ? html`<div class="scroll"><table><caption>Strongest associations</caption><thead><tr><th scope="col">Column</th><th scope="col">Column</th><th scope="col">Measure</th><th scope="col" class="num">Value</th></tr></thead><tbody>
${strongest.slice(0, 12).map((p) => html`<tr><td>${p.a}</td><td>${p.b}</td><td>${p.measure}</td><td class="num">${p.v.toFixed(3)}</td></tr>`)}</tbody></table></div>
<p class="note">Pearson on every row; Spearman, Cramér's V (categorical pairs) and the correlation ratio (categorical × numeric) ${a?.sampled ? `on a sample of ${a.sample_rows.toLocaleString('en-US')} rows` : 'on every row'}.</p>` : ''}</section>`;
}

/** Shown when a datetime column orders the rows: frequency, trend and seasonality in sentences, and the series over time. */
export function timeSeriesSection(r: ReportInput, charts: RenderedCharts): Html | '' {
  const ts = r.eda.time_series;
  if (!ts) return '';
  return html`<section id="timeseries" aria-labelledby="h-timeseries"><h2 id="h-timeseries">Time series</h2>
<p>${ts.sentence}</p>${ts.series.length ? html`<ul>${ts.series.map((s) => html`<li>${s.sentence}</li>`)}</ul>` : ''}${figure(charts, 'time_series', false)}</section>`;
}

export function missingnessSection(r: ReportInput, charts: RenderedCharts): Html {
  const gaps = r.eda.columns.filter((c) => c.missing > 0);
  return html`<section id="missingness" aria-labelledby="h-missingness"><h2 id="h-missingness">Missing values</h2>
${gaps.length ? html`<p>${gaps.length} of ${r.eda.columns.length} columns have missing values, ${fmt(r.eda.dataset.missing_cells)} cells in all.</p>${figure(charts, 'missingness', false)}`
    : html`<p class="ok">Every column is complete: no value is missing.</p>`}</section>`;
}

export function duplicatesSection(r: ReportInput): Html {
  const d = r.eda.dataset;
  return html`<section id="duplicates" aria-labelledby="h-duplicates"><h2 id="h-duplicates">Duplicate rows</h2>
${d.duplicate_rows > 0 ? html`<p class="warn">${fmt(d.duplicate_rows)} of ${fmt(d.rows)} rows (${pct(d.duplicate_rows / d.rows)}) are exact copies of an earlier row. Duplicates weigh those rows twice in statistics and can leak between cross-validation folds.</p>`
    : html`<p class="ok">No row repeats another exactly.</p>`}</section>`;
}

/** The target: why it was chosen, its distribution and balance; without modeling, the ranked candidates. */
export function targetSection(r: ReportInput, charts: RenderedCharts): Html {
  const m = r.modeling;
  const candidates = r.eda.target_candidates.slice(0, 5);
  const candidateTable = candidates.length ? html`<table><caption>Target candidates, as ranked by the profile</caption><thead><tr><th scope="col">Column</th><th scope="col" class="num">Score</th><th scope="col">Task</th><th scope="col">Why</th></tr></thead><tbody>
${candidates.map((c) => html`<tr><td>${c.column}</td><td class="num">${c.score.toFixed(2)}</td><td>${c.task}</td><td>${c.reason}</td></tr>`)}</tbody></table>` : html`<p>No column looks like a target.</p>`;
  if (!m) return html`<section id="target" aria-labelledby="h-target"><h2 id="h-target">Target analysis</h2><p>No target was modelled in this run.</p>${candidateTable}</section>`;
  const col = r.eda.columns.find((c) => c.name === m.target);
  let balance: Html | '' = '';
  if (m.task === 'classification' && col?.top_values?.length && col.count > 0) {
    balance = html`<table><caption>Class balance</caption><thead><tr><th scope="col">Class</th><th scope="col" class="num">Rows</th><th scope="col" class="num">Share</th></tr></thead><tbody>
${col.top_values.map((t) => html`<tr><td>${t.value}</td><td class="num">${fmt(t.count)}</td><td class="num">${pct(t.count / col.count)}</td></tr>`)}</tbody></table>`;
  } else if (col?.quantiles) {
    balance = html`<p>'${m.target}' ranges from ${fmt(col.min)} to ${fmt(col.max)}, median ${fmt(col.quantiles.p50)}, mean ${fmt(col.mean)} ± ${fmt(col.std)}.</p>`;
  }
  return html`<section id="target" aria-labelledby="h-target"><h2 id="h-target">Target analysis</h2>
<p>Target <strong>${m.target}</strong>, a ${m.task} task${col?.missing ? html`; ${fmt(col.missing)} rows without a target were left out` : ''}.</p>
<div class="charts">${figure(charts, `histogram:${m.target}`) || figure(charts, `top_values:${m.target}`)}${balance}</div>${candidateTable}</section>`;
}
