import { z } from 'zod';

/** Every preprocessing step a pipeline can run, in the order suggestions list them (one file per family beside this one). */
export const STEP_NAMES = ['deduplicate', 'drop_column', 'parse_dates', 'impute', 'cap_outliers', 'log_transform', 'encode_rare'] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** Most steps a pipeline runs at once. */
export const MAX_STEPS = 50;

const column = z.string().min(1).max(300);
/** Defaults are written out so a step's recorded params say exactly what ran. */
const empty = z.object({}).strict().default({});

export const ImputeStep = z.object({
  step: z.literal('impute'), column,
  params: z.object({
    strategy: z.enum(['median', 'mean', 'mode', 'constant']),
    /** The fill value for `constant`. */
    value: z.union([z.string().max(1000), z.number(), z.boolean()]).optional(),
  }).strict().refine((p) => p.strategy !== 'constant' || p.value !== undefined, { message: "strategy 'constant' needs a value", path: ['value'] }),
}).strict();
export const DropColumnStep = z.object({ step: z.literal('drop_column'), column, params: empty }).strict();
export const CapOutliersStep = z.object({
  step: z.literal('cap_outliers'), column,
  params: z.object({
    method: z.enum(['iqr', 'percentile']).default('iqr'),
    /** `iqr`: bounds at the quartiles ∓ k interquartile ranges. */
    k: z.number().positive().max(100).default(1.5),
    /** `percentile`: bounds at these quantiles. */
    lower: z.number().min(0).max(0.5).default(0.01),
    upper: z.number().min(0.5).max(1).default(0.99),
  }).strict().default({ method: 'iqr', k: 1.5, lower: 0.01, upper: 0.99 }),
}).strict();
export const LogTransformStep = z.object({ step: z.literal('log_transform'), column, params: empty }).strict();
export const ParseDatesStep = z.object({
  step: z.literal('parse_dates'), column,
  /** A strptime form (`%d/%m/%Y`); without one the form most values take is found from the column itself. */
  params: z.object({ format: z.string().min(2).max(100).optional() }).strict().default({}),
}).strict();
export const DeduplicateStep = z.object({
  step: z.literal('deduplicate'),
  /** Rows count as duplicates when these columns agree (all columns when absent); the first row is kept. */
  params: z.object({ subset: z.array(column).min(1).max(1000).optional() }).strict().default({}),
}).strict();
export const EncodeRareStep = z.object({
  step: z.literal('encode_rare'), column,
  params: z.object({
    /** Categories holding less than this share of the non-empty values are merged. */
    threshold: z.number().gt(0).max(0.5).default(0.01),
    other: z.string().min(1).max(100).default('other'),
  }).strict().default({ threshold: 0.01, other: 'other' }),
}).strict();

/** One step of a pipeline as the API takes it (and as `GET /datasets/:id/suggestions` proposes it). */
export const PipelineStep = z.discriminatedUnion('step', [ImputeStep, DropColumnStep, CapOutliersStep, LogTransformStep, ParseDatesStep, DeduplicateStep, EncodeRareStep]);
export type PipelineStep = z.output<typeof PipelineStep>;
export type StepOf<N extends StepName> = Extract<PipelineStep, { step: N }>;

/** What one step did, measured on the table before and after it. */
export interface StepEffect {
  index: number;
  step: StepName;
  column: string | null;
  rows_before: number;
  rows_after: number;
  columns_added: string[];
  columns_removed: string[];
  /** Columns whose type or values changed. */
  columns_changed: string[];
  /** Cells of the step's column(s) whose value differs afterwards (compared as text, row by row). */
  values_changed: number;
  /** The step's own account, with its figures (fill value, bounds, rows merged…). */
  note: string;
  ms: number;
}

/**
 * Reads a list of steps (suggestions as `GET /datasets/:id/suggestions` gives them are accepted as they are), naming the first problem (`steps.2.step: unknown step 'x'`) so the API can answer 422 with it.
 * @example const r = parseSteps(body.steps); if (!r.ok) throw new ApiError('VALIDATION_ERROR', r.message, {}, 422);
 */
export function parseSteps(raw: unknown): { ok: true; steps: PipelineStep[] } | { ok: false; message: string; path: (string | number)[] } {
  if (!Array.isArray(raw)) return { ok: false, message: 'steps: must be a list of steps', path: ['steps'] };
  if (raw.length === 0 || raw.length > MAX_STEPS) return { ok: false, message: `steps: give 1 to ${MAX_STEPS} steps`, path: ['steps'] };
  const steps: PipelineStep[] = [];
  for (const [i, s] of raw.entries()) {
    const name = (s as { step?: unknown } | null)?.step;
    // zod's own word for an unknown discriminator is "Invalid input": this one names the step and the known ones.
    if (typeof name !== 'string' || !(STEP_NAMES as readonly string[]).includes(name)) {
      return { ok: false, message: `steps.${i}.step: unknown step ${JSON.stringify(name ?? null)}; known steps: ${STEP_NAMES.join(', ')}`, path: ['steps', i, 'step'] };
    }
    // A suggestion can be posted back as it came: its confidence and reason are not part of the step.
    const { confidence: _c, reason: _r, ...step } = s as Record<string, unknown>;
    const r = PipelineStep.safeParse(step);
    if (!r.success) {
      const issue = r.error.issues[0];
      return { ok: false, message: `steps.${i}.${issue.path.join('.') || 'step'}: ${issue.message} (step '${name}')`, path: ['steps', i, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))] };
    }
    steps.push(r.data);
  }
  return { ok: true, steps };
}
