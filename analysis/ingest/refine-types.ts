import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson, sqlIdent, sqlString } from '../duck.js';
import type { ColumnType } from './column-types.js';

/** How one column is read into the normalised copy, and what Assay changed on the way. */
export interface Refinement {
  /** SQL producing the column from the raw view. */
  expr: string;
  /** A semantic type decided here (conversion or the user's override) instead of by inference. */
  type?: ColumnType;
  /** One sentence for the manifest: what was converted, from what. */
  note?: string;
  /** Dates written as text and read as dates (the profile raises TYPE_DATE). */
  textDates?: boolean;
  /** Share of a text column's values that are numbers, when most but not all are (MIXED_TYPES). */
  numericShare?: number;
}

const NUMBER_RE = String.raw`\s*[-+]?[$€£¥]?\s*[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*%?\s*`;
const DECORATED_RE = String.raw`[$€£¥%]|\d,\d{3}`;
const BOOL_TRUE = ['true', 't', 'yes', 'y'], BOOL_FALSE = ['false', 'f', 'no', 'n'];
/** Date forms tried on text, US before EU: a column parses as EU only where some day is above 12. */
export const DATE_FORMATS = [
  '%m/%d/%Y', '%d/%m/%Y', '%m/%d/%Y %H:%M', '%d/%m/%Y %H:%M', '%m/%d/%Y %H:%M:%S', '%d/%m/%Y %H:%M:%S', '%d.%m.%Y', '%d.%m.%Y %H:%M',
  '%Y/%m/%d', '%Y/%m/%d %H:%M:%S', '%m-%d-%Y', '%d-%m-%Y', '%d %b %Y', '%b %d, %Y', '%d %B %Y', '%B %d, %Y', '%Y-%m-%dT%H:%M:%S%z', '%Y%m%d',
] as const;
const EPOCH_NAME = /(^|_)(time|timestamp|date|datetime|epoch|ts|created|updated)(_|$)|_at$/i;
/** Seconds and milliseconds since 1970 that fall between 2001 and 2039: plausible timestamps. */
const EPOCH_S = [1e9, 2.2e9], EPOCH_MS = [1e12, 2.2e12];
const SAMPLE_ROWS = 5_000;

const boolExpr = (c: string) => `CASE WHEN lower(trim(${c})) IN (${BOOL_TRUE.map(sqlString).join(', ')}) THEN true WHEN lower(trim(${c})) IN (${BOOL_FALSE.map(sqlString).join(', ')}) THEN false END`;
const numberExpr = (c: string, integer: boolean) => `TRY_CAST(regexp_replace(${c}, '[\\s$€£¥%,]', '', 'g') AS ${integer ? 'BIGINT' : 'DOUBLE'})`;
const dateExpr = (c: string, fmt: string) => (/%[HMS]/.test(fmt) ? `try_strptime(trim(${c}), ${sqlString(fmt)})` : `CAST(try_strptime(trim(${c}), ${sqlString(fmt)}) AS DATE)`);

/** The expression for a column the user typed explicitly (`options.column_types`); unreadable values become missing. */
function overrideExpr(c: string, storage: string, type: ColumnType): string {
  const text = storage === 'VARCHAR';
  switch (type) {
    case 'integer': return text ? numberExpr(c, true) : `TRY_CAST(${c} AS BIGINT)`;
    case 'float': return text ? numberExpr(c, false) : `TRY_CAST(${c} AS DOUBLE)`;
    case 'boolean': return text ? boolExpr(c) : `TRY_CAST(${c} AS BOOLEAN)`;
    case 'datetime': return `TRY_CAST(${c} AS TIMESTAMP)`;
    default: return `CAST(${c} AS VARCHAR)`;
  }
}

/**
 * Looks past DuckDB's storage types: text holding numbers with currency, percent signs or thousands
 * separators, yes/no booleans, dates in US or European forms, epoch seconds in time-named columns, and
 * 0/1 integers. Checks a sample first, then confirms each candidate on every row.
 * @returns how to read each column (identity for the untouched ones)
 */
