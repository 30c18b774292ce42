import { sqlIdent } from '../duck.js';
import type { StepContext, StepPlan } from './step-context.js';
import type { StepOf } from './steps.js';

/** Removes one column (a constant, an identifier, or one the user does not want). */
export function planDropColumn(ctx: StepContext, step: StepOf<'drop_column'>): Promise<StepPlan> {
  return Promise.resolve({ kind: 'select', rowsChange: false, select: `SELECT * EXCLUDE (${sqlIdent(step.column)}) FROM ${ctx.table}`, note: `Dropped the column '${step.column}'.` });
}
