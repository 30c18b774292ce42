import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson, sqlFiniteDouble as fin, sqlIdent } from '../duck.js';
import type { Associations, ColumnProfile } from './types.js';

/** Above this many rows, associations are computed on a reproducible sample of this size. */
export const ASSOCIATION_SAMPLE_ROWS = 100_000;
/** Categorical columns with more categories than this are left out of Cramér's V and η. */
export const MAX_CATEGORIES = 50;
const MAX_COLUMNS = 50;
/** Pairs of categorical columns counted per query (one grouping set each). */
const GROUPING_SETS_PER_QUERY = 64;

const isNumeric = (c: ColumnProfile) => (c.type === 'integer' || c.type === 'float') && c.distinct > 1;
const isCategorical = (c: ColumnProfile) => (c.type === 'categorical' || c.type === 'boolean') && c.distinct > 1 && c.distinct <= MAX_CATEGORIES;
const square = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (__, j): number | null => (i === j ? 1 : null)));
const clamp = (v: unknown) => (v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Math.max(-1, Math.min(1, Number(v))));

/** Cramér's V from a contingency table given as counts per (a, b) pair, with the bias correction of Bergsma (2013). */
export function cramersV(cells: { a: string; b: string; n: number }[]): number | null {
  const rows = new Map<string, number>(), cols = new Map<string, number>();
  let n = 0;
  for (const c of cells) { rows.set(c.a, (rows.get(c.a) ?? 0) + c.n); cols.set(c.b, (cols.get(c.b) ?? 0) + c.n); n += c.n; }
  const r = rows.size, k = cols.size;
  if (n < 2 || r < 2 || k < 2) return null;
  const seen = new Map(cells.map((c) => [`${c.a}\u0000${c.b}`, c.n]));
  let chi2 = 0;
  for (const [a, ra] of rows) for (const [b, cb] of cols) {
    const expected = (ra * cb) / n;
    const o = seen.get(`${a}\u0000${b}`) ?? 0;
    chi2 += (o - expected) ** 2 / expected;
  }
  const phi2 = Math.max(0, chi2 / n - ((k - 1) * (r - 1)) / (n - 1));
  const rr = r - ((r - 1) ** 2) / (n - 1), kk = k - ((k - 1) ** 2) / (n - 1);
  const denom = Math.min(kk - 1, rr - 1);
  return denom > 0 ? Math.min(1, Math.sqrt(phi2 / denom)) : null;
}

/** Ranks from 1, ties sharing their average rank; missing values stay NaN. */
export function averageRanks(values: (number | null)[]): Float64Array {
  // A native numeric sort of the present values, then each value's tie block by binary search: several
  // times faster than sorting indices with a comparator.
  const sorted = Float64Array.from(values.filter((v): v is number => v !== null && Number.isFinite(v))).sort();
  const bound = (v: number, upper: boolean) => {
    let lo = 0, hi = sorted.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (sorted[mid] < v || (upper && sorted[mid] === v)) lo = mid + 1; else hi = mid; }
    return lo;
  };
  const ranks = new Float64Array(values.length).fill(NaN);
  values.forEach((v, i) => { if (v !== null && Number.isFinite(v)) ranks[i] = (bound(v, false) + bound(v, true) - 1) / 2 + 1; });
  return ranks;
}

/** Pearson's r over the rows where both values are present. */
export function pearsonOf(x: Float64Array, y: Float64Array): number | null {
  let n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i], b = y[i];
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    n++; sx += a; sy += b; sxx += a * a; syy += b * b; sxy += a * b;
  }
  if (n < 3) return null;
  const cov = sxy - (sx * sy) / n, vx = sxx - (sx * sx) / n, vy = syy - (sy * sy) / n;
  return vx > 0 && vy > 0 ? cov / Math.sqrt(vx * vy) : null;
}

/**
 * Spearman (numeric pairs), Cramér's V (categorical pairs) and the correlation ratio η (categorical × numeric),
 * on all rows or a reproducible sample above `ASSOCIATION_SAMPLE_ROWS`.
 */
