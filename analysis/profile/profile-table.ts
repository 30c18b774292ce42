import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson, sqlIdent, sqlString, withDuck } from '../duck.js';
import type { ColumnInfo } from '../ingest/read-table.js';
import { rankTargetCandidates } from '../clarify/target-candidates.js';
import { computeAlerts } from './alerts.js';
import { edaCharts } from './charts.js';
import { profileColumn } from './column-stats.js';
import type { ColumnProfile, Correlations, EdaResult } from './types.js';

/** Above this many numeric columns the correlation matrix covers the first ones only (stated in eda.json). */
export const MAX_CORRELATION_COLUMNS = 50;

async function pearson(conn: DuckDBConnection, view: string, columns: ColumnInfo[]): Promise<Correlations> {
  const names = columns
    .filter((c) => c.type === 'integer' || c.type === 'float' || c.type === 'boolean')
    .slice(0, MAX_CORRELATION_COLUMNS)
    .map((c) => c.name);
  const matrix = names.map((_, i) => names.map((__, j) => (i === j ? 1 : null as number | null)));
  const pairs: [number, number][] = [];
  for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) pairs.push([i, j]);
  if (pairs.length > 0) {
    const sel = pairs.map(([i, j], k) => `corr(${sqlIdent(names[i])}::DOUBLE, ${sqlIdent(names[j])}::DOUBLE) AS "c${k}"`);
    const [row] = await queryJson(conn, `SELECT ${sel.join(', ')} FROM ${view}`);
    pairs.forEach(([i, j], k) => {
      const v = row[`c${k}`];
      const r = v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v);
      matrix[i][j] = r;
      matrix[j][i] = r;
    });
  }
  return { method: 'pearson', columns: names, matrix };
}

export interface ProfileProgress {
  /** Columns already profiled (from an earlier attempt); profiling continues after them. */
  done: ColumnProfile[];
  /** Called after each column with everything finished so far, so the caller can checkpoint. */
  onColumn?: (done: ColumnProfile[], total: number) => Promise<void>;
}

/**
 * Profiles a normalised Parquet table: per-column statistics, correlations, duplicates, alerts and
 * ranked target candidates. Resumable: pass the columns finished earlier in `progress.done`.
 * @example const eda = await profileTable('/tmp/x.parquet', manifest.columns, { done: [] });
 */
export async function profileTable(parquetPath: string, columns: ColumnInfo[], progress: ProfileProgress): Promise<EdaResult> {
  return withDuck(async (conn) => {
    await conn.run(`CREATE VIEW t AS SELECT * FROM read_parquet(${sqlString(parquetPath)})`);
    const done = [...progress.done];
    for (let i = done.length; i < columns.length; i++) {
      done.push(await profileColumn(conn, 't', columns[i]));
      await progress.onColumn?.(done, columns.length);
    }
    const [d] = await queryJson(conn, 'SELECT (SELECT count(*) FROM t) AS n, (SELECT count(*) FROM (SELECT DISTINCT * FROM t)) AS u');
    const rows = Number(d.n);
    const duplicate_rows = rows - Number(d.u);
    const correlations = await pearson(conn, 't', columns);
    const type_counts: Record<string, number> = {};
    for (const c of columns) type_counts[c.type] = (type_counts[c.type] ?? 0) + 1;
    const missing_cells = done.reduce((s, c) => s + c.missing, 0);
    return {
      version: 1,
      dataset: { rows, cols: columns.length, duplicate_rows, missing_cells, type_counts },
      columns: done,
      correlations,
      alerts: computeAlerts(done, correlations, { rows, duplicate_rows }),
      target_candidates: rankTargetCandidates(done),
      charts: edaCharts(done, correlations),
    };
  });
}
