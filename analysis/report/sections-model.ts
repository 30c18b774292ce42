import { html, type Html } from './escape.js';
import { figure, fmt, type RenderedCharts } from './figures.js';
import { higherIsBetter } from '../ml/metrics.js';
import type { Modeling, ReportInput } from './types.js';

const none = (id: string, title: string) => html`<section id="${id}" aria-labelledby="h-${id}"><h2 id="h-${id}">${title}</h2><p>No model was trained for this run.</p></section>`;

const SCHEME_NAMES = { kfold: 'shuffled k-fold', stratified: 'stratified k-fold', time: 'forward-chaining in time', group: 'grouped k-fold' } as const;

/** How the models were validated and which score to trust: the held-out test score when there is one. */
function validationParagraph(m: Modeling): Html {
  const v = m.validation;
  if (!v) return html``;
  const best = m.leaderboard[0];
  const cv = html`cross-validated ${m.metric} ${best.cv_mean.toFixed(4)} ± ${best.cv_std.toFixed(4)}`;
  const trust = m.test_score != null
    ? html`${best.model}: ${cv}; on the ${fmt(v.test_rows)} held-out test rows (${Math.round(v.test_fraction * 100)}%${v.scheme === 'time' ? ', the latest in time' : v.scheme === 'group' ? ', whole groups' : ''}), which no selection step saw, <strong>${m.metric} ${m.test_score.toFixed(4)}</strong>. Trust the test score: the cross-validated one also chose the model, so it leans optimistic. The served model was then refitted on ${v.served_model_rows < m.rows_used ? html`${fmt(v.served_model_rows)} of the ${fmt(m.rows_used)} rows (what the time left afforded${v.scheme === 'time' ? '; the latest' : ''})` : html`all ${fmt(v.served_model_rows)} rows`}, test rows included.`
    : html`${best.model}: ${cv}. There is no held-out test split (${v.test_fraction === 0 && m.rows_used < 1000 ? 'fewer than 1,000 rows' : 'test_fraction 0'}), so this score both chose the model and measures it: expect somewhat less on new data.`;
  return html`<p id="validation">Validation: <strong>${SCHEME_NAMES[v.scheme]}</strong>, ${v.folds} folds${v.gap ? html`, a gap of ${v.gap} rows` : ''}. ${v.reason}</p>
<p id="trust">${trust}</p>`;
}

/** What the hyper-parameter search did within its budget, and what the ensemble is made of. */
function searchParagraph(m: Modeling): Html {
  const ens = m.leaderboard.find((e) => e.model === 'ensemble');
  const members = ens?.members ? html` The ensemble averages ${ens.members.map((x, i) => html`${i ? ', ' : ''}${x.model} (weight ${x.weight.toFixed(2)})`)}, chosen greedily on out-of-fold predictions; its score on each fold comes from weights chosen on the other folds, so it is cross-validated like every other row.` : '';
  if (!m.trials?.length) return members ? html`<p>${members}</p>` : html``;
  const s = m.search;
  const budget = s?.time_budget_s != null ? html` within a time budget of ${fmt(Math.round(s.time_budget_s))} s${typeof s.budget_rule === 'string' && s.budget_rule !== 'options.time_budget_s' ? html` (${s.budget_rule})` : ''}` : '';
  const why = s?.stopped === 'converged' ? 'the search converged' : s?.stopped === 'budget' ? 'the budget ran out' : s?.stopped === 'max_trials' ? 'the trial cap was reached' : 'only the defaults were asked for';
  const st = m.rows_by_stage;
  const scored = st && typeof st.explain_scored === 'number' ? html`, scored on ${fmt(st.explain_scored)} held-out rows` : '';
  const rule = st && typeof st.finish_rule === 'string' && st.search < st.refit ? html` The finish's rows: ${st.finish_rule}.` : '';
  const rows = st ? html` Rows used: ${fmt(st.search)} in the search, ${fmt(st.refit)} in the refit, ${fmt(st.explain)} to fit the model explained${scored}.${rule}` : '';
  return html`<p id="search">${m.trials.length} trials on the same folds${budget}; it stopped because ${why}. Each family's row above is its best trial.${members}${rows}</p>`;
}

