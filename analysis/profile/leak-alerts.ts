import { taskFor } from '../clarify/target-candidates.js';
import type { ColumnInfo } from '../ingest/read-table.js';
import { findLeaks, LEAK_REASON_PREFIX, LEAK_THRESHOLD, type Leak } from '../ml/leakage.js';
import { loadFrame } from '../ml/load-frame.js';
import { prepareTarget } from '../ml/prepare-training.js';
import type { Alert, ColumnProfile } from './types.js';

/** The profile judges leakage on a reproducible sample of this many rows (the rule's scores settle well before). */
export const LEAK_SAMPLE_ROWS = 50_000;

/** Column types the model never sees, so they cannot leak into it. */
const NOT_MODELED = new Set(['identifier', 'text']);

/**
 * Applies the one leakage rule (`findLeaks`, the same function and threshold training uses) to the profile's
 * table, for the LEAKAGE alert when the target is known before profiling. A target that cannot be modelled
 * (a single value, a text column for regression) has no leaks to report: training will say what is wrong.
 */
export async function profileLeaks(parquetPath: string, columns: ColumnInfo[], profiles: ColumnProfile[], target: string,
  threshold = LEAK_THRESHOLD, signal?: AbortSignal): Promise<Leak[]> {
  const tp = profiles.find((c) => c.name === target);
  const info = columns.find((c) => c.name === target);
  if (!tp || !info) return [];
  const features = columns.filter((c) => c.name !== target && !NOT_MODELED.has(c.type));
  if (!features.length) return [];
  const task = taskFor(tp);
  const { frame } = await loadFrame(parquetPath, [target, ...features.map((c) => c.name)], { sampleRows: LEAK_SAMPLE_ROWS, seed: 42, signal });
  let t;
  try {
    t = prepareTarget(frame, target, task, undefined, info.bool_labels);
  } catch {
    return [];
  }
  const kept: Record<string, unknown[]> = {};
  for (const f of features) kept[f.name] = t.keep.map((r) => frame.columns[f.name][r]);
  return findLeaks(kept, features, task, t.yNum, t.yCls, t.classes.length, threshold);
}

/** The LEAKAGE alert for one finding of the rule. */
export function leakAlert(leak: Leak, target: string, rows: string): Alert {
  return { kind: 'LEAKAGE', column: leak.column, value: Number(leak.strength.toFixed(4)),
    message: `'${leak.column}' almost determines the target '${target}' (${leak.reason}, ${rows}); it is probably derived from it and is left out of modeling.` };
}

/**
 * Makes the profile's LEAKAGE alerts say what training decided once it ran: training applies the same rule to
 * its own rows (never the held-out test rows), and that decision is the one the model lived with, so the result
 * and the report show exactly the columns it left out as leaks, whatever the profile saw before the split.
 */
export function reconcileLeakAlerts(alerts: Alert[], modeling: { target: string; excluded: { column: string; reason: string }[] } | null): Alert[] {
  if (!modeling) return alerts;
  const leaks = modeling.excluded.filter((e) => e.reason.startsWith(LEAK_REASON_PREFIX));
  const out = alerts.filter((a) => a.kind !== 'LEAKAGE');
  for (const e of leaks) {
    const reason = e.reason.slice(LEAK_REASON_PREFIX.length);
    // The reason ends with the figure the rule judged ("ROC AUC 1.000", "R² 0.995", "in 99.5% of rows").
    const last = [...reason.matchAll(/(\d+(?:\.\d+)?)(%?)/g)].pop();
    const strength = last ? Number(last[1]) / (last[2] ? 100 : 1) : 1;
    out.push(leakAlert({ column: e.column, reason, strength }, modeling.target, 'on the training rows'));
  }
  return out;
}
