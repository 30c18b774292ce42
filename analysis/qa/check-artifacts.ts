import type { z } from 'zod';
import { DataError } from '../errors.js';
import { higherIsBetter, type Metric } from '../ml/metrics.js';
import { EdaSchema, ModelingSchema } from './schemas.js';

export interface Finding { severity: 'error' | 'warning'; check: string; message: string }
export interface Critique { version: 1; ok: boolean; findings: Finding[] }

function parseOrThrow<T extends z.ZodType>(schema: T, raw: string, name: string): z.infer<T> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw new DataError('CORRUPT_ARTIFACT', `${name} is not valid JSON.`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new DataError('CORRUPT_ARTIFACT', `${name} does not match its schema at ${first.path.join('.') || '(root)'}: ${first.message}.`);
  }
  return parsed.data;
}

/**
 * Validates eda.json and modeling.json against their schemas and checks that their numbers agree.
 * Schema violations throw (the job fails); softer problems come back as warnings.
 */
export function checkArtifacts(a: { manifestRows: number; edaJson: string; modelingJson: string | null; reportHtml: string }): Critique {
  const findings: Finding[] = [];
  const eda = parseOrThrow(EdaSchema, a.edaJson, 'eda.json');
  if (eda.dataset.rows !== a.manifestRows) {
    throw new DataError('CORRUPT_ARTIFACT', `eda.json counts ${eda.dataset.rows} rows but ingest read ${a.manifestRows}.`);
  }
  for (const c of eda.columns) {
    if (c.count + c.missing !== eda.dataset.rows) findings.push({ severity: 'error', check: 'counts', message: `Column '${c.name}': count + missing ≠ rows.` });
    if (c.quantiles) {
      const q = [c.quantiles.p5, c.quantiles.p25, c.quantiles.p50, c.quantiles.p75, c.quantiles.p95];
      if (q.some((v, i) => i > 0 && v < q[i - 1] - 1e-9)) findings.push({ severity: 'error', check: 'quantiles', message: `Column '${c.name}': quantiles out of order.` });
    }
  }
  if (a.modelingJson) {
    const m = parseOrThrow(ModelingSchema, a.modelingJson, 'modeling.json');
    const sorted = [...m.leaderboard].sort((x, y) => (higherIsBetter(m.metric as Metric) ? y.cv_mean - x.cv_mean : x.cv_mean - y.cv_mean));
    if (sorted.some((e, i) => e.model !== m.leaderboard[i].model)) findings.push({ severity: 'error', check: 'leaderboard', message: 'The leaderboard is not ordered by its metric.' });
    if (m.leaderboard[0].model !== m.best_model) findings.push({ severity: 'error', check: 'leaderboard', message: 'best_model is not the leaderboard leader.' });
    if (m.metric === 'roc_auc' || m.metric === 'macro_f1' || m.metric === 'accuracy') {
      if (m.leaderboard.some((e) => e.cv_mean < 0 || e.cv_mean > 1)) findings.push({ severity: 'error', check: 'metric_range', message: `${m.metric} outside [0, 1].` });
    }
    if (m.rows_used > eda.dataset.rows) findings.push({ severity: 'error', check: 'counts', message: 'modeling used more rows than the dataset has.' });
    const base = m.leaderboard.find((e) => e.model === 'baseline');
    if (base && m.best_model === 'baseline') findings.push({ severity: 'warning', check: 'baseline', message: 'No model beat the baseline; the features may not predict the target.' });
    const top = m.importances[0];
    if (top && m.leaderboard[0].cv_mean > 0.99 && (m.metric === 'roc_auc' || m.metric === 'r2')) {
      findings.push({ severity: 'warning', check: 'leakage', message: `A near-perfect score (${m.leaderboard[0].cv_mean.toFixed(3)}) can mean leakage; check '${top.feature}'.` });
    }
  }
  if (!a.reportHtml.startsWith('<!doctype html>')) findings.push({ severity: 'error', check: 'report', message: 'The report is not an HTML document.' });
  return { version: 1, ok: !findings.some((f) => f.severity === 'error'), findings };
}
