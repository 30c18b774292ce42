import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson, sqlIdent, sqlString } from '../duck.js';

/** One way of writing dates in text: the shape of its values, and the strptime forms that read them. */
interface DateStyle {
  /** How the manifest names the style (numeric day/month styles name their form and the evidence instead). */
  label?: string;
  /** RE2 pattern every trimmed value of the style matches (cheap, so tried on the sample before any parse). */
  shape: string;
  /** Forms read month first (or the only forms); with `dayFirst`, the same dates read day first. */
  forms: string[];
  dayFirst?: string[];
  /** Which order an undecided column takes (dotted dates are European; slashes and dashes American). */
  assumeDayFirst?: boolean;
}

const TIME = String.raw`( \d{1,2}:\d{2}(:\d{2})?)?`;
const withTimes = (d: string) => [d, `${d} %H:%M`, `${d} %H:%M:%S`];
/** Every date form first, then the same with times: most columns have no time, and the first form that parses wins. */
const timed = (dates: string[]) => [...dates, ...dates.flatMap((d) => withTimes(d).slice(1))];
const numeric = (sep: string, assumeDayFirst: boolean): DateStyle => ({
  shape: [String.raw`\d{1,2}`, String.raw`\d{1,2}`, String.raw`\d{4}`].join(`\\${sep}`) + TIME,
  forms: withTimes(`%m${sep}%d${sep}%Y`), dayFirst: withTimes(`%d${sep}%m${sep}%Y`), assumeDayFirst,
});

/** ISO 8601 (`2000-01-01`, `2000-01-01 12:00`, `2000-01-01T12:00:00Z`, `…+02:00`): DuckDB's own cast reads it. */
const ISO_SHAPE = String.raw`\d{4}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?`;
/** A zone after a time (never the day of a plain `2000-01-01`). */
const ZONE = String.raw`\d:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$`;

/**
 * The date styles read from text, besides ISO 8601. Numeric day/month styles are decided per column from
 * evidence: a first part above 12 proves day first, a second part above 12 month first.
 */
export const DATE_STYLES: readonly DateStyle[] = [
  numeric('/', false), numeric('-', false), numeric('.', true),
  { label: '%Y/%m/%d', shape: String.raw`\d{4}/\d{1,2}/\d{1,2}${TIME}`, forms: withTimes('%Y/%m/%d') },
  { label: 'month name first, as Jan 1 2000 or January 1, 2000', shape: String.raw`[A-Za-z]{3,9} \d{1,2},? \d{4}${TIME}`,
    forms: timed(['%b %d %Y', '%b %d, %Y', '%B %d %Y', '%B %d, %Y']) },
  { label: 'day first with a month name, as 1 Jan 2000 or 1-Jan-2000', shape: String.raw`\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{4}${TIME}`,
    forms: timed(['%d %b %Y', '%d %B %Y', '%d-%b-%Y', '%d-%B-%Y']) },
];

/** How a text column reads as dates, and the sentence the manifest gives about it. */
export interface DateReading {
  expr: string;
  note: string;
  /** False for ISO 8601, which is the ordinary way to write dates in text. */
  textDates: boolean;
  /** True when no value settled day/month order and the style's default was assumed. */
  ambiguous?: boolean;
}

const formList = (forms: string[]) => `[${forms.map(sqlString).join(', ')}]`;
const parse = (c: string, forms: string[]) => `try_strptime(trim(${c}), ${formList(forms)})`;

/** The SQL reading one column as ISO 8601: zoned values become UTC, unzoned ones stay as written. */
function isoExpr(c: string, zoned: boolean, timed: boolean): string {
  const t = `trim(${c})`;
  if (!timed) return `TRY_CAST(${t} AS DATE)`;
  if (!zoned) return `TRY_CAST(${t} AS TIMESTAMP)`;
  return `CASE WHEN regexp_matches(${t}, ${sqlString(ZONE)}) THEN TRY_CAST(${t} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' ELSE TRY_CAST(${t} AS TIMESTAMP) END`;
}

/**
 * Finds the text columns holding dates, one style per column: the shapes are matched on the first `sampleRows`
 * rows, then one pass over every row parses the candidates (both orders for numeric day/month styles) and
 * settles each column. A column is dates only when every non-empty value parses; with `partial` (a user's
 * datetime type, checked afterwards) the style most values take is chosen, so only the odd values fail.
 * @returns the reading of each column found to hold dates
 */
