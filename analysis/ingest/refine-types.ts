import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson, sqlIdent, sqlString } from '../duck.js';
import type { ColumnType } from './column-types.js';
import { detectDates } from './dates.js';

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
  /** For yes/no words read as booleans: the commonest spelling of each, so labels go back as the user wrote them. */
  labels?: { true: string; false: string };
  /** Set when the user's type failed on some values, so the column was kept as read. */
  warning?: { failed: number; examples: string[] };
}

const NUMBER_RE = String.raw`\s*[-+]?[$€£¥]?\s*[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*%?\s*`;
/** European numbers: dots (or spaces) between thousands, a decimal comma (`1.234,56`, `2,5`). */
const EU_NUMBER_RE = String.raw`\s*[-+]?[$€£¥]?\s*[-+]?(\d{1,3}([. ]\d{3})+|\d+)(,\d+)?\s*[$€£¥%]?\s*`;
const DECORATED_RE = String.raw`[$€£¥%]|\d,\d{3}`;
const BOOL_TRUE = ['true', 't', 'yes', 'y'], BOOL_FALSE = ['false', 'f', 'no', 'n'];
const EPOCH_NAME = /(^|_)(time|timestamp|date|datetime|epoch|unix|ts|created|updated|modified)(_|$)|_at$/i;
/** Seconds and milliseconds since 1970 that fall between 2001 and 2039: plausible timestamps. */
const EPOCH_S = [1e9, 2.2e9], EPOCH_MS = [1e12, 2.2e12];
const SAMPLE_ROWS = 5_000;

const boolExpr = (c: string) => `CASE WHEN lower(trim(${c})) IN (${BOOL_TRUE.map(sqlString).join(', ')}) THEN true WHEN lower(trim(${c})) IN (${BOOL_FALSE.map(sqlString).join(', ')}) THEN false END`;
const numberExpr = (c: string, integer: boolean) => `TRY_CAST(regexp_replace(${c}, '[\\s$€£¥%,]', '', 'g') AS ${integer ? 'BIGINT' : 'DOUBLE'})`;
const euNumberExpr = (c: string, integer: boolean) =>
  `TRY_CAST(replace(regexp_replace(${c}, '[\\s$€£¥%.]', '', 'g'), ',', '.') AS ${integer ? 'BIGINT' : 'DOUBLE'})`;
/** Whole numbers only: 3.5 is not an integer, so it fails instead of being rounded. */
const wholeExpr = (x: string) => `CASE WHEN (${x}) = round(${x}) THEN TRY_CAST(${x} AS BIGINT) END`;

/** The expression for a column the user typed explicitly (`options.column_types`); values that do not convert become NULL (then checked). */
async function overrideExpr(conn: DuckDBConnection, view: string, name: string, storage: string, type: ColumnType): Promise<string> {
  const c = sqlIdent(name);
  const text = storage === 'VARCHAR';
  switch (type) {
    case 'integer': return wholeExpr(text ? numberExpr(c, false) : `TRY_CAST(${c} AS DOUBLE)`);
    case 'float': return text ? numberExpr(c, false) : `TRY_CAST(${c} AS DOUBLE)`;
    case 'boolean': return text ? boolExpr(c) : `TRY_CAST(${c} AS BOOLEAN)`;
    case 'datetime': return (text ? (await detectDates(conn, view, [name], SAMPLE_ROWS, { partial: true })).get(name)?.expr : undefined) ?? `TRY_CAST(${text ? `trim(${c})` : c} AS TIMESTAMP)`;
    default: return `CAST(${c} AS VARCHAR)`;
  }
}

/**
 * Applies the user's types (`column_types`) where every non-empty value converts; a column where some do not
 * keeps its values as read, with a warning counting the failures and quoting three of them.
 */
