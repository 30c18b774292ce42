import type { RepeatedId } from '../ml/validation/repeated-ids.js';
import type { TargetCandidate } from '../profile/types.js';

/** The top candidate must score at least this... */
export const CONFIDENT_SCORE = 0.6;
/** ...and lead the runner-up by at least this, or Assay asks the user. */
export const CONFIDENT_MARGIN = 0.2;

export type TargetDecision =
  | { kind: 'chosen'; target: string; task: 'classification' | 'regression'; reason: string }
  | { kind: 'ask'; options: TargetCandidate[]; message: string; group_options?: RepeatedId[] }
  | { kind: 'none'; message: string };

/**
 * The clarify rule: proceed alone only when one candidate is clearly best
 * (score ≥ CONFIDENT_SCORE and ahead of the next by ≥ CONFIDENT_MARGIN); otherwise ask with the top five.
 */
export function decideTarget(candidates: TargetCandidate[]): TargetDecision {
  if (candidates.length === 0) return { kind: 'none', message: 'No column is usable as a target; the report covers EDA only.' };
  const [top, second] = candidates;
  const margin = top.score - (second?.score ?? 0);
  // Scores are rounded to hundredths, so compare with a hair of tolerance.
  if (top.score >= CONFIDENT_SCORE - 1e-9 && margin >= CONFIDENT_MARGIN - 1e-9) {
    return { kind: 'chosen', target: top.column, task: top.task, reason: `'${top.column}' chosen as target: ${top.reason}.` };
  }
  return {
    kind: 'ask',
    options: candidates.slice(0, 5),
    message: 'Which column should Assay predict? No column is clearly the target; pick one, or skip modeling.',
  };
}
