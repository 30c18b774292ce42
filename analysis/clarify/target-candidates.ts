import type { ColumnProfile, TargetCandidate } from '../profile/types.js';

const STRONG_NAMES = /^(target|label|labels|class|y|outcome|churn|churned|survived|default|response|result|species|diagnosis|quality|price|salary|income|is_fraud|fraud)$/i;
const WEAK_NAMES = /(target|label|class|outcome|churn|fraud|survived|price|score|rating|status)/i;

/** Infers the task a column would pose as a target: categories and small integer sets are classes. */
export function taskFor(c: Pick<ColumnProfile, 'type' | 'distinct'>): 'classification' | 'regression' {
  if (c.type === 'float') return 'regression';
  if (c.type === 'integer') return c.distinct <= 10 ? 'classification' : 'regression';
  return 'classification';
}

/**
 * Ranks columns as possible targets, each with a score in [0, 1] and the reasons behind it.
 * Identifiers, free text, dates, constants and mostly-missing columns are never candidates.
 */
export function rankTargetCandidates(columns: ColumnProfile[]): TargetCandidate[] {
  const out: TargetCandidate[] = [];
  columns.forEach((c, i) => {
    if (c.type === 'identifier' || c.type === 'text' || c.type === 'datetime') return;
    if (c.distinct <= 1 || c.missing_pct > 0.5) return;
    if (c.type === 'categorical' && c.distinct > 50) return;
    const reasons: string[] = [];
    let score = 0.2;
    if (STRONG_NAMES.test(c.name)) { score += 0.5; reasons.push('its name is a usual target name'); }
    else if (WEAK_NAMES.test(c.name)) { score += 0.3; reasons.push('its name suggests an outcome'); }
    if (i === columns.length - 1) { score += 0.15; reasons.push('it is the last column'); }
    const task = taskFor(c);
    if (task === 'classification' && c.distinct <= 20) { score += 0.1; reasons.push(`it has ${c.distinct} classes`); }
    if (task === 'regression') { score += 0.05; reasons.push('it is numeric and varied'); }
    if (c.missing_pct > 0) { score -= c.missing_pct * 0.5; reasons.push(`${(c.missing_pct * 100).toFixed(0)}% missing`); }
    out.push({ column: c.name, score: Math.round(Math.min(1, Math.max(0, score)) * 100) / 100, reason: reasons.join('; ') || 'usable column', task });
  });
  return out.sort((a, b) => b.score - a.score || a.column.localeCompare(b.column));
}