async function applyOverrides(conn: DuckDBConnection, view: string, schema: { name: string; type: string }[],
  overrides: Record<string, ColumnType>, out: Map<string, Refinement>): Promise<void> {
  const typed = schema.filter((s) => overrides[s.name]);
  if (!typed.length) return;
  const exprs = await Promise.all(typed.map((s) => overrideExpr(conn, view, s.name, s.type, overrides[s.name])));
  const counts = typed.flatMap((s, i) => [`count(${sqlIdent(s.name)}) AS "n${i}"`, `count_if(${sqlIdent(s.name)} IS NOT NULL AND (${exprs[i]}) IS NULL) AS "f${i}"`]);
  const [r] = await queryJson(conn, `SELECT ${counts.join(', ')} FROM ${view}`);
  for (const [i, s] of typed.entries()) {
    const t = overrides[s.name], c = sqlIdent(s.name), failed = Number(r[`f${i}`]);
    if (!failed) {
      out.set(s.name, { expr: exprs[i], type: t, note: `'${s.name}' read as ${t}, as the run's column_types asked.` });
      continue;
    }
    // The first distinct failures in file order (DuckDB keeps insertion order for a plain LIMIT).
    const rows = await queryJson(conn, `SELECT CAST(${c} AS VARCHAR) AS v FROM ${view} WHERE ${c} IS NOT NULL AND (${exprs[i]}) IS NULL LIMIT 1000`);
    const examples = [...new Set(rows.map((x) => String(x.v)))].slice(0, 3);
    out.set(s.name, { expr: c, warning: { failed, examples },
      note: `'${s.name}' was kept as it was: column_types asked for ${t}, but ${failed.toLocaleString('en-US')} of ${Number(r[`n${i}`]).toLocaleString('en-US')} values do not read as ${t} (e.g. ${examples.map((e) => `'${e}'`).join(', ')}).` });
  }
}

/**
 * Looks past DuckDB's storage types: text holding numbers with currency, percent signs or thousands
 * separators (US or European), yes/no booleans, dates (ISO 8601, numeric day/month orders decided per column,
 * month names: see `detectDates`), epoch seconds or milliseconds in time-named columns, and 0/1 integers.
 * Checks a sample first, then confirms each candidate on every row. `overrides` (the user's types) win
 * wherever every value converts.
 * @returns how to read each column (identity for the untouched ones)
 */
