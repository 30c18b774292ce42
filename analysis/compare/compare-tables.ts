import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson, sqlFiniteDouble, sqlIdent, sqlString, withDuck } from '../duck.js';
import type { ColumnType } from '../ingest/column-types.js';
import type { ColumnInfo, TableManifest } from '../ingest/read-table.js';
import { chiSquare2xK, ksPValue, psi, PSI_EPSILON } from './stats.js';
import type { ColumnComparison, CompareKind, DriftRule, SchemaChanges, TableComparison } from './types.js';

/** One side of a comparison: a normalised Parquet copy and the manifest ingest wrote for it. */
export interface CompareSide { parquetPath: string; manifest: TableManifest }

export interface CompareOptions {
  /** Categories kept by name: the most frequent of A and of B, this many each (the rest is "other"). Default 20. */
  topK?: number;
  /** Interrupts the running query when aborted (a cancelled activity). */
  signal?: AbortSignal;
  /** Told after each column, so a caller can heartbeat. */
  onColumn?: (done: number, total: number) => void;
}

/** Quantile cut points taken from A for numbers and dates: deciles. */
const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const DEFAULT_TOP_K = 20;

/**
 * The drift rule. A p-value alone cannot decide: with a million rows a change nobody would act on is "significant"
 * (p ≈ 0). Evidently's default (docs-old.evidentlyai.com/reference/data-drift-algorithm) uses p < 0.05 on small
 * data and a distance ≥ 0.1 (Wasserstein, Jensen–Shannon) past 1,000 rows; we ask for both, with the usual
 * PSI ≥ 0.2 ("significant shift" in credit-scoring practice) as the other way to be large. ydata-profiling's
 * compare shows the two profiles side by side and runs no test.
 */
export const DRIFT_RULE: DriftRule = {
  p_value_below: 0.05, psi_at_least: 0.2, effect_at_least: 0.1,
  text: 'A column has drifted when its test is significant (p < 0.05) and the change is large: PSI ≥ 0.2, or effect size ≥ 0.1 '
    + "(KS D for numbers and dates, Cramér's V for categories). When a test cannot run (no values in one table), PSI ≥ 0.2 alone decides.",
};

const METHOD = [
  'Numbers and dates (as epoch seconds): PSI over 10 bins cut at the deciles of A (its inverse ECDF; repeated cut points merged, so a constant column has two bins), plus a bin for missing or non-finite values.',
  'Categories (and text, booleans, identifiers, and columns whose type changed between number and text): PSI over the 20 most frequent values of A and of B, one "other" bin and one "missing" bin.',
  `PSI = Σ (b − a)·ln(b / a) over the bins' shares, each share at least ${PSI_EPSILON} so an empty bin stays finite.`,
  'Kolmogorov–Smirnov: the exact largest gap between the two empirical distribution functions over every distinct value (ties grouped), p-value from the asymptotic Kolmogorov distribution with Stephens\' correction; missing values left out.',
  'χ²: test of independence on the 2 × k table of category counts (the named categories and "other"; missing values left out).',
  'Distinct counts are exact, over the compared values (finite numbers, dates, or categories).',
];

/** How a column present in both tables is compared, from its two types. */
export function compareKind(a: ColumnType, b: ColumnType): CompareKind {
  const num = (t: ColumnType) => t === 'integer' || t === 'float';
  if (num(a) && num(b)) return 'numeric';
  if (a === 'datetime' && b === 'datetime') return 'datetime';
  return 'categorical';
}

/** Columns added, removed and retyped between A and B, from the manifests alone. */
export function schemaChanges(a: ColumnInfo[], b: ColumnInfo[]): SchemaChanges {
  const inA = new Map(a.map((c) => [c.name, c])), inB = new Map(b.map((c) => [c.name, c]));
  return {
    added: b.filter((c) => !inA.has(c.name)).map((c) => ({ name: c.name, type: c.type })),
    removed: a.filter((c) => !inB.has(c.name)).map((c) => ({ name: c.name, type: c.type })),
    type_changed: a.filter((c) => inB.has(c.name) && inB.get(c.name)!.type !== c.type).map((c) => ({ name: c.name, type_a: c.type, type_b: inB.get(c.name)!.type })),
  };
}