export async function detectDates(conn: DuckDBConnection, view: string, columns: string[], sampleRows: number,
  { partial = false }: { partial?: boolean } = {}): Promise<Map<string, DateReading>> {
  const out = new Map<string, DateReading>();
  if (!columns.length) return out;
  const shapes = [ISO_SHAPE, ...DATE_STYLES.map((s) => s.shape)];
  const probes = columns.flatMap((name, i) => {
    const c = `trim(${sqlIdent(name)})`;
    return [`count(${sqlIdent(name)}) AS "n${i}"`, ...shapes.map((re, k) => `count_if(regexp_full_match(${c}, ${sqlString(re)})) AS "s${i}_${k}"`)];
  });
  const [p] = await queryJson(conn, `SELECT ${probes.join(', ')} FROM (SELECT * FROM ${view} LIMIT ${sampleRows})`);
  const picked = columns.flatMap((name, i) => {
    const n = Number(p[`n${i}`]);
    const hits = shapes.map((_, j) => Number(p[`s${i}_${j}`]));
    const k = partial ? hits.indexOf(Math.max(...hits)) : hits.findIndex((h) => n > 0 && h === n);
    return k < 0 || hits[k] === 0 ? [] : [{ name, i, k }];
  });
  if (!picked.length) return out;

  const checks = picked.flatMap(({ name, i, k }) => {
    const c = sqlIdent(name);
    const facts = [`count(${c}) AS "n${i}"`, `count_if(contains(${c}, ':')) AS "t${i}"`];
    if (k === 0) return [...facts, `count_if(${isoExpr(c, true, true)} IS NOT NULL) AS "a${i}"`, `count_if(regexp_matches(trim(${c}), ${sqlString(ZONE)})) AS "z${i}"`];
    const style = DATE_STYLES[k - 1];
    return [...facts, `count_if(${parse(c, style.forms)} IS NOT NULL) AS "a${i}"`, ...(style.dayFirst ? [`count_if(${parse(c, style.dayFirst)} IS NOT NULL) AS "b${i}"`] : [])];
  });
  const [r] = await queryJson(conn, `SELECT ${checks.join(', ')} FROM ${view}`);
  for (const { name, i, k } of picked) {
    const c = sqlIdent(name);
    const n = Number(r[`n${i}`]), timed = Number(r[`t${i}`]) > 0, na = Number(r[`a${i}`]), nb = Number(r[`b${i}`] ?? 0);
    // Without `partial` a reading must take every value; with it, the order that reads more values wins.
    const a = partial ? na > 0 && na >= nb : na === n;
    const asDate = (e: string) => (timed ? e : `CAST(${e} AS DATE)`);
    if (k === 0) {
      if (!a) continue;
      const zoned = Number(r[`z${i}`]) > 0;
      out.set(name, { expr: isoExpr(c, zoned, timed), textDates: false,
        note: `'${name}' holds ISO 8601 ${timed ? 'timestamps' : 'dates'}${zoned ? '; those with a zone were converted to UTC' : ''}; read as ${timed ? 'timestamps' : 'dates'}.` });
      continue;
    }
    const style = DATE_STYLES[k - 1];
    if (!style.dayFirst) {
      if (a) out.set(name, { expr: asDate(parse(c, style.forms)), textDates: true, note: `'${name}' holds dates written as text (${style.label ?? style.forms[0]}); read as dates.` });
      continue;
    }
    const b = partial ? nb > 0 && nb >= na : nb === n;
    if (!a && !b) continue; // some values only read month first and others only day first (or not at all): left as text
    const dayFirst = a && b ? !!style.assumeDayFirst : b;
    const forms = dayFirst ? style.dayFirst : style.forms;
    const order = dayFirst ? 'day first' : 'month first';
    const why = a && b
      ? `no value settles day/month order (no part above 12), so ${order} was assumed; set column_types or reformat as ISO 8601 (yyyy-mm-dd) if that is wrong`
      : `${order}: some ${dayFirst ? 'first' : 'second'} part is above 12`;
    out.set(name, { expr: asDate(parse(c, forms)), textDates: true, ambiguous: a && b, note: `'${name}' holds dates written as text (${forms[0]}, ${why}); read as dates.` });
  }
  return out;
}