export async function refineTypes(conn: DuckDBConnection, view: string, schema: { name: string; type: string }[],
  overrides: Record<string, ColumnType> = {}): Promise<Map<string, Refinement>> {
  const out = new Map<string, Refinement>(schema.map((s) => [s.name, { expr: sqlIdent(s.name) }]));
  await applyOverrides(conn, view, schema, overrides, out);
  const open = schema.filter((s) => !overrides[s.name]);
  const text = open.filter((s) => s.type === 'VARCHAR');
  const ints = open.filter((s) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(s.type));
  const epochs = open.filter((s) => /INT|DOUBLE|FLOAT|DECIMAL/.test(s.type) && EPOCH_NAME.test(s.name));
  if (text.length + ints.length + epochs.length === 0) return out;

  // 1. A sample says which reading each column could have: cheap facts first; date styles only for
  // columns whose every value has a digit and that are not plain numbers.
  const sample = `(SELECT * FROM ${view} LIMIT ${SAMPLE_ROWS})`;
  const facts = text.flatMap((s, i) => {
    const c = sqlIdent(s.name);
    return [`count(${c}) AS "nn${i}"`, `count_if(regexp_matches(${c}, '[0-9]')) AS "dig${i}"`, `count_if(regexp_full_match(${c}, ${sqlString(NUMBER_RE)})) AS "num${i}"`,
      `count_if(regexp_full_match(${c}, ${sqlString(EU_NUMBER_RE)})) AS "eu${i}"`, `count_if(contains(${c}, ',')) AS "comma${i}"`,
      `count_if(regexp_matches(${c}, ${sqlString(DECORATED_RE)})) AS "dec${i}"`, `count_if(${boolExpr(c)} IS NOT NULL) AS "bool${i}"`];
  });
  const [p] = text.length ? await queryJson(conn, `SELECT ${facts.join(', ')} FROM ${sample}`) : [{}];
  const n = (k: string) => Number(p[k] ?? 0);
  const datable = text.filter((_, i) => n(`nn${i}`) > 0 && n(`dig${i}`) === n(`nn${i}`) && n(`num${i}`) < n(`nn${i}`) && n(`eu${i}`) < n(`nn${i}`));
  const dates = await detectDates(conn, view, datable.map((s) => s.name), SAMPLE_ROWS);

  // 2. Every row confirms the candidates (one scan for all columns).
  const checks: { sql: string; then: (code: number) => void }[] = [];
  text.forEach((s, i) => {
    const c = sqlIdent(s.name), nn = n(`nn${i}`);
    if (nn === 0) return;
    const date = dates.get(s.name);
    if (date) {
      out.set(s.name, { expr: date.expr, type: 'datetime', note: date.note, ...(date.textDates ? { textDates: true } : {}) });
    } else if (n(`num${i}`) === nn && n(`dec${i}`) > 0) {
      // 0: not all numbers after all; 1: numbers with decimals; 2: whole numbers.
      checks.push({ sql: `CASE WHEN count_if(regexp_full_match(${c}, ${sqlString(NUMBER_RE)})) < count(${c}) THEN 0 WHEN count_if(contains(${c}, '.')) > 0 THEN 1 ELSE 2 END`,
        then: (code) => {
          if (code) out.set(s.name, { expr: numberExpr(c, code === 2), type: code === 2 ? 'integer' : 'float', note: `'${s.name}' holds numbers written with currency, percent signs or thousands separators; read as numbers.` });
        } });
    } else if (n(`num${i}`) < nn && n(`eu${i}`) === nn && n(`comma${i}`) > 0) {
      checks.push({ sql: `CASE WHEN count_if(regexp_full_match(${c}, ${sqlString(EU_NUMBER_RE)})) < count(${c}) THEN 0 WHEN count_if(contains(${c}, ',')) > 0 THEN 1 ELSE 2 END`,
        then: (code) => {
          if (code) out.set(s.name, { expr: euNumberExpr(c, code === 2), type: code === 2 ? 'integer' : 'float', note: `'${s.name}' holds numbers written with a decimal comma (1.234,56); read as numbers.` });
        } });
    } else if (n(`bool${i}`) === nn) {
      checks.push({ sql: `count_if(${boolExpr(c)} IS NOT NULL) = count(${c})`, then: (ok) => {
        if (ok) out.set(s.name, { expr: boolExpr(c), type: 'boolean', note: `'${s.name}' holds yes/no or true/false words; read as booleans.` });
      } });
    } else if (n(`num${i}`) >= nn * 0.5) {
      out.set(s.name, { ...out.get(s.name)!, numericShare: n(`num${i}`) / nn });
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
  await boolLabels(conn, view, text.filter((s) => out.get(s.name)!.type === 'boolean'), out);
  return out;
}

/** The commonest spelling of true and of false in each yes/no column read as booleans (one query for them all). */
async function boolLabels(conn: DuckDBConnection, view: string, cols: { name: string }[], out: Map<string, Refinement>): Promise<void> {
  if (!cols.length) return;
  const parts = cols.map((s, i) => {
    const c = sqlIdent(s.name);
    return `SELECT ${i} AS k, ${boolExpr(c)} AS b, trim(${c}) AS w, count(*) AS n FROM ${view} WHERE ${c} IS NOT NULL GROUP BY ALL`;
  });
  const rows = await queryJson(conn, `SELECT k, b, w FROM (${parts.join(' UNION ALL ')}) QUALIFY row_number() OVER (PARTITION BY k, b ORDER BY n DESC, w) = 1`);
  cols.forEach((s, i) => {
    const word = (b: boolean) => rows.find((r) => Number(r.k) === i && r.b === b)?.w;
    const t = word(true), f = word(false);
    if (typeof t !== 'string' || typeof f !== 'string') return;
    const r = { ...out.get(s.name)!, labels: { true: t, false: f } };
    // true/false read as booleans is no news (DuckDB's own reading); yes/no and the like is said.
    if (t.toLowerCase() === 'true' && f.toLowerCase() === 'false') delete r.note;
    out.set(s.name, r);
  });
}
