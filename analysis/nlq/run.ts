import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { sqlIdent, sqlString, withDuck } from '../duck.js';
import { cleanMessage } from '../ingest/clean-message.js';
import { chartFor } from './chart.js';
import { compilePoints, compileQuery, TABLE, type Param } from './compile.js';
import { NlqError, type NlqErrorKind } from './errors.js';
import { interpret } from './interpret.js';
import { withIgnored } from './ignored.js';
import { readQuestionNoted } from './parse.js';
import { isDate, type NlqColumn, type QueryForm } from './query.js';
import { resolveQuery } from './resolve.js';

/**
 * The reader's version: part of the key under which a dataset's common values are cached, so a reader that looks
 * at them differently never reuses what an older one gathered.
 */
export const READER_VERSION = 2;

/** Common values kept per categorical column for matching words in questions. */
const CATEGORIES_PER_COLUMN = 100;
/** Categorical columns whose values are looked up (the first ones; wider tables match values in these only). */
const CATEGORY_COLUMNS = 60;

/** What one question needs: the Parquet copy on local disk, its columns, and the question or a ready query form. */
export interface AskInput {
  parquet: string;
  columns: NlqColumn[];
  /** The question in words (the reader reads it), or… */
  question?: string;
  /** …a query form from elsewhere (an LLM), validated here before it runs. */
  query?: unknown;
  /** Wall-clock limit for the queries, after which they are interrupted. */
  timeoutMs: number;
  /** Words naming the dataset's rows (from its name: `cars`), which the reader counts as understood. */
  subject?: string[];
  /** The columns with their common values and date spans from an earlier question (`AskAnswer.context`): not looked up again. */
  context?: NlqColumn[];
}

/** An answer: what was understood, the SQL that ran and its parameters, the rows and a chart. */
export interface AskAnswer {
  kind: 'answer';
  query: QueryForm;
  interpretation: string;
  sql: string;
  params: Param[];
  columns: string[];
  rows: Record<string, unknown>[];
  chart: Record<string, unknown> | null;
  /** Words of the question the reader did not understand (also named in `interpretation`). */
  ignored_words: string[];
  /** The columns with their common values and date spans, for the caller to cache (see `AskInput.context`). */
  context: NlqColumn[];
}
/** A question not answered, with the columns (and their common values) an LLM could be shown. */
export interface AskRefusal {
  kind: 'refused';
  error: { kind: NlqErrorKind | 'timeout'; message: string; details: Record<string, unknown> };
  columns: NlqColumn[];
  /** `columns` with their common values, when they were gathered before the refusal (for the caller to cache). */
  context?: NlqColumn[];
}

/** Large integers and decimals come out of DuckDB as strings: numbers when they fit a double exactly enough. */
function numbersBack(rows: Record<string, unknown>[], types: string[], names: string[]): Record<string, unknown>[] {
  const wide = names.filter((_, i) => /^(BIGINT|HUGEINT|UBIGINT|UHUGEINT|DECIMAL)/.test(types[i]));
  if (!wide.length) return rows;
  for (const r of rows) for (const n of wide) if (typeof r[n] === 'string' && Number.isFinite(Number(r[n])) && Math.abs(Number(r[n])) <= Number.MAX_SAFE_INTEGER) r[n] = Number(r[n]);
  return rows;
}

async function runSql(conn: DuckDBConnection, sql: string, params: Param[]) {
  const reader = await conn.runAndReadAll(sql, params as DuckDBValue[]);
  const names = reader.columnNames();
  return { names, rows: numbersBack(reader.getRowObjectsJson() as Record<string, unknown>[], reader.columnTypes().map(String), names) };
}

