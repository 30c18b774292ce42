import type { ColumnType } from '../ingest/column-types.js';

/** How one input column becomes model features; stored with the model so predictions encode identically. */
export type FeatureSpec =
  | { name: string; kind: 'numeric'; type: ColumnType; mean: number; std: number }
  | { name: string; kind: 'categorical'; type: ColumnType; categories: string[] };

/** Categories kept per column; rarer ones share an "other" slot. */
export const MAX_CATEGORIES = 20;

export function toNumber(v: unknown): number {
  if (v === null || v === undefined || v === '') return NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (/^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(t)) return t / 86_400_000; // dates as days since epoch
    return Number(v);
  }
  return NaN;
}

/** Learns the encoding of each feature column from training data. */
export function fitEncoding(columns: Record<string, unknown[]>, features: { name: string; type: ColumnType }[]): FeatureSpec[] {
  return features.map(({ name, type }) => {
    const values = columns[name];
    if (type === 'integer' || type === 'float' || type === 'datetime') {
      let n = 0, sum = 0, sq = 0;
      for (const v of values) { const x = toNumber(v); if (Number.isFinite(x)) { n++; sum += x; sq += x * x; } }
      const mean = n ? sum / n : 0;
      const std = n > 1 ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : 0;
      return { name, kind: 'numeric', type, mean, std: std > 0 ? std : 1 };
    }
    const counts = new Map<string, number>();
    for (const v of values) if (v !== null && v !== undefined) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    const categories = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, MAX_CATEGORIES).map(([k]) => k);
    return { name, kind: 'categorical', type, categories };
  });
}

/** Width of the encoded row: one per numeric, categories + "other" per categorical. */
export const encodedWidth = (specs: FeatureSpec[]) =>
  specs.reduce((w, s) => w + (s.kind === 'numeric' ? 1 : s.categories.length + 1), 0);

/**
 * Encodes rows into a dense row-major matrix: standardised numbers (missing → mean, i.e. 0) and one-hot
 * categories (unseen and missing → "other").
 */
export function encode(columns: Record<string, unknown[]>, rows: number, specs: FeatureSpec[]): Float64Array {
  const width = encodedWidth(specs);
  const X = new Float64Array(rows * width);
  let offset = 0;
  for (const s of specs) {
    const values = columns[s.name];
    if (s.kind === 'numeric') {
      for (let r = 0; r < rows; r++) {
        const x = toNumber(values[r]);
        X[r * width + offset] = Number.isFinite(x) ? (x - s.mean) / s.std : 0;
      }
      offset += 1;
    } else {
      const index = new Map(s.categories.map((c, i) => [c, i]));
      for (let r = 0; r < rows; r++) {
        const v = values[r];
        const i = v === null || v === undefined ? undefined : index.get(String(v));
        X[r * width + offset + (i ?? s.categories.length)] = 1;
      }
      offset += s.categories.length + 1;
    }
  }
  return X;
}
