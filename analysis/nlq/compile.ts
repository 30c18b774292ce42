import { sqlIdent } from '../duck.js';
import { isDate, isNumeric, type Filter, type Measure, type NlqColumn, type QueryForm } from './query.js';

/** The view every compiled query reads: the dataset's normalised Parquet. */
export const TABLE = 'data';
/** Rows a grouped answer or a listing returns at most. */
export const MAX_ROWS = 1000;
/** Points a scatter chart shows at most (a seeded sample). */
export const SCATTER_POINTS = 500;

/** A value bound to a `$n` parameter. */
export type Param = string | number | boolean;

/** SQL for one query form: the text with `$n` placeholders and the values bound to them. */
export interface CompiledQuery { sql: string; params: Param[] }

/** The name a measure's column has in the answer (`avg_price`, `count`, `percent_missing_price`). */
export function measureAlias(m: Measure): string {
  if (m.fn === 'count') return 'count';
  if (m.fn === 'corr') return 'correlation';
  if (m.fn === 'percent') return 'percent';
  return `${m.fn}_${m.column}`;
}

/** The name of a group's column in the answer: the column itself, or the period / bin it was bucketed into. */
export function groupAlias(q: QueryForm): string | undefined {
  if (!q.group) return undefined;
  return q.group.bucket === 'bins' ? 'bin_start' : q.group.bucket ?? q.group.column;
}

class Binder {
  readonly params: Param[] = [];
  bind(v: Param): string { this.params.push(v); return `$${this.params.length}`; }
}

/** A date a filter compares with as a full ISO date (`2020` → `2020-01-01`, `2020-03` → `2020-03-01`). */
const isoDate = (v: Param) => { const s = String(v); return s.length === 4 ? `${s}-01-01` : s.length === 7 ? `${s}-01` : s; };
const isYear = (v: Param | undefined) => typeof v === 'number' || (typeof v === 'string' && /^\d{4}$/.test(v));
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

function filterSql(f: Filter, cols: Map<string, NlqColumn>, b: Binder): string {
  const c = cols.get(f.column)!;
  const id = sqlIdent(c.name);
  const num = isNumeric(c);
  const text = `lower(CAST(${id} AS VARCHAR))`;
  switch (f.op) {
    case 'is_missing': return `${id} IS NULL`;
    case 'not_missing': return `${id} IS NOT NULL`;
    case 'contains': return `CAST(${id} AS VARCHAR) ILIKE ${b.bind(`%${likeEscape(String(f.value))}%`)} ESCAPE '\\'`;
    case 'in':
      if (isDate(c) && f.part === 'month') return `month(${id}) IN (${f.values!.map((v) => b.bind(Number(v))).join(', ')})`;
      if (num) return `${id} IN (${f.values!.map((v) => b.bind(Number(v))).join(', ')})`;
      return `${text} IN (${f.values!.map((v) => `lower(${b.bind(String(v))})`).join(', ')})`;
    default: break;
  }
  const op = f.op === '!=' ? '<>' : f.op;
  if (isDate(c) && f.part === 'month') {
    const m = `month(${id})`;
    if (f.op === 'between') {
      // "between november and february" wraps round the turn of the year.
      const [a, z] = [Number(f.value), Number(f.value2)];
      return a <= z ? `${m} BETWEEN ${b.bind(a)} AND ${b.bind(z)}` : `(${m} >= ${b.bind(a)} OR ${m} <= ${b.bind(z)})`;
    }
    return `${m} ${op} ${b.bind(Number(f.value))}`;
  }
  if (isDate(c)) {
    // A year compares with the date's year; a date with the date itself.
    if (isYear(f.value) && (f.value2 === undefined || isYear(f.value2))) {
      if (f.op === 'between') return `year(${id}) BETWEEN ${b.bind(Number(f.value))} AND ${b.bind(Number(f.value2))}`;
      return `year(${id}) ${op} ${b.bind(Number(f.value))}`;
    }
    // Two whole days: every time on the last day counts too ("in march 2020" is up to 2020-03-31 23:59).
    if (f.op === 'between' && String(f.value).length <= 10 && String(f.value2).length <= 10) return `CAST(${id} AS DATE) BETWEEN CAST(${b.bind(isoDate(f.value!))} AS DATE) AND CAST(${b.bind(isoDate(f.value2!))} AS DATE)`;
    if (f.op === 'between') return `${id} BETWEEN CAST(${b.bind(isoDate(f.value!))} AS TIMESTAMP) AND CAST(${b.bind(isoDate(f.value2!))} AS TIMESTAMP)`;
    if ((f.op === '=' || f.op === '!=') && String(f.value).length <= 10) return `CAST(${id} AS DATE) ${op} CAST(${b.bind(isoDate(f.value!))} AS DATE)`;
    return `${id} ${op} CAST(${b.bind(isoDate(f.value!))} AS TIMESTAMP)`;
  }
  if (f.op === 'between') return `${id} BETWEEN ${b.bind(Number(f.value))} AND ${b.bind(Number(f.value2))}`;
  if (num) return `${id} ${op} ${b.bind(Number(f.value))}`;
  if (c.type === 'boolean' && typeof f.value === 'boolean') return `${id} ${op} ${b.bind(f.value)}`;
  return `${text} ${op} lower(${b.bind(String(f.value))})`;
}