export async function refineTypes(conn: DuckDBConnection, view: string, schema: { name: string; type: string }[],
  overrides: Record<string, ColumnType> = {}): Promise<Map<string, Refinement>> {
  const out = new Map<string, Refinement>(schema.map((s) => [s.name, { expr: sqlIdent(s.name) }]));
  for (const s of schema) {
    const t = overrides[s.name];
    if (t) out.set(s.name, { expr: overrideExpr(sqlIdent(s.name), s.type, t), type: t, note: `'${s.name}' read as ${t}, as the run's column_types asked; values that are not ${t} are missing.` });
  }
  const open = schema.filter((s) => !overrides[s.name]);
  const text = open.filter((s) => s.type === 'VARCHAR');
  const ints = open.filter((s) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(s.type));
  const epochs = open.filter((s) => /INT|DOUBLE|FLOAT|DECIMAL/.test(s.type) && EPOCH_NAME.test(s.name));
  if (text.length + ints.length + epochs.length === 0) return out;

  // 1. A sample says which reading each column could have: first cheap facts, then date forms only for
  // columns whose every value has a digit (parsing 18 forms is what costs).
  const sample = `(SELECT * FROM ${view} LIMIT ${SAMPLE_ROWS})`;
  const facts = text.flatMap((s, i) => {
    const c = sqlIdent(s.name);
    return [`count(${c}) AS "nn${i}"`, `count_if(regexp_matches(${c}, '[0-9]')) AS "dig${i}"`, `count_if(regexp_full_match(${c}, ${sqlString(NUMBER_RE)})) AS "num${i}"`,
      `count_if(regexp_matches(${c}, ${sqlString(DECORATED_RE)})) AS "dec${i}"`, `count_if(${boolExpr(c)} IS NOT NULL) AS "bool${i}"`];
  });
  const [p] = text.length ? await queryJson(conn, `SELECT ${facts.join(', ')} FROM ${sample}`) : [{}];
  const n = (k: string) => Number(p[k] ?? 0);
  const dated = text.map((s, i) => ({ s, i })).filter(({ i }) => n(`nn${i}`) > 0 && n(`dig${i}`) === n(`nn${i}`) && n(`num${i}`) < n(`nn${i}`));
  if (dated.length) {
    const probes = dated.flatMap(({ s, i }) => DATE_FORMATS.map((f, k) => `count_if(try_strptime(trim(${sqlIdent(s.name)}), ${sqlString(f)}) IS NOT NULL) AS "d${i}_${k}"`));
    Object.assign(p, (await queryJson(conn, `SELECT ${probes.join(', ')} FROM ${sample}`))[0]);
  }

  // 2. Every row confirms the candidates (one scan for all columns).
  const checks: { sql: string; then: (code: number) => void }[] = [];
  text.forEach((s, i) => {
    const c = sqlIdent(s.name), nn = n(`nn${i}`);
    if (nn === 0) return;
    if (n(`num${i}`) === nn && n(`dec${i}`) > 0) {
      // 0: not all numbers after all; 1: numbers with decimals; 2: whole numbers.
      checks.push({ sql: `CASE WHEN count_if(regexp_full_match(${c}, ${sqlString(NUMBER_RE)})) < count(${c}) THEN 0 WHEN count_if(contains(${c}, '.')) > 0 THEN 1 ELSE 2 END`,
        then: (code) => {
          if (code) out.set(s.name, { expr: numberExpr(c, code === 2), type: code === 2 ? 'integer' : 'float', note: `'${s.name}' holds numbers written with currency, percent signs or thousands separators; read as numbers.` });
        } });
    } else if (n(`bool${i}`) === nn) {
      checks.push({ sql: `count_if(${boolExpr(c)} IS NOT NULL) = count(${c})`, then: (ok) => {
        if (ok) out.set(s.name, { expr: boolExpr(c), type: 'boolean', note: `'${s.name}' holds yes/no or true/false words; read as booleans.` });
      } });
    } else {
      const k = DATE_FORMATS.findIndex((_, j) => n(`d${i}_${j}`) === nn);
      if (k >= 0) {
        const fmt = DATE_FORMATS[k];
        checks.push({ sql: `count_if(try_strptime(trim(${c}), ${sqlString(fmt)}) IS NOT NULL) = count(${c})`, then: (ok) => {
          if (ok) out.set(s.name, { expr: dateExpr(c, fmt), type: 'datetime', textDates: true, note: `'${s.name}' holds dates written as text (${fmt}); read as dates.` });
        } });
      } else if (n(`num${i}`) >= nn * 0.5) {
        out.set(s.name, { ...out.get(s.name)!, numericShare: n(`num${i}`) / nn });
      }
    }
  });
  for (const s of ints) {
    const c = sqlIdent(s.name);
    checks.push({ sql: `count_if(${c} NOT IN (0, 1)) = 0 AND min(${c}) = 0 AND max(${c}) = 1`, then: (ok) => {
      if (ok && !out.get(s.name)!.type) out.set(s.name, { expr: c, type: 'boolean' });
    } });
  }
  for (const s of epochs) {
    const c = sqlIdent(s.name);
    checks.push({ sql: `min(${c}) >= ${EPOCH_S[0]} AND max(${c}) <= ${EPOCH_S[1]}`, then: (ok) => {
      if (ok) out.set(s.name, { expr: `CAST(to_timestamp(${c}::DOUBLE) AS TIMESTAMP)`, type: 'datetime', note: `'${s.name}' holds seconds since 1970; read as timestamps.` });
    } });
    checks.push({ sql: `min(${c}) >= ${EPOCH_MS[0]} AND max(${c}) <= ${EPOCH_MS[1]}`, then: (ok) => {
      if (ok) out.set(s.name, { expr: `epoch_ms(${c}::BIGINT)`, type: 'datetime', note: `'${s.name}' holds milliseconds since 1970; read as timestamps.` });
    } });
  }
  if (checks.length) {
    const [r] = await queryJson(conn, `SELECT ${checks.map((k, i) => `CAST(coalesce(${k.sql}, false) AS INTEGER) AS "k${i}"`).join(', ')} FROM ${view}`);
    checks.forEach((k, i) => k.then(Number(r[`k${i}`] ?? 0)));
  }
  return out;
}
