import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson, sqlFiniteDouble, sqlIdent, sqlString, withDuckPool } from '../duck.js';
import type { ColumnInfo } from '../ingest/read-table.js';
import { rankTargetCandidates } from '../clarify/target-candidates.js';
import { computeAlerts, DEFAULT_THRESHOLDS, type AlertThresholds } from './alerts.js';
import { associations } from './associations.js';
import { LEAK_SAMPLE_ROWS, profileLeaks } from './leak-alerts.js';
import { edaCharts } from './charts.js';
import { profileColumn } from './column-stats.js';
import { timeSeriesHint } from './time-series.js';
import type { ColumnProfile, Correlations, EdaResult } from './types.js';

/** Above this many numeric columns the correlation matrix covers the first ones only (stated in eda.json). */
export const MAX_CORRELATION_COLUMNS = 50;
/** Tables with at most this many cells are profiled from memory (about 8 bytes a cell in DuckDB). */
export const IN_MEMORY_CELLS = 40_000_000;
/** Cells a column costs in memory at least, however few its rows: DuckDB gives it 256 KB blocks (values and validity). */
const MIN_COLUMN_CELLS = 65_536;

async function pearson(conn: DuckDBConnection, view: string, columns: ColumnInfo[]): Promise<Correlations> {
  const names = columns
    .filter((c) => c.type === 'integer' || c.type === 'float' || c.type === 'boolean')
    .slice(0, MAX_CORRELATION_COLUMNS)
    .map((c) => c.name);
  const matrix = names.map((_, i) => names.map((__, j) => (i === j ? 1 : null as number | null)));
  const pairs: [number, number][] = [];
  for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) pairs.push([i, j]);
  if (pairs.length > 0) {
    // Each column made a finite double once, in the subquery, not once per pair it belongs to.
    const sel = pairs.map(([i, j], k) => `corr("x${i}", "x${j}") AS "c${k}"`);
    const [row] = await queryJson(conn, `SELECT ${sel.join(', ')} FROM (SELECT ${names.map((n, i) => `${sqlFiniteDouble(n)} AS "x${i}"`).join(', ')} FROM ${view})`);
    pairs.forEach(([i, j], k) => {
      const v = row[`c${k}`];
      const r = v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Math.max(-1, Math.min(1, Number(v)));
      matrix[i][j] = r;
      matrix[j][i] = r;
    });
  }
  return { method: 'pearson', columns: names, matrix };
}

/** Estimated in-memory size: 8 bytes per number or date, 1 per boolean, text bytes plus 16 per string. */
function memoryBytes(columns: ColumnProfile[], rows: number): number {
  return columns.reduce((s, c) => {
    if (c.length) return s + c.count * (c.length.mean + 16) + c.missing * 8;
    return s + rows * (c.type === 'boolean' ? 1 : 8);
  }, 0);
}

export interface ProfileProgress {
  /** Columns already profiled (from an earlier attempt); profiling continues after them. */
  done: ColumnProfile[];
  /** Called after each column with everything finished so far, so the caller can checkpoint. */
  onColumn?: (done: ColumnProfile[], total: number) => Promise<void>;
  /** Alert thresholds the run chose (`options.alert_thresholds`). */
  thresholds?: Partial<AlertThresholds>;
  /** The run's target when given up front: enables LEAKAGE alerts. */
  target?: string;
  /** Aborting it interrupts the running queries (a cancelled activity frees its CPU at once). */
  signal?: AbortSignal;
  /** Told which table-wide step runs now (after the columns), so a caller's heartbeat says where it is. */
  onPhase?: (phase: ProfilePhase) => void;
}

/** The steps of a profile, in order: per column, then the table-wide queries. */
export const PROFILE_PHASES = ['load', 'columns', 'duplicates', 'correlations', 'associations', 'time_series'] as const;
export type ProfilePhase = (typeof PROFILE_PHASES)[number];

/**
 * Profiles a normalised Parquet table over every row: per-column statistics, Pearson correlations, Spearman,
 * Cramér's V and correlation ratios (sampled above 100k rows), duplicates, memory, alerts, time-series hints,
 * ranked target candidates and chart specs. Resumable: pass the columns finished earlier in `progress.done`.
 * @example const eda = await profileTable('/tmp/x.parquet', manifest.columns, { done: [] });
 */
