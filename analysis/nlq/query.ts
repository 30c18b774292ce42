import { z } from 'zod';

// The validated query form: what the reader (or an optional LLM) produces and the compiler turns into SQL.
// Column names here are the dataset's exact names; `resolveQuery` checks them and their types before compiling.

/** Aggregates a question can ask for. `percent` is the share of rows meeting `where`; `corr` is Pearson's r of two columns. */
export const MEASURE_FNS = ['count', 'count_distinct', 'sum', 'avg', 'median', 'min', 'max', 'stddev', 'missing', 'percent', 'corr'] as const;
export type MeasureFn = (typeof MEASURE_FNS)[number];

/** Comparisons a filter can make. */
export const FILTER_OPS = ['=', '!=', 'in', '>', '>=', '<', '<=', 'between', 'contains', 'is_missing', 'not_missing'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** How a group column is bucketed: time periods for dates, equal-width bins for a numeric distribution. */
export const BUCKETS = ['day', 'week', 'month', 'quarter', 'year', 'bins'] as const;
export type Bucket = (typeof BUCKETS)[number];

const name = z.string().min(1).max(300);
const scalar = z.union([z.string().max(300), z.number().finite(), z.boolean()]);

export const Filter = z.object({
  column: name,
  op: z.enum(FILTER_OPS),
  /** The value compared with; for dates an ISO date or a year; absent for `is_missing`/`not_missing`. */
  value: scalar.optional(),
  /** The upper end of `between` (inclusive). */
  value2: scalar.optional(),
  /** The values `in` accepts (any of them). */
  values: z.array(scalar).min(1).max(50).optional(),
  /** `month`: a date column compared by its month of the year (values 1–12), whatever the year ("in march"). */
  part: z.enum(['month']).optional(),
}).strict();
export type Filter = z.infer<typeof Filter>;

export const Measure = z.object({
  fn: z.enum(MEASURE_FNS),
  /** Absent for `count` (rows) and `percent`. */
  column: name.optional(),
  /** The second column of `corr`. */
  column2: name.optional(),
  /** Rows a `percent` counts (of all rows that pass the query's filters). */
  where: z.array(Filter).max(8).optional(),
}).strict();
export type Measure = z.infer<typeof Measure>;

export const Group = z.object({
  column: name,
  bucket: z.enum(BUCKETS).optional(),
  /** Number of bins when `bucket` is `bins` (default 20). */
  bins: z.number().int().min(2).max(100).optional(),
  /** A second column to group by, as its plain values ("by region and product"): one row per pair. */
  and: name.optional(),
}).strict();
export type Group = z.infer<typeof Group>;

export const Order = z.object({
  /** `measure` (the first measure), `group` (the group's value), or a column name (row listings). */
  by: name,
  direction: z.enum(['asc', 'desc']),
}).strict();
export type Order = z.infer<typeof Order>;

/**
 * One question as a query: measures over the rows that pass `filters`, optionally per `group`, ordered and limited.
 * No measures means a row listing (of `columns`, or every column).
 * @example { measures: [{ fn: 'avg', column: 'price' }], filters: [], group: { column: 'city' } }
 */
export const QueryForm = z.object({
  measures: z.array(Measure).max(64),
  /** Columns a row listing shows (every column when empty). */
  columns: z.array(name).max(50).optional(),
  filters: z.array(Filter).max(8),
  group: Group.optional(),
  order: Order.optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  /** With a group: each group's share of the total of the first measure (count or sum), in percent. */
  share: z.boolean().optional(),
}).strict();
export type QueryForm = z.infer<typeof QueryForm>;

/** What the reader knows of a dataset's column: its name, Assay's type, DuckDB storage type and common values. */
export interface NlqColumn {
  name: string;
  type: string;
  storage_type?: string;
  /** The most common values of a categorical or boolean column (as text), for matching words in a question. */
  categories?: string[];
  /** The first and last date of a date column (ISO), so a trend picks days, months or years to fit. */
  range?: { min: string; max: string };
}

export const isNumeric = (c: Pick<NlqColumn, 'type'>) => c.type === 'integer' || c.type === 'float';
export const isDate = (c: Pick<NlqColumn, 'type' | 'storage_type'>) => c.type === 'datetime' && !/^TIME(\s|$)/i.test(c.storage_type ?? '');
export const isCategory = (c: Pick<NlqColumn, 'type'>) => c.type === 'categorical' || c.type === 'boolean' || c.type === 'identifier' || c.type === 'text';
