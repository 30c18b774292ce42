import type { ColumnType } from '../ingest/column-types.js';
import { toNumber } from './encoding.js';
import { seededRandom } from './random.js';
import { sortNumbers } from './sort-numbers.js';

/** Bin reserved for missing values in every feature; value bins are 0..254. */
export const MISSING_BIN = 255;
/** Bin for categories not among the kept ones (rare, or unseen at predict time). */
export const OTHER_BIN = 254;
export const MAX_BINS = 255;
const BINS_SAMPLE = 200_000;

/** One engine feature: a numeric input, a part of a date, or a categorical input. */
export type BinFeature =
  | { name: string; input: string; kind: 'numeric'; part?: DatePart; thresholds: number[] }
  | { name: string; input: string; kind: 'categorical'; categories: string[] };

export const DATE_PARTS = ['year', 'month', 'day_of_week', 'ordinal', 'day', 'hour'] as const;
export type DatePart = (typeof DATE_PARTS)[number];
/**
 * Parts a date gets only when they vary in the training rows: a column of plain dates has no time of day, and a
 * monthly series one day of the month. (FLAML and AutoGluon likewise keep only the parts that are not constant.)
 */
const WHEN_VARYING: ReadonlySet<DatePart> = new Set(['day', 'hour']);

/** Binned features, column-major: `bins[f * rows + r]`. */
export interface BinnedData { rows: number; features: number; bins: Uint8Array; isCategorical: Uint8Array }

function dateMs(v: unknown): number {
  if (v === null || v === undefined || v === '') return NaN;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  return Date.parse(String(v));
}

/** The numeric value of one input for a feature: the number itself, or a part of a date. */
export function featureValue(v: unknown, part?: DatePart): number {
  if (!part) return toNumber(v);
  const ms = dateMs(v);
  if (!Number.isFinite(ms)) return NaN;
  const d = new Date(ms);
  switch (part) {
    case 'year': return d.getUTCFullYear();
    case 'month': return d.getUTCMonth() + 1;
    case 'day_of_week': return d.getUTCDay();
    case 'day': return d.getUTCDate();
    // The time of day as hours with minutes as a fraction (13:30 → 13.5): flight delays, traffic and sales follow the clock.
    case 'hour': return d.getUTCHours() + d.getUTCMinutes() / 60;
    default: return Math.floor(ms / 86_400_000);
  }
}

const categoryOf = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));

/** The numbers of a column (or a part of its dates), NaN where missing. A loop: `Float64Array.from` with a callback was as slow as sorting. */
export function numbersOf(values: unknown[], part?: DatePart): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = featureValue(values[i], part);
  return out;
}

/** Up to 254 thresholds: midpoints between distinct values, or quantiles when there are more than 255 of them. */
function thresholdsFor(values: Float64Array, seed: number): number[] {
  // A plain loop: TypedArray.filter with a callback took as long as the sort itself.
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) count++;
  let finite = new Float64Array(count);
  for (let i = 0, k = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite[k++] = values[i];
  if (finite.length > BINS_SAMPLE) {
    const rand = seededRandom(seed);
    const sample = new Float64Array(BINS_SAMPLE);
    for (let i = 0; i < BINS_SAMPLE; i++) sample[i] = finite[Math.floor(rand() * finite.length)];
    finite = sample;
  }
  sortNumbers(finite);
  const distinct: number[] = [];
  for (let i = 0; i < finite.length; i++) if (i === 0 || finite[i] !== finite[i - 1]) distinct.push(finite[i]);
  if (distinct.length <= MAX_BINS) return distinct.slice(1).map((v, i) => (v + distinct[i]) / 2);
  const out: number[] = [];
  for (let q = 1; q < MAX_BINS - 1; q++) {
    const t = finite[Math.floor((q / (MAX_BINS - 1)) * (finite.length - 1))];
    if (out.length === 0 || t > out[out.length - 1]) out.push(t);
  }
  return out;
}

/**
 * Learns the bins of every input column: quantile thresholds for numbers, one feature per date part for dates
 * (year, month, day of week, days since 1970, and day of month and time of day where they vary),
 * the 254 most frequent categories (the rest share OTHER_BIN) for everything else.
 */
export function fitBinner(columns: Record<string, unknown[]>, inputs: { name: string; type: ColumnType }[], seed: number): BinFeature[] {
  const out: BinFeature[] = [];
  for (const { name, type } of inputs) {
    const values = columns[name];
    if (type === 'integer' || type === 'float') {
      out.push({ name, input: name, kind: 'numeric', thresholds: thresholdsFor(numbersOf(values), seed) });
    } else if (type === 'datetime') {
      for (const part of DATE_PARTS) {
        const thresholds = thresholdsFor(numbersOf(values, part), seed);
        if (WHEN_VARYING.has(part) && thresholds.length === 0) continue; // one value: nothing to split on
        out.push({ name: `${name}.${part}`, input: name, kind: 'numeric', part, thresholds });
      }
    } else {
      const counts = new Map<string, number>();
      for (const v of values) { const c = categoryOf(v); if (c !== null) counts.set(c, (counts.get(c) ?? 0) + 1); }
      const categories = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, OTHER_BIN).map(([k]) => k);
      out.push({ name, input: name, kind: 'categorical', categories });
    }
  }
  return out;
}

/** The bin of one number against sorted thresholds: the first threshold it does not exceed. */
function numericBin(x: number, t: number[]): number {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? MISSING_BIN : x > 0 ? t.length : 0;
  let lo = 0, hi = t.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (x <= t[mid]) hi = mid; else lo = mid + 1; }
  return lo;
}

/** Bins rows with learned features; unseen categories fall into OTHER_BIN, missing values into MISSING_BIN. */
export function applyBinner(features: BinFeature[], columns: Record<string, unknown[]>, rows: number): BinnedData {
  const bins = new Uint8Array(features.length * rows);
  const isCategorical = new Uint8Array(features.length);
  features.forEach((f, j) => {
    const values = columns[f.input];
    const col = j * rows;
    if (f.kind === 'numeric') {
      for (let r = 0; r < rows; r++) bins[col + r] = numericBin(featureValue(values[r], f.part), f.thresholds);
    } else {
      isCategorical[j] = 1;
      const index = new Map(f.categories.map((c, i) => [c, i]));
      for (let r = 0; r < rows; r++) {
        const c = categoryOf(values[r]);
        bins[col + r] = c === null ? MISSING_BIN : index.get(c) ?? OTHER_BIN;
      }
    }
  });
  return { rows, features: features.length, bins, isCategorical };
}