export async function associations(conn: DuckDBConnection, view: string, rows: number, columns: ColumnProfile[]): Promise<Associations> {
  const sampled = rows > ASSOCIATION_SAMPLE_ROWS;
  const nums = columns.filter(isNumeric).slice(0, MAX_COLUMNS).map((c) => c.name);
  const cats = columns.filter(isCategorical).slice(0, MAX_COLUMNS).map((c) => c.name);
  const used = [...nums, ...cats];
  if (used.length) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE assoc_sample AS SELECT ${used.map(sqlIdent).join(', ')} FROM ${view}${sampled ? ` USING SAMPLE reservoir(${ASSOCIATION_SAMPLE_ROWS} ROWS) REPEATABLE (42)` : ''}`);
  }

  const spearman = square(nums.length);
  if (nums.length > 1) {
    // Ranks in JS: one sort per column, then pairwise Pearson on ranks (DuckDB would sort once per window).
    const reader = await conn.runAndReadAll(`SELECT ${nums.map((n) => `${sqlIdent(n)}::DOUBLE`).join(', ')} FROM assoc_sample`);
    const ranked = reader.getColumnsJS().map((col) => averageRanks(col as (number | null)[]));
    for (let i = 0; i < nums.length; i++) for (let j = i + 1; j < nums.length; j++) {
      const v = clamp(pearsonOf(ranked[i], ranked[j]));
      spearman[i][j] = v; spearman[j][i] = v;
    }
  }

  const cramers = square(cats.length);
  if (cats.length > 1) {
    const pairs: [number, number][] = [];
    for (let i = 0; i < cats.length; i++) for (let j = i + 1; j < cats.length; j++) pairs.push([i, j]);
    const sel = cats.map((n, i) => `${sqlIdent(n)}::VARCHAR AS "a${i}"`).join(', ');
    // Grouping sets in batches: DuckDB gives each set a hash table of its own, and 50 categorical columns (1,225
    // pairs) in one query ran out of memory. Within a batch a row's set is the pair whose grouping() flags are 0.
    for (let b = 0; b < pairs.length; b += GROUPING_SETS_PER_QUERY) {
      const batch = pairs.slice(b, b + GROUPING_SETS_PER_QUERY);
      const used = [...new Set(batch.flat())].sort((p, q) => p - q); // ascending: ORDER BY ALL then sorts each pair's cells as before
      const cells = await queryJson(conn, `SELECT ${used.map((i) => `grouping("a${i}") AS "g${i}", "a${i}"`).join(', ')}, count(*) AS n
        FROM (SELECT ${sel} FROM assoc_sample) GROUP BY GROUPING SETS (${batch.map(([i, j]) => `("a${i}", "a${j}")`).join(', ')}) ORDER BY ALL`);
      for (const [i, j] of batch) {
        const table = cells.filter((c) => Number(c[`g${i}`]) === 0 && Number(c[`g${j}`]) === 0 && c[`a${i}`] !== null && c[`a${j}`] !== null)
          .map((c) => ({ a: String(c[`a${i}`]), b: String(c[`a${j}`]), n: Number(c.n) }));
        const v = cramersV(table);
        cramers[i][j] = v; cramers[j][i] = v;
      }
    }
  }

  const eta = cats.map(() => nums.map((): number | null => null));
  if (cats.length && nums.length) {
    const totals = await queryJson(conn, `SELECT ${nums.map((n, j) => `avg(${fin(n)}) AS "m${j}", var_pop(${fin(n)}) AS "v${j}", count(${fin(n)}) AS "c${j}"`).join(', ')} FROM assoc_sample`);
    for (const [i, cat] of cats.entries()) {
      const groups = await queryJson(conn, `SELECT ${nums.map((n, j) => `count(${fin(n)}) AS "c${j}", avg(${fin(n)}) AS "m${j}"`).join(', ')}
        FROM assoc_sample WHERE ${sqlIdent(cat)} IS NOT NULL GROUP BY ${sqlIdent(cat)} ORDER BY ${sqlIdent(cat)}`);
      // Ordered: the sums below then add the groups in one order every time, so eda.json is the same byte for byte.
      nums.forEach((_, j) => {
        const total = Number(totals[0][`v${j}`]) * Number(totals[0][`c${j}`]);
        if (!(total > 0)) return;
        const mean = Number(totals[0][`m${j}`]);
        // η² = between-group sum of squares / total sum of squares (groups weighted by their sizes).
        const between = groups.reduce((s, g) => s + Number(g[`c${j}`]) * (Number(g[`m${j}`] ?? mean) - mean) ** 2, 0);
        eta[i][j] = Math.sqrt(Math.min(1, Math.max(0, between / total)));
      });
    }
  }
  await conn.run('DROP TABLE IF EXISTS assoc_sample');
  return {
    sampled, sample_rows: sampled ? ASSOCIATION_SAMPLE_ROWS : rows,
    spearman: { columns: nums, matrix: spearman }, cramers_v: { columns: cats, matrix: cramers },
    correlation_ratio: { categorical: cats, numeric: nums, matrix: eta },
  };
}
