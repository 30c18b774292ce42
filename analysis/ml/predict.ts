import { predictCandidate } from './candidates.js';
import { encode, encodedWidth, toNumber } from './encoding.js';
import type { ModelArtifact } from './train-models.js';

export interface PredictProblem { missing: string[]; mistyped: { column: string; row: number; value: string }[] }
export interface Predictions { predictions: (number | string)[]; probabilities?: Record<string, number>[] }

/**
 * Checks rows against the model's schema: every feature present, numbers parseable. Extra columns are ignored.
 * @returns null when the rows can be scored
 */
export function checkRows(model: ModelArtifact, rows: Record<string, unknown>[]): PredictProblem | null {
  const missing = model.features.filter((f) => rows.some((r) => !(f.name in r))).map((f) => f.name);
  const mistyped: PredictProblem['mistyped'] = [];
  for (const f of model.features) {
    if (f.kind !== 'numeric') continue;
    rows.forEach((r, i) => {
      const v = r[f.name];
      if (v === null || v === undefined || v === '' || mistyped.length >= 20) return;
      if (!Number.isFinite(toNumber(v))) mistyped.push({ column: f.name, row: i, value: String(v).slice(0, 50) });
    });
  }
  return missing.length || mistyped.length ? { missing, mistyped } : null;
}

/** Scores rows with a saved model; unseen categories fall into the "other" slot rather than failing. */
export function predictRows(model: ModelArtifact, rows: Record<string, unknown>[]): Predictions {
  const columns: Record<string, unknown[]> = {};
  for (const f of model.features) columns[f.name] = rows.map((r) => r[f.name]);
  const width = encodedWidth(model.features);
  const X = encode(columns, rows.length, model.features);
  const idx = Array.from({ length: rows.length }, (_, i) => i);
  const out = predictCandidate(model.model, { X, width, classes: model.classes }, idx);
  if (model.task === 'regression') return { predictions: Array.from(out) };
  const K = model.classes.length;
  const probabilities = idx.map((i) => Object.fromEntries(model.classes.map((c, k) => [c, out[i * K + k]])));
  const predictions = idx.map((i) => { let best = 0; for (let k = 1; k < K; k++) if (out[i * K + k] > out[i * K + best]) best = k; return model.classes[best]; });
  return { predictions, probabilities };
}