/** A column to compare: its name, how, and whether both tables store it alike (then categories group on the raw value). */
interface Shared { name: string; type_a: ColumnType; type_b: ColumnType; kind: CompareKind; sameStorage: boolean }

/** The SQL value a column is compared on: a finite double, epoch seconds, the raw value, or text. */
function valueExpr(c: Pick<Shared, 'name' | 'kind' | 'sameStorage'>): string {
  if (c.kind === 'numeric') return sqlFiniteDouble(c.name);
  if (c.kind === 'datetime') return `epoch(TRY_CAST(${sqlIdent(c.name)} AS TIMESTAMP))::DOUBLE`;
  // Grouping on the stored value is much cheaper than on its text (a million integer ids); text only when the types differ.
  return c.sameStorage ? sqlIdent(c.name) : `CAST(${sqlIdent(c.name)} AS VARCHAR)`;
}

/** A double as a SQL literal that round-trips exactly (a bare literal like 0.1 would be a DECIMAL). */
const sqlDouble = (x: number) => `CAST(${sqlString(String(x))} AS DOUBLE)`;
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const pct = (part: number, whole: number) => (whole > 0 ? (100 * part) / whole : 0);

/** Rows, present (non-null) cells, values the test can use, and the mean (numbers), of one table's column. */
interface SideStats { rows: number; present: number; values: number; mean: number | null }

/** Those counts for every compared column of one table, in one scan. */
async function sideStats(conn: DuckDBConnection, view: string, cols: Shared[]): Promise<SideStats[]> {
  if (cols.length === 0) return [];
  const sel = cols.flatMap((c, i) => {
    const v = valueExpr(c);
    return [`count(${sqlIdent(c.name)}) AS p${i}`, `count(${v}) AS v${i}`, c.kind === 'numeric' ? `avg(${v}) AS m${i}` : `NULL AS m${i}`];
  });
  const [row] = await queryJson(conn, `SELECT count(*) AS n, ${sel.join(', ')} FROM ${view}`);
  return cols.map((_, i) => ({
    rows: num(row.n), present: num(row[`p${i}`]), values: num(row[`v${i}`]),
    mean: row[`m${i}`] === null || row[`m${i}`] === undefined ? null : Number(row[`m${i}`]),
  }));
}

/**
 * One scan of both tables for a column: the count of every distinct value in A (`ca`) and in B (`cb`), as temp table
 * `g`. Everything else (ECDFs, deciles, bins, top categories, distinct counts) is read from `g`, which is much smaller
 * than the tables unless every value is distinct.
 */
