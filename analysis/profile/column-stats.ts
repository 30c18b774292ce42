import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson, sqlIdent } from '../duck.js';
import type { ColumnInfo } from '../ingest/read-table.js';
import type { ColumnProfile, HistogramBin } from './types.js';

export const HISTOGRAM_BINS = 30;
const num = (v: unknown): number | null => (v === null || v === undefined || Number.isNaN(Number(v)) ? null : Number(v));
const finite = (v: unknown): number | null => { const n = num(v); return n !== null && Number.isFinite(n) ? n : null; };

async function histogram(conn: DuckDBConnection, view: string, c: string, min: number, max: number): Promise<HistogramBin[]> {
  const width = (max - min) / HISTOGRAM_BINS;
  const rows = await queryJson(conn,
    // Positional GROUP BY/ORDER BY: an alias could collide with a user's column of the same name.
    `SELECT least(floor((${c}::DOUBLE - ${min}) / ${width})::INT, ${HISTOGRAM_BINS - 1}) AS b, count(*) AS n
     FROM ${view} WHERE ${c} IS NOT NULL AND isfinite(${c}::DOUBLE) GROUP BY 1`);
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const r of rows) counts[Number(r.b)] = Number(r.n);
  return counts.map((count, i) => ({ start: min + i * width, end: min + (i + 1) * width, count }));
}

/**
 * Profiles one column of `view` with DuckDB over all rows.
 * @example const p = await profileColumn(conn, 'read_parquet(...)', { name: 'age', type: 'integer', storage_type: 'BIGINT' });
 */
export async function profileColumn(conn: DuckDBConnection, view: string, col: ColumnInfo): Promise<ColumnProfile> {
  const c = sqlIdent(col.name);
  const numeric = col.type === 'integer' || col.type === 'float' || (col.type === 'identifier' && /INT/.test(col.storage_type));
  const asNum = col.type === 'boolean' ? `${c}::INT` : `${c}::DOUBLE`;
  const [base] = await queryJson(conn, `SELECT count(*) AS n, count(${c}) AS nn, count(DISTINCT ${c}) AS d FROM ${view}`);
  const rows = Number(base.n);
  const count = Number(base.nn);
  const distinct = Number(base.d);
  const profile: ColumnProfile = {
    name: col.name, type: col.type, count, missing: rows - count,
    missing_pct: rows ? (rows - count) / rows : 0, distinct, unique_ratio: count ? distinct / count : 0,
    min: null, max: null, mean: null, std: null, quantiles: null, skewness: null, kurtosis: null,
    zeros: null, negatives: null, histogram: null, top_values: null, avg_length: null,
  };
  if (numeric || col.type === 'boolean') {
    const [s] = await queryJson(conn, `SELECT min(${asNum}) AS mn, max(${asNum}) AS mx, avg(${asNum}) AS mean,
        stddev_samp(${asNum}) AS sd, quantile_cont(${asNum}, [0.05, 0.25, 0.5, 0.75, 0.95]) AS q,
        skewness(${asNum}) AS sk, kurtosis(${asNum}) AS ku, count_if(${asNum} = 0) AS z, count_if(${asNum} < 0) AS neg
      FROM ${view} WHERE ${c} IS NOT NULL AND isfinite(${asNum})`);
    const q = Array.isArray(s.q) ? (s.q as unknown[]).map((x) => finite(x) ?? 0) : null;
    Object.assign(profile, {
      min: finite(s.mn), max: finite(s.mx), mean: finite(s.mean), std: finite(s.sd),
      quantiles: q ? { p5: q[0], p25: q[1], p50: q[2], p75: q[3], p95: q[4] } : null,
      skewness: finite(s.sk), kurtosis: finite(s.ku), zeros: num(s.z), negatives: num(s.neg),
    });
    if (numeric && profile.min !== null && profile.max !== null && (profile.max as number) > (profile.min as number)) {
      profile.histogram = await histogram(conn, view, c, profile.min as number, profile.max as number);
    }
  } else if (col.type === 'datetime') {
    const [s] = await queryJson(conn, `SELECT min(${c})::VARCHAR AS mn, max(${c})::VARCHAR AS mx FROM ${view}`);
    profile.min = s.mn == null ? null : String(s.mn);
    profile.max = s.mx == null ? null : String(s.mx);
  }
  if (!numeric) {
    const top = await queryJson(conn, `SELECT ${c}::VARCHAR AS v, count(*) AS n FROM ${view} WHERE ${c} IS NOT NULL
      GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`);
    profile.top_values = top.map((r) => ({ value: String(r.v), count: Number(r.n) }));
    if (col.storage_type === 'VARCHAR') {
      const [l] = await queryJson(conn, `SELECT avg(length(${c})) AS l FROM ${view}`);
      profile.avg_length = finite(l.l);
    }
  }
  return profile;
}
