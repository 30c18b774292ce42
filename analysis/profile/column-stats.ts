import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson, sqlIdent } from '../duck.js';
import type { ColumnInfo } from '../ingest/read-table.js';
import type { ColumnProfile, DatetimeFacts, HistogramBin } from './types.js';

export const HISTOGRAM_BINS = 30;
/** Numeric columns with at most this many distinct values also get their top values. */
const TOP_VALUES_FOR_NUMBERS = 50;
/**
 * Numbers and booleans with at most this many distinct values are profiled from their value counts, in one scan:
 * grouping and moving 200k (value, count) pairs costs less than DuckDB's exact quantiles and distinct count.
 */
const VALUE_COUNT_LIMIT = 200_000;
const num = (v: unknown): number | null => (v === null || v === undefined || Number.isNaN(Number(v)) ? null : Number(v));
const finite = (v: unknown): number | null => { const n = num(v); return n !== null && Number.isFinite(n) ? n : null; };

/** 30 equal-width bins over [min, max] and, in the same scan, the values beyond the outlier fences. */
async function histogram(conn: DuckDBConnection, view: string, c: string, min: number, max: number, fences: [number, number] | null): Promise<{ bins: HistogramBin[]; outliers: number }> {
  const width = (max - min) / HISTOGRAM_BINS;
  const far = fences ? `(${c}::DOUBLE < ${fences[0]} OR ${c}::DOUBLE > ${fences[1]})` : 'false';
  const rows = await queryJson(conn,
    // Positional GROUP BY: an alias could collide with a user's column of the same name.
    `SELECT least(floor((${c}::DOUBLE - ${min}) / ${width})::INT, ${HISTOGRAM_BINS - 1}) AS b, ${far} AS o, count(*) AS n
     FROM ${view} WHERE ${c} IS NOT NULL AND isfinite(${c}::DOUBLE) GROUP BY 1, 2`);
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  let outliers = 0;
  for (const r of rows) { counts[Number(r.b)] += Number(r.n); if (r.o === true) outliers += Number(r.n); }
  return { bins: counts.map((count, i) => ({ start: min + i * width, end: min + (i + 1) * width, count })), outliers };
}

/**
 * Every statistic of a numeric column from its distinct values and their counts (min, max, mean, sample std,
 * linearly interpolated quantiles, sample skewness and excess kurtosis as simple-statistics defines them,
 * zeros, negatives, infinities, histogram, outliers, top values).
 */
export function statsFromCounts(counts: { v: number | null; n: number }[]): Pick<ColumnProfile,
  'count' | 'distinct' | 'min' | 'max' | 'mean' | 'std' | 'quantiles' | 'skewness' | 'kurtosis' | 'zeros' | 'negatives' | 'infinities' | 'histogram' | 'outliers' | 'top_values'> {
  const present = counts.filter((c) => c.v !== null) as { v: number; n: number }[];
  const finiteVals = present.filter((c) => Number.isFinite(c.v)).sort((a, b) => a.v - b.v);
  const count = present.reduce((s, c) => s + c.n, 0);
  const n = finiteVals.reduce((s, c) => s + c.n, 0);
  const top = present.length > TOP_VALUES_FOR_NUMBERS ? null
    : [...present].sort((a, b) => b.n - a.n || String(a.v).localeCompare(String(b.v))).slice(0, 10).map((c) => ({ value: String(c.v), count: c.n }));
  const base = { count, distinct: present.length, zeros: present.filter((c) => c.v === 0).reduce((s, c) => s + c.n, 0),
    negatives: finiteVals.filter((c) => c.v < 0).reduce((s, c) => s + c.n, 0), infinities: count - n, top_values: top };
  if (n === 0) return { ...base, min: null, max: null, mean: null, std: null, quantiles: null, skewness: null, kurtosis: null, histogram: null, outliers: null };
  const mean = finiteVals.reduce((s, c) => s + c.v * c.n, 0) / n;
  let m2 = 0, m3 = 0, m4 = 0;
  for (const c of finiteVals) { const d = c.v - mean; m2 += c.n * d * d; m3 += c.n * d * d * d; m4 += c.n * d * d * d * d; }
  const sd = n > 1 ? Math.sqrt(m2 / (n - 1)) : null;
  const at = (k: number) => { // the k-th smallest value (0-based) through the cumulative counts
    let seen = 0;
    for (const c of finiteVals) { seen += c.n; if (k < seen) return c.v; }
    return finiteVals[finiteVals.length - 1].v;
  };
  const q = (p: number) => { const h = (n - 1) * p, lo = Math.floor(h); return at(lo) + (h - lo) * (at(Math.min(lo + 1, n - 1)) - at(lo)); };
  const quantiles = { p5: q(0.05), p25: q(0.25), p50: q(0.5), p75: q(0.75), p95: q(0.95) };
  const min = finiteVals[0].v, max = finiteVals[finiteVals.length - 1].v;
  let histogram: HistogramBin[] | null = null, outliers: number | null = null;
  if (max > min) {
    const width = (max - min) / HISTOGRAM_BINS;
    const bins = new Array<number>(HISTOGRAM_BINS).fill(0);
    const iqr = quantiles.p75 - quantiles.p25;
    outliers = 0;
    for (const c of finiteVals) {
      bins[Math.min(Math.floor((c.v - min) / width), HISTOGRAM_BINS - 1)] += c.n;
      if (iqr > 0 && (c.v < quantiles.p25 - 3 * iqr || c.v > quantiles.p75 + 3 * iqr)) outliers += c.n;
    }
    histogram = bins.map((b, i) => ({ start: min + i * width, end: min + (i + 1) * width, count: b }));
  }
  return {
    ...base, min, max, mean, std: sd, quantiles,
    skewness: n > 2 && sd ? (n * m3) / ((n - 1) * (n - 2) * sd ** 3) : null,
    kurtosis: n > 3 && m2 > 0 ? ((n - 1) / ((n - 2) * (n - 3))) * ((n * (n + 1) * m4) / (m2 * m2) - 3 * (n - 1)) : null,
    histogram, outliers,
  };
}

