import type { DuckDBConnection } from '@duckdb/node-api';
import { queryJson, sqlIdent, sqlString, withDuck } from '../duck.js';
import { planCapOutliers } from './cap-outliers.js';
import { planDeduplicate } from './deduplicate.js';
import { planDropColumn } from './drop-column.js';
import { planEncodeRare } from './encode-rare.js';
import { planImpute } from './impute.js';
import { planLogTransform } from './log-transform.js';
import { planParseDates } from './parse-dates.js';
import { ROW, scalar, type StepContext, type StepPlan } from './step-context.js';
import type { PipelineStep, StepEffect } from './steps.js';
import { checkSteps, type SchemaColumn } from './validate.js';

export interface ApplyOptions {
  /** Aborting interrupts the running statement (a cancelled activity frees its CPU). */
  signal?: AbortSignal;
  /** Told after each step, with its effect (the activity logs and heartbeats it). */
  onStep?: (effect: StepEffect, total: number) => Promise<void> | void;
  memoryLimit?: string;
}

export interface ApplyResult { rows: number; cols: number; effects: StepEffect[] }

const plan = (ctx: StepContext, step: PipelineStep, columns: string[]): Promise<StepPlan> => {
  switch (step.step) {
    case 'impute': return planImpute(ctx, step);
    case 'drop_column': return planDropColumn(ctx, step);
    case 'cap_outliers': return planCapOutliers(ctx, step);
    case 'log_transform': return planLogTransform(ctx, step);
    case 'parse_dates': return planParseDates(ctx, step);
    case 'deduplicate': return planDeduplicate(ctx, step, columns);
    case 'encode_rare': return planEncodeRare(ctx, step);
  }
};

/** Steps kept as views before the chain is materialised (each later query re-evaluates the views' expressions). */
const MAX_VIEW_DEPTH = 6;

const isNumberType = (t: string) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL)/.test(t);

/** Column names and storage types of a table, in order, without the hidden row number. */
async function describe(conn: DuckDBConnection, table: string): Promise<{ name: string; type: string }[]> {
  const rows = await queryJson(conn, `SELECT column_name AS name, column_type AS type FROM (DESCRIBE ${table})`);
  return rows.map((r) => ({ name: String(r.name), type: String(r.type) })).filter((c) => c.name !== ROW);
}

/**
 * Applies preprocessing steps, in order, to a Parquet table with DuckDB and writes the result as Parquet, rows in
 * their original order. Each step's effect is measured on the table before and after it: rows, columns added,
 * removed and changed, and cells whose value differs (row by row: numbers as numbers, the rest as text).
 * @param columns the table's columns with their semantic types (the manifest's), to check the steps against first
 * @throws StepProblem when a step does not fit the table; DataError when the data defeats one (no value to impute…)
 * @example const { effects } = await applyPipeline('in.parquet', 'out.parquet', manifest.columns, steps);
 */
export async function applyPipeline(parquetIn: string, parquetOut: string, columns: readonly SchemaColumn[], steps: readonly PipelineStep[], opts: ApplyOptions = {}): Promise<ApplyResult> {
  checkSteps(columns, steps);
  return withDuck(async (conn) => {
    await conn.run(`CREATE TABLE t0 AS SELECT * EXCLUDE (file_row_number), file_row_number AS ${sqlIdent(ROW)} FROM read_parquet(${sqlString(parquetIn)}, file_row_number = true)`);
    let table = 't0';
    let schema = await describe(conn, table);
    let rows = (await scalar(conn, `SELECT count(*) FROM ${table}`)) ?? 0;
    const effects: StepEffect[] = [];
    let depth = 0;
    for (const [index, step] of steps.entries()) {
      const started = Date.now();
      const ctx: StepContext = { conn, table, index, storageType: (name) => schema.find((c) => c.name === name)?.type ?? 'VARCHAR' };
      const p = await plan(ctx, step, schema.map((c) => c.name));
      // Steps are views over the table before them: a column's rewrite is not worth copying every column for.
      // Row-removing steps, and every MAX_VIEW_DEPTH steps, are materialised so later queries do not redo them.
      const select = p.kind === 'replace' ? `SELECT * REPLACE (${p.expr} AS ${sqlIdent(p.column)}) FROM ${table}` : p.select;
      const materialise = (p.kind === 'select' && p.rowsChange) || ++depth >= MAX_VIEW_DEPTH;
      const next = `t${index + 1}`;
      await conn.run(`CREATE ${materialise ? 'TABLE' : 'VIEW'} ${next} AS ${select}`);
      if (materialise) depth = 0;
      const after = await describe(conn, next);
      const rowsAfter = p.kind === 'select' && p.rowsChange ? (await scalar(conn, `SELECT count(*) FROM ${next}`)) ?? 0 : rows;
      let changed = 0;
      if (p.kind === 'replace') {
        // Numbers compare as numbers (an integer 0 made the double 0 is unchanged); anything else as text.
        const before = schema.find((c) => c.name === p.column)!.type, now = after.find((c) => c.name === p.column)!.type;
        const as = isNumberType(before) && isNumberType(now) ? 'DOUBLE' : 'VARCHAR';
        changed = (await scalar(conn, `SELECT count_if((${sqlIdent(p.column)})::${as} IS DISTINCT FROM (${p.expr})::${as}) FROM ${table}`)) ?? 0;
      }
      const typeChanged = after.filter((c) => schema.some((o) => o.name === c.name && o.type !== c.type)).map((c) => c.name);
      const effect: StepEffect = {
        index, step: step.step, column: 'column' in step ? step.column : null, rows_before: rows, rows_after: rowsAfter,
        columns_added: after.filter((c) => !schema.some((o) => o.name === c.name)).map((c) => c.name),
        columns_removed: schema.filter((o) => !after.some((c) => c.name === o.name)).map((c) => c.name),
        columns_changed: [...new Set([...typeChanged, ...(changed > 0 && p.kind === 'replace' ? [p.column] : [])])],
        values_changed: changed, note: p.note, ms: Date.now() - started,
      };
      effects.push(effect);
      table = next;
      schema = after;
      rows = rowsAfter;
      await opts.onStep?.(effect, steps.length);
    }
    await conn.run(`COPY (SELECT * EXCLUDE (${sqlIdent(ROW)}) FROM ${table} ORDER BY ${sqlIdent(ROW)}) TO ${sqlString(parquetOut)} (FORMAT parquet, COMPRESSION zstd)`);
    return { rows, cols: schema.length, effects };
  }, { signal: opts.signal, memoryLimit: opts.memoryLimit });
}