function measureSql(m: Measure, cols: Map<string, NlqColumn>, b: Binder): string {
  const id = m.column ? sqlIdent(m.column) : '';
  const c = m.column ? cols.get(m.column) : undefined;
  // Booleans average to a rate; infinities would make every sum infinite, so they count as missing.
  const num = (ident: string, col?: NlqColumn) => (col?.type === 'boolean' ? `CAST(${ident} AS DOUBLE)` : `CASE WHEN isfinite(CAST(${ident} AS DOUBLE)) THEN CAST(${ident} AS DOUBLE) END`);
  switch (m.fn) {
    case 'count': return 'count(*)';
    case 'count_distinct': return `count(DISTINCT ${id})`;
    case 'missing': return `count(*) FILTER (WHERE ${id} IS NULL)`;
    case 'percent': return `100.0 * count(*) FILTER (WHERE ${m.where!.map((f) => filterSql(f, cols, b)).join(' AND ')}) / nullif(count(*), 0)`;
    case 'sum': return `sum(${num(id, c)})`;
    case 'avg': return `avg(${num(id, c)})`;
    case 'median': return `median(${num(id, c)})`;
    case 'stddev': return `stddev_samp(${num(id, c)})`;
    case 'min': return `min(${id})`;
    case 'max': return `max(${id})`;
    case 'corr': return `corr(${num(id, c)}, ${num(sqlIdent(m.column2!), cols.get(m.column2!))})`;
  }
}

/** Unique output names: a second `count` becomes `count_2`. */
function aliases(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => { const k = (seen.get(n) ?? 0) + 1; seen.set(n, k); return k === 1 ? n : `${n}_${k}`; });
}

/**
 * Compiles a resolved query form to DuckDB SQL over the `data` view: identifiers quoted, every value from the
 * question bound as a parameter (never spliced into the text), at most `MAX_ROWS` rows.
 * @example compileQuery({ measures: [{ fn: 'avg', column: 'price' }], filters: [] }, cols).sql // SELECT avg(...) AS "avg_price" FROM data
 */
