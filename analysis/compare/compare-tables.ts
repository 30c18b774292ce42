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
  'Numbers and dates (as epoch seconds): PSI over 10 bins cut at the deciles of A (repeated cut points merged, so a constant column has two bins), plus a bin for missing or non-finite values.',
  'Categories (and text, booleans, identifiers, and columns whose type changed between number and text): PSI over the 20 most frequent values of A and of B, one "other" bin and one "missing" bin.',
  `PSI = Σ (b − a)·ln(b / a) over the bins' shares, each share at least ${PSI_EPSILON} so an empty bin stays finite.`,
  'Kolmogorov–Smirnov: the exact largest gap between the two empirical distribution functions over every distinct value (ties grouped), p-value from the asymptotic Kolmogorov distribution with Stephens\' correction; missing values left out.',
  'χ²: test of independence on the 2 × k table of category counts (the named categories and "other"; missing values left out).',
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

/** The SQL value a column is compared on: a finite double, epoch seconds, or text. */
function valueExpr(name: string, kind: CompareKind): string {
  if (kind === 'numeric') return sqlFiniteDouble(name);
  if (kind === 'datetime') return `epoch(TRY_CAST(${sqlIdent(name)} AS TIMESTAMP))::DOUBLE`;
  return `CAST(${sqlIdent(name)} AS VARCHAR)`;
}

/** A double as a SQL literal that round-trips exactly (a bare literal like 0.1 would be a DECIMAL). */
const sqlDouble = (x: number) => `CAST(${sqlString(String(x))} AS DOUBLE)`;
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const pct = (part: number, whole: number) => (whole > 0 ? (100 * part) / whole : 0);

interface SideStats { rows: number; present: number; values: number; distinct: number; mean: number | null }

/** Rows, present values, values usable by the test, distinct values and the mean of every compared column, one scan. */
async function sideStats(conn: DuckDBConnection, view: string, cols: { name: string; kind: CompareKind }[]): Promise<SideStats[]> {
  if (cols.length === 0) return [];
  const sel = cols.flatMap((c, i) => {
    const v = valueExpr(c.name, c.kind);
    return [`count(${sqlIdent(c.name)}) AS p${i}`, `count(${v}) AS v${i}`, `count(DISTINCT ${sqlIdent(c.name)}) AS d${i}`,
      c.kind === 'numeric' ? `avg(${v}) AS m${i}` : `NULL AS m${i}`];
  });
  const [row] = await queryJson(conn, `SELECT count(*) AS n, ${sel.join(', ')} FROM ${view}`);
  return cols.map((_, i) => ({
    rows: num(row.n), present: num(row[`p${i}`]), values: num(row[`v${i}`]), distinct: num(row[`d${i}`]),
    mean: row[`m${i}`] === null || row[`m${i}`] === undefined ? null : Number(row[`m${i}`]),
  }));
}

/** Counts per bin index (−1 for missing) of a CASE expression over a view. */
async function binCounts(conn: DuckDBConnection, view: string, binExpr: string, bins: number): Promise<{ counts: number[]; missing: number }> {
  const rows = await queryJson(conn, `SELECT ${binExpr} AS bin, count(*) AS n FROM ${view} GROUP BY 1`);
  const counts = new Array<number>(bins).fill(0);
  let missing = 0;
  for (const r of rows) {
    const b = Number(r.bin);
    if (b < 0) missing += num(r.n); else counts[b] += num(r.n);
  }
  return { counts, missing };
}

interface Drift { psi: number; test: 'ks' | 'chi_square'; statistic: number; dof: number | null; p_value: number | null; effect: number; bins: ColumnComparison['bins'] }

const label = (x: number, kind: CompareKind) => {
  if (kind === 'datetime') {
    const d = new Date(x * 1000);
    return Number.isNaN(d.getTime()) ? String(x) : d.toISOString().replace(/T00:00:00\.000Z$/, '').replace(/\.000Z$/, 'Z');
  }
  return Number(x.toPrecision(6)).toString();
};

/** PSI over A's deciles and the exact two-sample KS statistic, for one numeric or date column. */
async function numericDrift(conn: DuckDBConnection, name: string, kind: CompareKind, sa: SideStats, sb: SideStats): Promise<Drift> {
  const v = valueExpr(name, kind);
  const [q] = await queryJson(conn, `SELECT quantile_disc(x, [${DECILES.join(', ')}])::DOUBLE[] AS q FROM (SELECT ${v} AS x FROM a) WHERE x IS NOT NULL`);
  // Ties (and a constant column) give repeated cut points: merged, so no bin is empty by construction.
  const edges = [...new Set(((q?.q as number[] | null) ?? []).map(Number))].sort((x, y) => x - y);
  const cases = edges.map((e, i) => `WHEN x <= ${sqlDouble(e)} THEN ${i}`).join(' ');
  const binExpr = `CASE WHEN x IS NULL THEN -1 ${cases} ELSE ${edges.length} END`;
  const [ca, cb] = await Promise.all(['a', 'b'].map((t) => binCounts(conn, `(SELECT ${v} AS x FROM ${t})`, binExpr, edges.length + 1)));
  const labels = edges.length === 0 ? ['all values'] : [
    `≤ ${label(edges[0], kind)}`, ...edges.slice(1).map((e, i) => `${label(edges[i], kind)} – ${label(e, kind)}`), `> ${label(edges[edges.length - 1], kind)}`,
  ];
  let d = 0;
  if (sa.values > 0 && sb.values > 0) {
    // Exact: the ECDFs are compared at every distinct value of either table, equal values counted together.
    const [r] = await queryJson(conn, `WITH v AS (SELECT x, 1 AS s FROM (SELECT ${v} AS x FROM a) WHERE x IS NOT NULL
        UNION ALL SELECT x, 0 AS s FROM (SELECT ${v} AS x FROM b) WHERE x IS NOT NULL),
      g AS (SELECT x, sum(s) AS ca, count(*) - sum(s) AS cb FROM v GROUP BY x),
      c AS (SELECT sum(ca) OVER w AS fa, sum(cb) OVER w AS fb FROM g WINDOW w AS (ORDER BY x ROWS UNBOUNDED PRECEDING))
      SELECT max(abs(fa / ${sa.values} - fb / ${sb.values})) AS d FROM c`);
    d = num(r.d);
  }
  return {
    psi: psi([...ca.counts, ca.missing], [...cb.counts, cb.missing]), test: 'ks', statistic: d, dof: null,
    p_value: sa.values > 0 && sb.values > 0 ? ksPValue(d, sa.values, sb.values) : null, effect: d,
    bins: [...labels, 'missing'].map((l, i) => ({
      label: l, pct_a: pct(i < labels.length ? ca.counts[i] : ca.missing, sa.rows), pct_b: pct(i < labels.length ? cb.counts[i] : cb.missing, sb.rows),
    })),
  };
}