const METHOD_NAMES = { platt: 'Platt scaling', temperature: 'temperature scaling' } as const;

/**
 * Whether the served probabilities are calibrated, and log loss and Brier before/after: out of fold (cross-fitted)
 * and on the held-out test split. Nothing for regression or modeling.json written before calibration existed.
 */
function calibrationParagraph(m: Modeling): Html {
  const c = m.calibration;
  if (!c) return html``;
  const head = c.applied && c.method
    ? html`Probabilities are calibrated with <strong>${METHOD_NAMES[c.method]}</strong>, fitted on the out-of-fold predictions.`
    : html`Probabilities are served as the model gives them.`;
  const figures = [c.oof ? { label: 'Out of fold (cross-fitted)', f: c.oof } : null, c.test ? { label: 'Held-out test split', f: c.test } : null].filter((x) => x !== null);
  const table = figures.length ? html`<div class="scroll"><table><caption>Calibration${c.applied ? '' : ' (what it would have changed)'}</caption><thead><tr><th scope="col">Rows</th><th scope="col" class="num">Log loss before</th><th scope="col" class="num">after</th><th scope="col" class="num">Brier before</th><th scope="col" class="num">after</th></tr></thead><tbody>
${figures.map(({ label, f }) => html`<tr><td>${label} (${fmt(f.rows)})</td><td class="num">${f.log_loss_before.toFixed(4)}</td><td class="num">${f.log_loss_after.toFixed(4)}</td><td class="num">${f.brier_before.toFixed(4)}</td><td class="num">${f.brier_after.toFixed(4)}</td></tr>`)}</tbody></table></div>` : '';
  return html`<p id="calibration">${head} ${c.reason}</p>${table}`;
}

/** The leaderboard with the spread of every model's fold scores. */
export function leaderboardSection(r: ReportInput, charts: RenderedCharts): Html {
  const m = r.modeling;
  if (!m) return none('models', 'Models');
  return html`<section id="models" aria-labelledby="h-models"><h2 id="h-models">Models</h2>
<p>${m.leaderboard.length} candidates cross-validated on ${m.cv_folds} folds of ${m.rows_by_stage && m.rows_by_stage.search < m.rows_used ? html`${fmt(m.rows_by_stage.search)} of the ${fmt(m.rows_used)} rows loaded` : html`${fmt(m.rows_used)} rows`}${m.sampled ? html` (a sample of ${fmt(m.total_rows)})` : ''}; metric ${m.metric}${higherIsBetter(m.metric) ? ' (higher is better)' : ' (lower is better)'}.</p>
${validationParagraph(m)}
<div class="scroll"><table><caption>Leaderboard</caption><thead><tr><th scope="col">Rank</th><th scope="col">Model</th><th scope="col" class="num">CV mean</th><th scope="col" class="num">CV std</th><th scope="col" class="num">Worst fold</th><th scope="col" class="num">Best fold</th></tr></thead><tbody>
${m.leaderboard.map((e, i) => {
    const lo = Math.min(...e.folds), hi = Math.max(...e.folds);
    return html`<tr><td class="num">${i + 1}</td><td>${e.model}${e.model === m.best_model ? html` <span class="badge ok">best</span>` : ''}</td><td class="num">${e.cv_mean.toFixed(4)}</td><td class="num">${e.cv_std.toFixed(4)}</td><td class="num">${(higherIsBetter(m.metric) ? lo : hi).toFixed(4)}</td><td class="num">${(higherIsBetter(m.metric) ? hi : lo).toFixed(4)}</td></tr>`;
  })}</tbody></table></div>
${figure(charts, 'leaderboard')}
${searchParagraph(m)}${figure(charts, 'search_trials')}
${calibrationParagraph(m)}
${m.excluded.length ? html`<p>Left out of modeling: ${m.excluded.map((e, i) => html`${i ? '; ' : ''}<strong>${e.column}</strong> (${e.reason})`)}.</p>` : ''}</section>`;
}

