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

const isNumberType = (t: string) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL)/.test(t);

/** Column names and storage types of a table, in order, without the hidden row number. */
async function describe(conn: DuckDBConnection, table: string): Promise<{ name: string; type: string }[]> {
  const rows = await queryJson(conn, `SELECT column_name AS name, column_type AS type FROM (DESCRIBE ${table})`);
  return rows.map((r) => ({ name: String(r.name), type: String(r.type) })).filter((c) => c.name !== ROW);
}

/**
 * Applies preprocessing steps, in order, to a Parquet table with DuckDB and writes the result as Parquet, rows in
 * their original order. Each step's effect is measured on the table before and after it: rows, columns added,
 * removed and changed, and cells whose value differs (compared as text, row by row).
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
    for (const [index, step] of steps.entries()) {
      const started = Date.now();
      const ctx: StepContext = { conn, table, index, storageType: (name) => schema.find((c) => c.name === name)?.type ?? 'VARCHAR' };
      const p = await plan(ctx, step, schema.map((c) => c.name));
      const next = `t${index + 1}`;
      await conn.run(`CREATE TABLE ${next} AS ${p.select}`);
      const after = await describe(conn, next);
      const rowsAfter = (await scalar(conn, `SELECT count(*) FROM ${next}`)) ?? 0;
      // Cells compared row by row through the hidden row number; a step that removes rows touches no values.
      const kept = p.touched.filter((n) => after.some((c) => c.name === n));
      let changed = 0;
      if (kept.length) {
        // Numbers compare as numbers (an integer 0 made the double 0 is unchanged); anything else as text.
        const as = (n: string) => (isNumberType(schema.find((c) => c.name === n)!.type) && isNumberType(after.find((c) => c.name === n)!.type) ? 'DOUBLE' : 'VARCHAR');
        const diff = kept.map((n) => `count_if(a.${sqlIdent(n)}::${as(n)} IS DISTINCT FROM b.${sqlIdent(n)}::${as(n)})`).join(' + ');
        changed = (await scalar(conn, `SELECT ${diff} FROM ${table} a JOIN ${next} b USING (${sqlIdent(ROW)})`)) ?? 0;
      }
      const typeChanged = after.filter((c) => schema.some((o) => o.name === c.name && o.type !== c.type)).map((c) => c.name);
      const effect: StepEffect = {
        index, step: step.step, column: 'column' in step ? step.column : null, rows_before: rows, rows_after: rowsAfter,
        columns_added: after.filter((c) => !schema.some((o) => o.name === c.name)).map((c) => c.name),
        columns_removed: schema.filter((o) => !after.some((c) => c.name === o.name)).map((c) => c.name),
        columns_changed: [...new Set([...typeChanged, ...(changed > 0 ? kept : [])])],
        values_changed: changed, note: p.note, ms: Date.now() - started,
      };
      effects.push(effect);
      await conn.run(`DROP TABLE ${table}`);
      table = next;
      schema = after;
      rows = rowsAfter;
      await opts.onStep?.(effect, steps.length);
    }
    await conn.run(`COPY (SELECT * EXCLUDE (${sqlIdent(ROW)}) FROM ${table} ORDER BY ${sqlIdent(ROW)}) TO ${sqlString(parquetOut)} (FORMAT parquet, COMPRESSION zstd)`);
    return { rows, cols: schema.length, effects };
  }, { signal: opts.signal, memoryLimit: opts.memoryLimit });
}