/** PSI and the χ² test over the top categories of A ∪ B plus "other", for one categorical column. */
async function categoricalDrift(conn: DuckDBConnection, name: string, topK: number, sa: SideStats, sb: SideStats): Promise<Drift> {
  const v = valueExpr(name, 'categorical');
  const top = await Promise.all(['a', 'b'].map((t) => queryJson(conn,
    `SELECT x, count(*) AS n FROM (SELECT ${v} AS x FROM ${t}) WHERE x IS NOT NULL GROUP BY x ORDER BY n DESC, x LIMIT ${topK}`)));
  const cats = [...new Set(top.flat().map((r) => String(r.x)))];
  const index = new Map(cats.map((c, i) => [c, i]));
  const counts = await Promise.all(['a', 'b'].map(async (t) => {
    const inList = cats.length ? `x IN (${cats.map(sqlString).join(', ')})` : 'false';
    const rows = await queryJson(conn, `SELECT CASE WHEN x IS NULL THEN 'missing' WHEN ${inList} THEN 'named' ELSE 'other' END AS k,
      CASE WHEN ${inList} THEN x END AS cat, count(*) AS n FROM (SELECT ${v} AS x FROM ${t}) GROUP BY 1, 2`);
    const named = new Array<number>(cats.length).fill(0);
    let other = 0, missing = 0;
    for (const r of rows) {
      if (r.k === 'missing') missing += num(r.n);
      else if (r.k === 'other') other += num(r.n);
      else named[index.get(String(r.cat))!] += num(r.n);
    }
    return { named, other, missing };
  }));
  const [ca, cb] = counts;
  const chi = chiSquare2xK([...ca.named, ca.other], [...cb.named, cb.other]);
  const testable = sa.values > 0 && sb.values > 0;
  return {
    psi: psi([...ca.named, ca.other, ca.missing], [...cb.named, cb.other, cb.missing]), test: 'chi_square',
    statistic: chi.statistic, dof: chi.dof, p_value: testable ? chi.p_value : null, effect: chi.cramers_v,
    bins: [...cats.map((c, i) => ({ label: c, pct_a: pct(ca.named[i], sa.rows), pct_b: pct(cb.named[i], sb.rows) })),
      { label: 'other', pct_a: pct(ca.other, sa.rows), pct_b: pct(cb.other, sb.rows) },
      { label: 'missing', pct_a: pct(ca.missing, sa.rows), pct_b: pct(cb.missing, sb.rows) }],
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
  const typeB = new Map(b.manifest.columns.map((c) => [c.name, c.type]));
  const shared = a.manifest.columns.filter((c) => typeB.has(c.name))
    .map((c) => ({ name: c.name, type_a: c.type, type_b: typeB.get(c.name)!, kind: compareKind(c.type, typeB.get(c.name)!) }));
  return withDuck(async (conn) => {
    await conn.run(`CREATE VIEW a AS SELECT * FROM read_parquet(${sqlString(a.parquetPath)})`);
    await conn.run(`CREATE VIEW b AS SELECT * FROM read_parquet(${sqlString(b.parquetPath)})`);
    const [statsA, statsB] = [await sideStats(conn, 'a', shared), await sideStats(conn, 'b', shared)];
    const [rowsA, rowsB] = [statsA[0]?.rows ?? a.manifest.rows, statsB[0]?.rows ?? b.manifest.rows];
    const columns: ColumnComparison[] = [];
    for (const [i, c] of shared.entries()) {
      const sa = statsA[i], sb = statsB[i];
      const d = c.kind === 'categorical' ? await categoricalDrift(conn, c.name, topK, sa, sb) : await numericDrift(conn, c.name, c.kind, sa, sb);
      columns.push({
        name: c.name, type_a: c.type_a, type_b: c.type_b, kind: c.kind, psi: d.psi, test: d.test, statistic: d.statistic, dof: d.dof,
        p_value: d.p_value, effect_size: d.effect, drifted: isDrifted(d), rows_a: sa.rows, rows_b: sb.rows,
        missing_pct_a: pct(sa.rows - sa.present, sa.rows), missing_pct_b: pct(sb.rows - sb.present, sb.rows),
        distinct_a: sa.distinct, distinct_b: sb.distinct, mean_a: sa.mean, mean_b: sb.mean, bins: d.bins,
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