/** Names for the usual spacings of a time series, with the tolerance each allows (calendar months vary). */
const FREQUENCIES: [string, number, number][] = [
  ['secondly', 1, 0.1], ['minutely', 60, 0.1], ['hourly', 3600, 0.1], ['daily', 86_400, 0.1], ['weekly', 604_800, 0.1],
  ['monthly', 30.44 * 86_400, 0.1], ['quarterly', 91.3 * 86_400, 0.05], ['yearly', 365.25 * 86_400, 0.02],
];
export function frequencyName(gapS: number | null): string | null {
  if (gapS === null || gapS <= 0) return null;
  return FREQUENCIES.find(([, s, tol]) => Math.abs(gapS - s) <= s * tol)?.[0] ?? null;
}

async function datetimeFacts(conn: DuckDBConnection, view: string, c: string): Promise<DatetimeFacts | null> {
  const [s] = await queryJson(conn, `WITH o AS (SELECT epoch(${c}::TIMESTAMP) AS x, lag(epoch(${c}::TIMESTAMP)) OVER (ORDER BY file_row_number) AS p FROM ${view} WHERE ${c} IS NOT NULL),
      d AS (SELECT x - lag(x) OVER (ORDER BY x) AS g FROM (SELECT DISTINCT x FROM o))
    SELECT (max(x) - min(x)) / 86400 AS range_days, bool_and(p IS NULL OR x >= p) AS ordered,
      (SELECT median(g) FROM d WHERE g > 0) AS gap, (SELECT count_if(g > 2 * (SELECT median(g) FROM d WHERE g > 0)) FROM d) AS gaps FROM o`);
  if (s.range_days === null || s.range_days === undefined) return null;
  const gap = finite(s.gap);
  return { range_days: finite(s.range_days) ?? 0, median_gap_s: gap, frequency: frequencyName(gap), gaps: Number(s.gaps ?? 0), ordered: s.ordered === true };
}

/**
 * Profiles one column of `view` (which must expose `file_row_number`) with DuckDB over all rows: one query for
 * the statistics, then the histogram, the top values and datetime facts where they apply.
 * @example const p = await profileColumn(conn, 't', { name: 'age', type: 'integer', storage_type: 'BIGINT' });
 */