export async function profileTable(parquetPath: string, columns: ColumnInfo[], progress: ProfileProgress): Promise<EdaResult> {
  return withDuckPool(2, async ([conn, second]) => {
    // file_row_number keeps the upload's row order, which time-series hints depend on. Tables up to
    // IN_MEMORY_CELLS are loaded once, so the many statistics queries scan memory instead of decompressing
    // Parquet each time; larger ones are scanned from the file to keep memory bounded.
    const source = `read_parquet(${sqlString(parquetPath)}, file_row_number = true)`;
    progress.onPhase?.('load');
    const [{ n: total }] = await queryJson(conn, `SELECT count(*) AS n FROM read_parquet(${sqlString(parquetPath)})`);
    const inMemory = Math.max(Number(total), MIN_COLUMN_CELLS) * (columns.length + 1) <= IN_MEMORY_CELLS;
    // Larger tables are queried as read_parquet(…) itself, not through a view: binding a view of 3,000 columns
    // cost 100 ms a query; with the footer cached, reading one column of the file costs 15.
    if (inMemory) await conn.run(`CREATE TABLE t AS SELECT * FROM ${source}`);
    else await conn.run('SET GLOBAL parquet_metadata_cache = true');
    const t = inMemory ? 't' : source;
    progress.onPhase?.('columns');
    const done = await profileColumns(conn, second, t, columns, progress);
    progress.onPhase?.('duplicates');
    // Distinct rows by a 64-bit hash of each row: one hash table of integers instead of one of whole rows; a
    // collision (probability about n² / 2⁶⁵, 3e-8 for a million rows) would count one duplicate too many.
    const cols = columns.map((c) => sqlIdent(c.name)).join(', ');
    const [d] = await queryJson(conn, `SELECT count(*) AS n, count(DISTINCT hash(${cols})) AS u FROM ${t}`);
    const rows = Number(d.n);
    const duplicate_rows = rows - Number(d.u);
    progress.onPhase?.('correlations');
    const correlations = await pearson(conn, t, columns);
    progress.onPhase?.('associations');
    const assoc = await associations(conn, t, rows, done);
    progress.onPhase?.('time_series');
    const time_series = await timeSeriesHint(conn, t, done);
    const type_counts: Record<string, number> = {};
    for (const c of columns) type_counts[c.type] = (type_counts[c.type] ?? 0) + 1;
    const missing_cells = done.reduce((s, c) => s + c.missing, 0);
    // The one leakage rule, on a sample loaded apart from DuckDB's tables (training applies it again to its rows).
    const leaks = progress.target ? await profileLeaks(parquetPath, columns, done, progress.target, progress.thresholds?.leakage, progress.signal) : undefined;
    const seriesPoints = time_series ? await timeSeriesPoints(conn, t, time_series.column, time_series.series.map((s) => s.column)) : null;
    return {
      version: 1,
      dataset: { rows, cols: columns.length, duplicate_rows, missing_cells, type_counts, memory_bytes: Math.round(memoryBytes(done, rows)) },
      columns: done,
      correlations,
      associations: assoc,
      time_series,
      alerts: computeAlerts(done, correlations, { rows, duplicate_rows, info: columns, associations: assoc, target: progress.target,
        leaks, leak_rows: Math.min(rows, LEAK_SAMPLE_ROWS) }, progress.thresholds),
      alert_thresholds: { ...DEFAULT_THRESHOLDS, ...progress.thresholds },
      target_candidates: rankTargetCandidates(done),
      charts: edaCharts(done, correlations, time_series && seriesPoints ? { hint: time_series, points: seriesPoints } : undefined),
    };
  }, { signal: progress.signal });
}

/**
 * Profiles the columns not done yet, two at a time on two single-threaded connections, and reports the
 * finished prefix in column order, so a checkpoint never skips a column still running.
 */
async function profileColumns(a: DuckDBConnection, b: DuckDBConnection, view: string, columns: ColumnInfo[], progress: ProfileProgress): Promise<ColumnProfile[]> {
  const results: (ColumnProfile | undefined)[] = [...progress.done];
  let next = progress.done.length, reported = progress.done.length;
  await a.run('SET threads = 1');
  let stop = false;
  const work = async (conn: DuckDBConnection) => {
    try {
      await loop(conn);
    } catch (err) {
      stop = true;
      throw err;
    }
  };
  const loop = async (conn: DuckDBConnection) => {
    while (next < columns.length && !stop) {
      const i = next++;
      results[i] = await profileColumn(conn, view, columns[i]);
      let prefix = reported;
      while (prefix < columns.length && results[prefix]) prefix++;
      if (prefix > reported) {
        reported = prefix;
        await progress.onColumn?.(results.slice(0, prefix) as ColumnProfile[], columns.length);
      }
    }
  };
  // allSettled, not all: when one side fails (a cancelled heartbeat), the other's query must finish before the
  // connections close under it.
  const settled = await Promise.allSettled([work(a), work(b)]);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  await a.run('SET threads = 2'); // the table-wide queries that follow use both cores
  return results as ColumnProfile[];
}

/** At most 500 points per series for the time-series chart: the mean of each equal run of rows. */
async function timeSeriesPoints(conn: DuckDBConnection, view: string, time: string, series: string[]): Promise<Record<string, unknown>[]> {
  if (!series.length) return [];
  const t = sqlIdent(time);
  const means = series.slice(0, 3).map((s, i) => `avg(${sqlIdent(s)}::DOUBLE) AS "s${i}"`).join(', ');
  const rows = await queryJson(conn, `SELECT min(${t})::VARCHAR AS t, ${means} FROM (SELECT *, ntile(500) OVER (ORDER BY file_row_number) AS b FROM ${view} WHERE ${t} IS NOT NULL) GROUP BY b ORDER BY b`);
  return rows.flatMap((r) => series.slice(0, 3).map((s, i) => ({ time: r.t, series: s, value: r[`s${i}`] == null ? null : Number(r[`s${i}`]) })));
}