export function compileQuery(q: QueryForm, columns: NlqColumn[]): CompiledQuery {
  const cols = new Map(columns.map((c) => [c.name, c]));
  const b = new Binder();
  const where = q.filters.map((f) => filterSql(f, cols, b));
  const whereSql = (extra: string[] = []) => { const all = [...where, ...extra]; return all.length ? ` WHERE ${all.join(' AND ')}` : ''; };
  const limit = Math.min(q.limit ?? (q.measures.length ? MAX_ROWS : 100), MAX_ROWS);

  if (!q.measures.length) {
    const select = q.columns?.length ? q.columns.map(sqlIdent).join(', ') : '*';
    const order = q.order ? ` ORDER BY ${sqlIdent(q.order.by)} ${q.order.direction.toUpperCase()} NULLS LAST` : '';
    return { sql: `SELECT ${select} FROM ${TABLE}${whereSql()}${order} LIMIT ${limit}`, params: b.params };
  }

  const measureExprs = q.measures.map((m) => measureSql(m, cols, b));
  const keys = q.group ? [groupAlias(q)!, ...(q.group.and ? [q.group.and] : [])] : [];
  const names = aliases([...keys, ...q.measures.map(measureAlias), ...(q.share ? ['percent'] : [])]);
  const mNames = names.slice(keys.length, keys.length + q.measures.length);
  const selectMeasures = measureExprs.map((e, i) => `${e} AS ${sqlIdent(mNames[i])}`);
  if (q.share) selectMeasures.push(`100.0 * ${measureExprs[0]} / nullif(sum(${measureExprs[0]}) OVER (), 0) AS ${sqlIdent(names.at(-1)!)}`);
  if (q.measures.some((m) => m.fn === 'corr')) {
    const m = q.measures.find((x) => x.fn === 'corr')!;
    selectMeasures.push(`count(*) FILTER (WHERE ${sqlIdent(m.column!)} IS NOT NULL AND ${sqlIdent(m.column2!)} IS NOT NULL) AS "rows_used"`);
  }

  if (!q.group) return { sql: `SELECT ${selectMeasures.join(', ')} FROM ${TABLE}${whereSql()}`, params: b.params };

  const g = q.group;
  const gid = sqlIdent(g.column);
  const direction = q.order?.direction.toUpperCase() ?? 'ASC';
  const then = g.and ? ', 2 ASC' : '';
  const orderBy = q.order?.by === 'measure' ? `${sqlIdent(mNames[0])} ${direction} NULLS LAST, 1 ASC${then}` : `1 ${q.order ? direction : 'ASC'} NULLS LAST${then}`;

  if (g.bucket === 'bins') {
    const bins = g.bins ?? 20;
    // Equal-width bins between the column's min and max; the max falls in the last bin.
    const v = `CAST(${gid} AS DOUBLE)`;
    const sql = `WITH f AS (SELECT *, ${v} AS __v FROM ${TABLE}${whereSql([`isfinite(${v})`])}), `
      + `s AS (SELECT min(__v) AS lo, (max(__v) - min(__v)) / ${bins} AS w FROM f), `
      + `k AS (SELECT f.*, CASE WHEN s.w = 0 THEN 0 ELSE least(floor((__v - s.lo) / s.w), ${bins - 1}) END AS __k, s.lo, s.w FROM f, s) `
      + `SELECT lo + __k * w AS "bin_start", lo + (__k + 1) * w AS "bin_end", ${selectMeasures.join(', ')} FROM k GROUP BY __k, lo, w ORDER BY __k LIMIT ${limit}`;
    return { sql, params: b.params };
  }
  const key = g.bucket ? `CAST(date_trunc('${g.bucket}', ${gid}) AS DATE)` : gid;
  const extra = g.bucket ? [`${gid} IS NOT NULL`] : [];
  return {
    sql: `SELECT ${key} AS ${sqlIdent(names[0])}, ${g.and ? `${sqlIdent(g.and)} AS ${sqlIdent(names[1])}, ` : ''}${selectMeasures.join(', ')} FROM ${TABLE}${whereSql(extra)} GROUP BY 1${g.and ? ', 2' : ''} ORDER BY ${orderBy} LIMIT ${limit}`,
    params: b.params,
  };
}

/** For a correlation's scatter chart: up to `SCATTER_POINTS` of the pairs it was computed from, a seeded sample. */
export function compilePoints(q: QueryForm, columns: NlqColumn[]): CompiledQuery | null {
  const m = q.measures.find((x) => x.fn === 'corr');
  if (!m) return null;
  const cols = new Map(columns.map((c) => [c.name, c]));
  const b = new Binder();
  const a = sqlIdent(m.column!), c2 = sqlIdent(m.column2!);
  const where = [...q.filters.map((f) => filterSql(f, cols, b)), `${a} IS NOT NULL`, `${c2} IS NOT NULL`];
  return { sql: `SELECT * FROM (SELECT ${a}, ${c2} FROM ${TABLE} WHERE ${where.join(' AND ')}) USING SAMPLE reservoir(${SCATTER_POINTS} ROWS) REPEATABLE (7)`, params: b.params };
}