async function groupBoth(conn: DuckDBConnection, v: string): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE g AS SELECT x, sum(s)::BIGINT AS ca, (count(*) - sum(s))::BIGINT AS cb
    FROM (SELECT ${v} AS x, 1 AS s FROM a UNION ALL SELECT ${v} AS x, 0 AS s FROM b) WHERE x IS NOT NULL GROUP BY x`);
}

interface Drift {
  psi: number; test: 'ks' | 'chi_square'; statistic: number; dof: number | null; p_value: number | null; effect: number;
  distinct_a: number; distinct_b: number; bins: ColumnComparison['bins'];
}

const label = (x: number, kind: CompareKind) => {
  if (kind === 'datetime') {
    const d = new Date(x * 1000);
    return Number.isNaN(d.getTime()) ? String(x) : d.toISOString().replace(/T00:00:00\.000Z$/, '').replace(/\.000Z$/, 'Z');
  }
  return Number(x.toPrecision(6)).toString();
};

/** PSI over A's deciles and the exact two-sample KS statistic, for one numeric or date column. */
async function numericDrift(conn: DuckDBConnection, c: Shared, sa: SideStats, sb: SideStats): Promise<Drift> {
  await groupBoth(conn, valueExpr(c));
  const na = Math.max(sa.values, 1), nb = Math.max(sb.values, 1);
  // The ECDFs at every distinct value of either table (equal values counted together): the KS statistic exactly, and
  // A's deciles as its inverse ECDF (the smallest value with at least that share of A at or below it).
  const [r] = await queryJson(conn, `WITH c AS (SELECT x, ca, cb, sum(ca) OVER w AS fa, sum(cb) OVER w AS fb FROM g WINDOW w AS (ORDER BY x ROWS UNBOUNDED PRECEDING))
    SELECT max(abs(fa / ${na} - fb / ${nb})) AS d, count(*) FILTER (WHERE ca > 0) AS da, count(*) FILTER (WHERE cb > 0) AS db,
      ${DECILES.map((q, i) => `min(x) FILTER (WHERE fa >= ${q} * ${sa.values} AND ca > 0) AS q${i}`).join(', ')} FROM c`);
  const testable = sa.values > 0 && sb.values > 0;
  const d = testable ? num(r?.d) : 0;
  // Ties (and a constant column) give repeated cut points: merged, so no bin is empty by construction.
  const edges = sa.values === 0 ? [] : [...new Set(DECILES.map((_, i) => r?.[`q${i}`]).filter((e) => e !== null && e !== undefined).map(Number))].sort((x, y) => x - y);
  const cases = edges.map((e, i) => `WHEN x <= ${sqlDouble(e)} THEN ${i}`).join(' ');
  const rows = await queryJson(conn, `SELECT CASE ${cases} ELSE ${edges.length} END AS bin, sum(ca) AS ca, sum(cb) AS cb FROM g GROUP BY 1`);
  const ca = new Array<number>(edges.length + 1).fill(0), cb = new Array<number>(edges.length + 1).fill(0);
  for (const row of rows) { ca[Number(row.bin)] += num(row.ca); cb[Number(row.bin)] += num(row.cb); }
  const missA = sa.rows - sa.values, missB = sb.rows - sb.values;
  const labels = edges.length === 0 ? ['all values'] : [
    `≤ ${label(edges[0], c.kind)}`, ...edges.slice(1).map((e, i) => `${label(edges[i], c.kind)} – ${label(e, c.kind)}`), `> ${label(edges[edges.length - 1], c.kind)}`,
  ];
  return {
    psi: psi([...ca, missA], [...cb, missB]), test: 'ks', statistic: d, dof: null,
    p_value: testable ? ksPValue(d, sa.values, sb.values) : null, effect: d, distinct_a: num(r?.da), distinct_b: num(r?.db),
    bins: [...labels.map((l, i) => ({ label: l, pct_a: pct(ca[i], sa.rows), pct_b: pct(cb[i], sb.rows) })),
      { label: 'missing', pct_a: pct(missA, sa.rows), pct_b: pct(missB, sb.rows) }],
  };
}

/** PSI and the χ² test over the top categories of A ∪ B plus "other", for one categorical column. */
async function categoricalDrift(conn: DuckDBConnection, c: Shared, topK: number, sa: SideStats, sb: SideStats): Promise<Drift> {
  await groupBoth(conn, valueExpr(c));
  const named = await queryJson(conn, `WITH t AS (
      SELECT x FROM (SELECT x FROM g WHERE ca > 0 ORDER BY ca DESC, x LIMIT ${topK})
      UNION SELECT x FROM (SELECT x FROM g WHERE cb > 0 ORDER BY cb DESC, x LIMIT ${topK}))
    SELECT CAST(g.x AS VARCHAR) AS label, g.ca, g.cb FROM g JOIN t ON g.x = t.x ORDER BY g.ca + g.cb DESC, g.x`);
  const [dist] = await queryJson(conn, 'SELECT count(*) FILTER (WHERE ca > 0) AS da, count(*) FILTER (WHERE cb > 0) AS db FROM g');
  const ca = named.map((r) => num(r.ca)), cb = named.map((r) => num(r.cb));
  const otherA = sa.values - ca.reduce((s, x) => s + x, 0), otherB = sb.values - cb.reduce((s, x) => s + x, 0);
  const missA = sa.rows - sa.values, missB = sb.rows - sb.values;
  const chi = chiSquare2xK([...ca, otherA], [...cb, otherB]);
  const testable = sa.values > 0 && sb.values > 0;
  return {
    psi: psi([...ca, otherA, missA], [...cb, otherB, missB]), test: 'chi_square',
    statistic: chi.statistic, dof: chi.dof, p_value: testable ? chi.p_value : null, effect: chi.cramers_v,
    distinct_a: num(dist?.da), distinct_b: num(dist?.db),
    bins: [...named.map((r, i) => ({ label: String(r.label), pct_a: pct(ca[i], sa.rows), pct_b: pct(cb[i], sb.rows) })),
      { label: 'other', pct_a: pct(otherA, sa.rows), pct_b: pct(otherB, sb.rows) },
      { label: 'missing', pct_a: pct(missA, sa.rows), pct_b: pct(missB, sb.rows) }],
  };
}

/** Applies `DRIFT_RULE` to a column's numbers. */
export function isDrifted(d: { psi: number; p_value: number | null; effect: number }, rule: DriftRule = DRIFT_RULE): boolean {
  if (d.p_value === null) return d.psi >= rule.psi_at_least;
  return d.p_value < rule.p_value_below && (d.psi >= rule.psi_at_least || d.effect >= rule.effect_at_least);
}

/**
 * Compares two tables column by column over all their rows: schema changes from the manifests; for every column in
 * both, PSI, a KS (numbers, dates) or χ² (categories) test, missing and distinct counts, means, and the drift verdict.
 * @example const cmp = await compareTables({ parquetPath: 'a.parquet', manifest: ma }, { parquetPath: 'b.parquet', manifest: mb });
 */
export async function compareTables(a: CompareSide, b: CompareSide, opts: CompareOptions = {}): Promise<TableComparison> {
  const topK = opts.topK ?? DEFAULT_TOP_K;
  const inB = new Map(b.manifest.columns.map((c) => [c.name, c]));
  const shared: Shared[] = a.manifest.columns.filter((c) => inB.has(c.name)).map((c) => {
    const o = inB.get(c.name)!;
    return { name: c.name, type_a: c.type, type_b: o.type, kind: compareKind(c.type, o.type), sameStorage: c.storage_type === o.storage_type };
  });
  return withDuck(async (conn) => {
    await conn.run(`CREATE VIEW a AS SELECT * FROM read_parquet(${sqlString(a.parquetPath)})`);
    await conn.run(`CREATE VIEW b AS SELECT * FROM read_parquet(${sqlString(b.parquetPath)})`);
    const [statsA, statsB] = [await sideStats(conn, 'a', shared), await sideStats(conn, 'b', shared)];
    const [rowsA, rowsB] = [statsA[0]?.rows ?? a.manifest.rows, statsB[0]?.rows ?? b.manifest.rows];
    const columns: ColumnComparison[] = [];
    for (const [i, c] of shared.entries()) {
      const sa = statsA[i], sb = statsB[i];
      const d = c.kind === 'categorical' ? await categoricalDrift(conn, c, topK, sa, sb) : await numericDrift(conn, c, sa, sb);
      columns.push({
        name: c.name, type_a: c.type_a, type_b: c.type_b, kind: c.kind, psi: d.psi, test: d.test, statistic: d.statistic, dof: d.dof,
        p_value: d.p_value, effect_size: d.effect, drifted: isDrifted(d), rows_a: sa.rows, rows_b: sb.rows,
        missing_pct_a: pct(sa.rows - sa.present, sa.rows), missing_pct_b: pct(sb.rows - sb.present, sb.rows),
        distinct_a: d.distinct_a, distinct_b: d.distinct_b, mean_a: sa.mean, mean_b: sb.mean, bins: d.bins,
      });
      opts.onColumn?.(i + 1, shared.length);
    }
    const drifted = columns.filter((c) => c.drifted).map((c) => c.name);
    return {
      rows_a: rowsA, rows_b: rowsB, cols_a: a.manifest.cols, cols_b: b.manifest.cols, rule: DRIFT_RULE, method: METHOD, columns,
      schema_changes: schemaChanges(a.manifest.columns, b.manifest.columns),
      summary: { columns_compared: columns.length, drifted: drifted.length, drifted_columns: drifted },
    };
  }, { signal: opts.signal, memoryLimit: '1GB', threads: 2 });
}
