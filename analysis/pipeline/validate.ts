import type { ColumnType } from '../ingest/column-types.js';
import type { PipelineStep } from './steps.js';

/** A column as the steps see it: its name and semantic type. */
export interface SchemaColumn { name: string; type: ColumnType | string }

export const NUMERIC_TYPES: readonly string[] = ['integer', 'float'];
/** Types stored as text (VARCHAR): what parse_dates and encode_rare work on. */
export const TEXT_TYPES: readonly string[] = ['categorical', 'text', 'identifier'];

/** A step that cannot run on the table as the steps before it leave it: which step, which column, why. */
export class StepProblem extends Error {
  constructor(readonly index: number, readonly column: string | null, message: string) {
    super(message);
    this.name = 'StepProblem';
  }
}

/** The type a step leaves its column with (integers stay integers: fill values and bounds are rounded for them). */
function typeAfter(step: PipelineStep, before: string): string {
  if (step.step === 'parse_dates') return 'datetime';
  if (step.step === 'log_transform') return 'float';
  if (step.step === 'encode_rare') return 'categorical';
  return before;
}

/**
 * Checks a list of steps against a table's columns, in order (a dropped column is gone for the steps after it;
 * parsed dates are dates), and returns the columns the pipeline leaves.
 * @throws StepProblem naming the step's index and column, with a sentence the caller can act on
 * @example const out = checkSteps(manifest.columns, steps);
 */
export function checkSteps(columns: readonly SchemaColumn[], steps: readonly PipelineStep[]): SchemaColumn[] {
  const schema = columns.map((c) => ({ name: c.name, type: c.type as string }));
  steps.forEach((step, i) => {
    const at = `steps.${i} (${step.step})`;
    if (step.step === 'deduplicate') {
      for (const name of step.params.subset ?? []) {
        if (!schema.some((c) => c.name === name)) throw new StepProblem(i, name, `${at}: unknown column '${name}'${gone(columns, schema, name)}`);
      }
      return;
    }
    const col = schema.find((c) => c.name === step.column);
    if (!col) throw new StepProblem(i, step.column, `${at}: unknown column '${step.column}'${gone(columns, schema, step.column)}`);
    const needs = (types: readonly string[], what: string) => {
      if (!types.includes(col.type)) throw new StepProblem(i, col.name, `${at}: '${col.name}' is ${col.type}; this step needs ${what}`);
    };
    switch (step.step) {
      case 'drop_column':
        schema.splice(schema.indexOf(col), 1);
        return;
      case 'impute':
        if (step.params.strategy === 'median' || step.params.strategy === 'mean') needs(NUMERIC_TYPES, 'a numeric column (use mode or constant for others)');
        if (step.params.strategy === 'constant' && NUMERIC_TYPES.includes(col.type) && typeof step.params.value !== 'number') {
          throw new StepProblem(i, col.name, `${at}: '${col.name}' is numeric; params.value must be a number`);
        }
        break;
      case 'cap_outliers':
      case 'log_transform':
        needs(NUMERIC_TYPES, 'a numeric column');
        break;
      case 'parse_dates':
      case 'encode_rare':
        needs(TEXT_TYPES, 'a text or categorical column');
        break;
    }
    col.type = typeAfter(step, col.type);
  });
  if (!schema.length) throw new StepProblem(steps.length - 1, null, 'the steps drop every column; keep at least one');
  return schema;
}

/** " (dropped by an earlier step)" when the column existed before the steps, so the message says why it is missing. */
function gone(original: readonly SchemaColumn[], now: readonly SchemaColumn[], name: string): string {
  return original.some((c) => c.name === name) && !now.some((c) => c.name === name) ? ' (dropped by an earlier step)' : '';
}
