import type { ColumnType } from '../ingest/column-types.js';
import { applyBinner, fitBinner, type BinFeature, type BinnedData } from './binning.js';
import { encode, encodedWidth, fitEncoding, type FeatureSpec } from './encoding.js';

/** Everything learned from training rows that turns raw input columns into model inputs; saved with the model. */
export interface Preprocessing {
  inputs: { name: string; type: ColumnType }[];
  /** Standardised numbers and one-hot categories, for linear models. */
  encoding: FeatureSpec[];
  /** Quantile bins, date parts and category bins, for tree models. */
  binner: BinFeature[];
}

/** Rows in both representations. */
export interface Prepared { rows: number; X: Float64Array; width: number; binned: BinnedData }

/** Learns the preprocessing from training columns. */
export function fitPreprocessing(columns: Record<string, unknown[]>, inputs: { name: string; type: ColumnType }[], seed: number): Preprocessing {
  return { inputs, encoding: fitEncoding(columns, inputs), binner: fitBinner(columns, inputs, seed) };
}

/** Applies a learned preprocessing to `rows` rows of raw columns. */
export function applyPreprocessing(pre: Preprocessing, columns: Record<string, unknown[]>, rows: number): Prepared {
  return { rows, X: encode(columns, rows, pre.encoding), width: encodedWidth(pre.encoding), binned: applyBinner(pre.binner, columns, rows) };
}

/** Raw columns restricted to rows `idx` (in that order). */
export function pickRows(columns: Record<string, unknown[]>, idx: ArrayLike<number>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(columns)) out[k] = Array.from(idx, (r) => v[r]);
  return out;
}
