import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson, sqlIdent } from '../duck.js';
import { detectDates } from '../ingest/dates.js';
import type { ColumnInfo } from '../ingest/read-table.js';
import { SUGGEST_RULES, type SuggestFacts } from './suggest.js';

/** Text columns with more categories than this are not checked for rare ones (free text, not categories). */
const MAX_CATEGORIES = 100_000;

/**
 * Measures what the suggestions need beyond the profile: how many values of each text column parse as dates (with
 * ingest's own detector, forgiving the odd value), and how many categories of each are rare.
 */
export async function suggestFacts(conn: DuckDBConnection, view: string, columns: ColumnInfo[]): Promise<SuggestFacts> {
  const text = columns.filter((c) => c.storage_type === 'VARCHAR' && c.type !== 'datetime');
  const readings = await detectDates(conn, view, text.map((c) => c.name), 10_000, { partial: true });
  const dates: SuggestFacts['dates'] = [];
  for (const [column, r] of readings) {
    const [x] = await queryJson(conn, `SELECT count(${sqlIdent(column)}) AS n, count(${r.expr}) AS ok FROM ${view}`);
    dates.push({ column, values: Number(x.n), parsed: Number(x.ok) });
  }
  const rare: SuggestFacts['rare'] = [];
  const thr = SUGGEST_RULES.rare_threshold;
  for (const c of text) {
    if (readings.has(c.name) || c.type === 'text' || c.type === 'identifier' || (c.approx_distinct ?? 0) > MAX_CATEGORIES) continue;
    const col = sqlIdent(c.name);
    const [x] = await queryJson(conn, `SELECT count(*) AS categories, count_if(n < ${thr} * total) AS rare, coalesce(sum(n) FILTER (WHERE n < ${thr} * total), 0) AS "rows", max(total) AS "values"
      FROM (SELECT count(*) AS n, sum(count(*)) OVER () AS total FROM ${view} WHERE ${col} IS NOT NULL GROUP BY ${col})`);
    if (Number(x.rare) > 0) rare.push({ column: c.name, categories: Number(x.categories), rare: Number(x.rare), rows: Number(x.rows), values: Number(x.values), threshold: thr });
  }
  return { dates, rare };
}
