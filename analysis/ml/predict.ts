import { calibrated } from './calibration.js';
import { predictCandidate } from './candidates.js';
import { driftReport, PSI_WARN, type DriftReport } from './drift.js';
import { toNumber } from './encoding.js';
import { applyPreprocessing } from './preprocess.js';
import { argmaxRows } from './scoring.js';
import { explainRows, type ExplanationSpace } from './shap.js';
import type { ModelArtifact } from './train-models.js';

export interface PredictProblem { missing: string[]; mistyped: { column: string; row: number; value: string; expected: string }[] }
export interface Explanation { class?: string; base_value: number; contributions: Record<string, number> }
export interface Predictions {
  predictions: (number | string)[];
  probabilities?: Record<string, number>[];
  /**
   * `note` is set when the model's probabilities are calibrated: SHAP values explain the model's own output
   * (in `space`), before the calibration map, so they add up to that, not to the served probability.
   */
  explanations?: { space: ExplanationSpace; rows: Explanation[]; note?: string };
  drift: DriftReport[];
  /** Why drift was not judged (too few rows), when it was not. */
  drift_note?: string;
  warnings: string[];
}

/**
 * Rows below which PSI is too noisy to judge: ten bins of 50–80 rows from the very training data reach PSI 0.25
 * by chance; at 100 the chance PSI of ten bins is about 0.09.
 */
export const MIN_DRIFT_ROWS = 100;
const MAX_MISTYPED = 20;

const BOOLEAN = /^(true|false|yes|no|0|1|t|f|y|n)$/i;

/**
 * Checks rows against the model's schema: every feature present, numbers, dates and booleans parseable.
 * Extra columns are ignored; unseen categories are fine (they share the "other" bin).
 * @returns null when the rows can be scored
 */
export function checkRows(model: Pick<ModelArtifact, 'preprocessing'>, rows: Record<string, unknown>[]): PredictProblem | null {
  const inputs = model.preprocessing.inputs;
  const missing = inputs.filter((f) => rows.some((r) => !(f.name in r))).map((f) => f.name);
  const mistyped: PredictProblem['mistyped'] = [];
  for (const f of inputs) {
    const check = f.type === 'integer' || f.type === 'float' ? (v: unknown) => Number.isFinite(toNumber(v))
      : f.type === 'datetime' ? (v: unknown) => typeof v === 'number' || !Number.isNaN(Date.parse(String(v)))
      : f.type === 'boolean' ? (v: unknown) => typeof v === 'boolean' || BOOLEAN.test(String(v)) : null;
    if (!check) continue;
    rows.forEach((r, i) => {
      const v = r[f.name];
      if (v === null || v === undefined || v === '' || mistyped.length >= MAX_MISTYPED) return;
      if (!check(v)) mistyped.push({ column: f.name, row: i, value: String(v).slice(0, 50), expected: f.type });
    });
  }
  return missing.length || mistyped.length ? { missing, mistyped } : null;
}

/** Booleans as the categories training saw ("true"/"false"), whatever spelling the caller used. */
function normalise(model: ModelArtifact, rows: Record<string, unknown>[]): Record<string, unknown[]> {
  const columns: Record<string, unknown[]> = {};
  for (const f of model.preprocessing.inputs) {
    columns[f.name] = rows.map((r) => {
      const v = r[f.name];
      if (f.type !== 'boolean' || v === null || v === undefined || v === '') return v;
      return typeof v === 'boolean' ? v : /^(true|yes|1|t|y)$/i.test(String(v));
    });
  }
  return columns;
}

/**
 * Scores rows with a saved model, optionally with per-row SHAP contributions per input column, and reports
 * input drift (PSI per feature against the training distribution).
 */
export function predictRows(model: ModelArtifact, rows: Record<string, unknown>[], opts: { explain?: boolean } = {}): Predictions {
  const columns = normalise(model, rows);
  const p = applyPreprocessing(model.preprocessing, columns, rows.length);
  const idx = Array.from({ length: rows.length }, (_, i) => i);
  // The served probabilities: through the calibration map when training fitted and applied one.
  const out = calibrated(model.calibration, predictCandidate(model.model, { ...p, classes: model.classes }, idx), model.classes.length);
  // Drift compares like with like: the rows as training saw them ("yes" read as true), not as the caller spelt them.
  const names = Object.keys(columns);
  const seen = idx.map((i) => Object.fromEntries(names.map((n) => [n, columns[n][i]])));
  const judged = rows.length >= MIN_DRIFT_ROWS;
  const drift = driftReport(model.drift, seen).map((d) => (judged ? d : { ...d, drifted: false }));
  const warnings = judged
    ? drift.filter((d) => d.drifted).map((d) => `Input drift on '${d.feature}': PSI ${d.psi.toFixed(2)} against the training data (above ${PSI_WARN}).`)
    : [];
  const result: Predictions = { predictions: [], drift, warnings };
  if (!judged) result.drift_note = `Drift is judged on ${MIN_DRIFT_ROWS} rows or more; with ${rows.length} the PSI figures are noise, so no feature is flagged.`;
  const K = model.classes.length;
  const best = K ? argmaxRows(out, rows.length, K) : [];
  if (model.task === 'regression') result.predictions = Array.from(out);
  else {
    result.probabilities = idx.map((i) => Object.fromEntries(model.classes.map((c, k) => [c, out[i * K + k]])));
    result.predictions = best.map((b) => model.classes[b]);
  }
  if (opts.explain) {
    const c = explainRows(model.model, model.preprocessing, p, idx, model.x_mean);
    const names = model.preprocessing.inputs.map((f) => f.name);
    result.explanations = { space: c.space, rows: idx.map((i) => {
      // One output: it is the explanation. Several (multiclass): explain the predicted class.
      const k = c.outputs === 1 ? 0 : best[i];
      const contributions = Object.fromEntries(names.map((n, j) => [n, c.phi[(i * names.length + j) * c.outputs + k]]));
      const e: Explanation = { base_value: c.base[k], contributions };
      if (K > 2) e.class = model.classes[k];
      else if (K === 2) e.class = model.classes[1];
      return e;
    }) };
    if (model.calibration && model.task === 'classification') {
      result.explanations.note = `SHAP values explain the model's output before calibration (${c.space}); the served probabilities pass through ${model.calibration.method === 'platt' ? 'Platt scaling' : 'temperature scaling'}, so base_value + contributions is not the served probability.`;
    }
  }
  return result;
}