export async function profileColumn(conn: DuckDBConnection, view: string, col: ColumnInfo): Promise<ColumnProfile> {
  const c = sqlIdent(col.name);
  const fewValues = col.type === 'boolean' || ((col.type === 'integer' || col.type === 'float') && col.approx_distinct !== undefined && col.approx_distinct <= VALUE_COUNT_LIMIT);
  if (fewValues) {
    // Columns, not row objects: up to VALUE_COUNT_LIMIT pairs cross into JavaScript as two arrays of numbers.
    const reader = await conn.runAndReadAll(`SELECT ${col.type === 'boolean' ? `${c}::INT` : `${c}::DOUBLE`} AS v, count(*)::DOUBLE AS n FROM ${view} GROUP BY 1`);
    const [vs, ns] = reader.getColumnsJS() as [(number | null)[], number[]];
    const counts = vs.map((v, i) => ({ v, n: ns[i] }));
    // approx_count_distinct can undercount: past the limit, the exact path below is used after all.
    if (counts.length <= VALUE_COUNT_LIMIT + 1) {
      const total = counts.reduce((s, k) => s + k.n, 0);
      const st = statsFromCounts(counts);
      if (col.type === 'boolean') st.top_values = counts.filter((k) => k.v !== null).sort((a, b) => b.n - a.n).map((k) => ({ value: k.v === 1 ? 'true' : 'false', count: k.n }));
      return {
        name: col.name, type: col.type, ...st, missing: total - st.count, missing_pct: total ? (total - st.count) / total : 0,
        unique_ratio: st.count ? st.distinct / st.count : 0, avg_length: null, length: null, datetime: null,
        ...(col.type === 'boolean' ? { histogram: null, outliers: null } : {}),
      };
    }
  }
  // Identifiers get their range but no moments, quantiles or histogram: the mean of ids means nothing.
  const idNumber = col.type === 'identifier' && /INT|DOUBLE|FLOAT|DECIMAL/.test(col.storage_type);
  const numeric = col.type === 'integer' || col.type === 'float';
  const measured = numeric || col.type === 'boolean';
  const isText = col.storage_type === 'VARCHAR';
  const x = col.type === 'boolean' ? `${c}::INT` : `${c}::DOUBLE`;
  const ok = `${c} IS NOT NULL AND isfinite(${x})`;
  const parts = ['count(*) AS n', `count(${c}) AS nn`, `count(DISTINCT ${c}) AS d`];
  if (measured) {
    parts.push(`min(${x}) FILTER (WHERE ${ok}) AS mn`, `max(${x}) FILTER (WHERE ${ok}) AS mx`, `avg(${x}) FILTER (WHERE ${ok}) AS mean`,
      `stddev_samp(${x}) FILTER (WHERE ${ok}) AS sd`, `quantile_cont(${x}, [0.05, 0.25, 0.5, 0.75, 0.95]) FILTER (WHERE ${ok}) AS q`,
      `skewness(${x}) FILTER (WHERE ${ok}) AS sk`, `kurtosis(${x}) FILTER (WHERE ${ok}) AS ku`, `count_if(${x} = 0) AS z`, `count_if(${x} < 0 AND isfinite(${x})) AS neg`,
      `count_if(NOT isfinite(${x})) AS inf`);
  } else if (idNumber) {
    parts.push(`min(${c}::DOUBLE) AS mn`, `max(${c}::DOUBLE) AS mx`);
  } else if (col.type === 'datetime') {
    parts.push(`min(${c})::VARCHAR AS mn`, `max(${c})::VARCHAR AS mx`);
  }
  if (isText) parts.push(`min(length(${c})) AS lmin`, `avg(length(${c})) AS lavg`, `max(length(${c})) AS lmax`);
  const [s] = await queryJson(conn, `SELECT ${parts.join(', ')} FROM ${view}`);
  const rows = Number(s.n), count = Number(s.nn), distinct = Number(s.d);
  const q = Array.isArray(s.q) ? (s.q as unknown[]).map((v) => finite(v) ?? 0) : null;
  const profile: ColumnProfile = {
    name: col.name, type: col.type, count, missing: rows - count,
    missing_pct: rows ? (rows - count) / rows : 0, distinct, unique_ratio: count ? distinct / count : 0,
    min: measured || idNumber ? finite(s.mn) : s.mn == null ? null : String(s.mn), max: measured || idNumber ? finite(s.mx) : s.mx == null ? null : String(s.mx),
    mean: measured ? finite(s.mean) : null, std: measured ? finite(s.sd) : null,
    quantiles: measured && q ? { p5: q[0], p25: q[1], p50: q[2], p75: q[3], p95: q[4] } : null,
    skewness: measured ? finite(s.sk) : null, kurtosis: measured ? finite(s.ku) : null,
    zeros: measured ? num(s.z) : null, negatives: measured ? num(s.neg) : null, infinities: measured ? num(s.inf) : null, outliers: null,
    histogram: null, top_values: null, avg_length: isText ? finite(s.lavg) : null,
    length: isText && s.lmin != null ? { min: Number(s.lmin), mean: finite(s.lavg) ?? 0, max: Number(s.lmax) } : null,
    datetime: null,
  };
  if (numeric && typeof profile.min === 'number' && typeof profile.max === 'number' && profile.max > profile.min) {
    const qs = profile.quantiles!;
    const iqr = qs.p75 - qs.p25;
    const h = await histogram(conn, view, c, profile.min, profile.max, iqr > 0 ? [qs.p25 - 3 * iqr, qs.p75 + 3 * iqr] : null);
    profile.histogram = h.bins;
    profile.outliers = h.outliers;
  }
  // Top values of a column whose values are (nearly) all distinct would list counts of 1: only for few values.
  if ((!numeric && !(col.type === 'identifier' && distinct > TOP_VALUES_FOR_NUMBERS)) || distinct <= TOP_VALUES_FOR_NUMBERS) {
    // Grouped by the stored value and cast after: casting every row of a date column to text cost more than the grouping.
    const top = await queryJson(conn, isText ? `SELECT ${c} AS v, count(*) AS n FROM ${view} WHERE ${c} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`
      : `SELECT v::VARCHAR AS v, n FROM (SELECT ${c} AS v, count(*) AS n FROM ${view} WHERE ${c} IS NOT NULL GROUP BY 1) ORDER BY 2 DESC, 1 LIMIT 10`);
    profile.top_values = top.map((r) => ({ value: String(r.v), count: Number(r.n) }));
  }
  if (col.type === 'datetime' && count > 0) profile.datetime = await datetimeFacts(conn, view, c);
  return profile;
}