/** Adds the common values of categorical columns and the span of date columns, for matching words and picking periods. */
async function withContext(conn: DuckDBConnection, columns: NlqColumn[]): Promise<NlqColumn[]> {
  const out = columns.map((c) => ({ ...c }));
  const cats = out.filter((c) => c.type === 'categorical' || c.type === 'boolean').slice(0, CATEGORY_COLUMNS);
  for (const c of cats) {
    const { rows } = await runSql(conn, `SELECT CAST(${sqlIdent(c.name)} AS VARCHAR) AS v FROM ${TABLE} WHERE ${sqlIdent(c.name)} IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ${CATEGORIES_PER_COLUMN}`, []);
    c.categories = rows.map((r) => String(r.v));
  }
  const dates = out.filter(isDate);
  if (dates.length) {
    const sel = dates.map((c, i) => `CAST(min(${sqlIdent(c.name)}) AS VARCHAR) AS "min${i}", CAST(max(${sqlIdent(c.name)}) AS VARCHAR) AS "max${i}"`).join(', ');
    const [r] = (await runSql(conn, `SELECT ${sel} FROM ${TABLE}`, [])).rows;
    dates.forEach((c, i) => { if (r[`min${i}`] != null) c.range = { min: String(r[`min${i}`]), max: String(r[`max${i}`]) }; });
  }
  return out;
}

/**
 * Answers one question over a dataset's Parquet copy, in DuckDB (one thread, 512 MB, interrupted past
 * `timeoutMs`): reads the question (or validates the given query form), compiles it with bound parameters, runs
 * it, and adds an interpretation and a chart. Meant to run in a worker thread, never on the API's event loop.
 * @example await askDataset({ parquet: '/tmp/x/data.parquet', columns, question: 'average price by city', timeoutMs: 20_000 })
 */
export async function askDataset(input: AskInput, signal?: AbortSignal): Promise<AskAnswer | AskRefusal> {
  const timeout = AbortSignal.timeout(input.timeoutMs);
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let columns = input.columns;
  let context: NlqColumn[] | undefined;
  try {
    return await withDuck(async (conn) => {
      await conn.run(`CREATE VIEW ${TABLE} AS SELECT * FROM read_parquet(${sqlString(input.parquet)})`);
      columns = context = input.context ?? await withContext(conn, input.columns);
      const read = input.query === undefined ? readQuestionNoted(input.question ?? '', columns, input.subject) : { query: input.query, ignored: [] };
      const query = resolveQuery(read.query, columns);
      const compiled = compileQuery(query, columns);
      const answer = await runSql(conn, compiled.sql, compiled.params);
      const pointsSql = compilePoints(query, columns);
      const points = pointsSql ? (await runSql(conn, pointsSql.sql, pointsSql.params)).rows : [];
      const interpretation = withIgnored(interpret(query), query, read.ignored);
      return {
        kind: 'answer' as const, query, interpretation, sql: compiled.sql, params: compiled.params, columns: answer.names, rows: answer.rows,
        chart: chartFor(query, answer.rows, input.question ?? interpretation, points), ignored_words: read.ignored, context: columns,
      };
    }, { memoryLimit: '512MB', threads: 1, signal: both });
  } catch (err) {
    if (err instanceof NlqError) return { kind: 'refused', error: { kind: err.kind, message: err.message, details: err.details }, columns, context };
    if (timeout.aborted && !signal?.aborted) {
      const s = Math.round(input.timeoutMs / 1000);
      return { kind: 'refused', error: { kind: 'timeout', message: `Answering took longer than ${s} s, the limit for one question (NLQ_TIMEOUT_S); ask about fewer rows (add a filter) or a simpler question.`, details: { max_s: s } }, columns, context };
    }
    // A value DuckDB cannot use as asked (a date like 2024-02-30, a number too large): the question's fault, said so.
    const text = err instanceof Error ? err.message : String(err);
    if (!signal?.aborted && /(Conversion|Binder|Invalid Input|Out of Range|Parser) Error/i.test(text)) {
      const first = cleanMessage(text.split('\n')[0]).slice(0, 300);
      return { kind: 'refused', error: { kind: 'invalid_query', message: `The question could not be answered as read: ${first}`, details: {} }, columns, context };
    }
    throw err;
  }
}