/** SHAP and permutation importance side by side, charts first, then one table joining both. */
export function importanceSection(r: ReportInput, charts: RenderedCharts): Html {
  const m = r.modeling;
  if (!m) return none('importance', 'Feature importance');
  const shap = new Map(m.shap_importance.map((s) => [s.feature, s.mean_abs_shap]));
  return html`<section id="importance" aria-labelledby="h-importance"><h2 id="h-importance">Feature importance</h2>
<p>Mean absolute SHAP value: how far, on average, each feature moves a prediction (${m.explained_on}). Permutation importance: how much the held-out ${m.metric} drops when the feature's values are shuffled.</p>
<div class="charts">${figure(charts, 'shap_importance')}${figure(charts, 'permutation_importance')}</div>
<div class="scroll"><table><caption>Importance per feature</caption><thead><tr><th scope="col">Feature</th><th scope="col" class="num">Permutation</th><th scope="col" class="num">Mean |SHAP|</th></tr></thead><tbody>
${m.importances.slice(0, 30).map((i) => html`<tr><td>${i.feature}</td><td class="num">${i.importance.toFixed(4)}</td><td class="num">${shap.has(i.feature) ? shap.get(i.feature)!.toFixed(4) : '—'}</td></tr>`)}</tbody></table></div></section>`;
}

export function dependenceSection(r: ReportInput, charts: RenderedCharts): Html {
  const m = r.modeling;
  if (!m) return none('dependence', 'Partial dependence');
  return html`<section id="dependence" aria-labelledby="h-dependence"><h2 id="h-dependence">Partial dependence</h2>
${m.partial_dependence.length ? html`<p>The model's mean prediction as one feature varies and the others keep their values, for the most important features.</p>
<div class="charts">${m.partial_dependence.map((pd) => figure(charts, `pd_${pd.feature}`))}</div>` : html`<p>No feature was suitable for partial dependence.</p>`}</section>`;
}

/** Held-out diagnostics: confusion matrix and curves for classification, errors and residuals for regression. */
export function diagnosticsSection(r: ReportInput, charts: RenderedCharts): Html {
  const m = r.modeling;
  if (!m) return none('diagnostics', 'Model diagnostics');
  const d = m.diagnostics as { kind: string; held_out_rows: number; rmse?: number; mae?: number };
  const ids = d.kind === 'classification' ? ['confusion_matrix', 'roc_curve', 'pr_curve'] : ['predicted_vs_actual', 'residuals'];
  return html`<section id="diagnostics" aria-labelledby="h-diagnostics"><h2 id="h-diagnostics">Model diagnostics</h2>
<p>${m.best_model} on ${fmt(d.held_out_rows)} held-out rows${d.rmse !== undefined ? html`: RMSE ${fmt(d.rmse)}, MAE ${fmt(d.mae)}` : ''}; training score ${m.train_score.toFixed(4)} against a cross-validated ${m.leaderboard[0].cv_mean.toFixed(4)}.</p>
<div class="charts">${ids.map((id) => figure(charts, id))}</div></section>`;
}

/** QA's findings and every warning the run collected, errors first. */
export function qaSection(r: ReportInput): Html {
  const f = [...r.findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return html`<section id="qa" aria-labelledby="h-qa"><h2 id="h-qa">QA findings and warnings</h2>
${f.length ? html`<ul>${f.map((x) => html`<li class="${x.severity === 'error' ? 'error' : 'warn'}"><span class="badge">${x.severity}</span><strong>${x.check}</strong>: ${x.message}</li>`)}</ul>`
    : html`<p class="ok">QA checked the profile${r.modeling ? ' and the models' : ''}: schemas valid, row counts agree, metrics in range, no sign of overfitting or leakage.</p>`}
${r.warnings.length ? html`<h3>Warnings</h3><ul>${r.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : html`<p>The run raised no warnings.</p>`}</section>`;
}
