import { sqlIdent, sqlString, withDuck } from '../duck.js';
import { toJsonValue } from '../ingest/read-table.js';

/** A column-major table in memory, as the model engine wants it. */
export interface Frame { rows: number; columns: Record<string, unknown[]> }

/**
 * Loads a Parquet table into memory, sampling `sampleRows` rows reproducibly when the table is larger.
 * @example const { frame, sampled } = await loadFrame('/tmp/x.parquet', ['a', 'b'], { sampleRows: 100_000, seed: 7 });
 */
export async function loadFrame(parquetPath: string, columns: string[], opts: { sampleRows: number; seed: number; stratifyBy?: string; signal?: AbortSignal }):
  Promise<{ frame: Frame; totalRows: number; sampled: boolean }> {
  return withDuck(async (conn) => {
    const src = `read_parquet(${sqlString(parquetPath)})`;
    const total = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${src}`)).getRowsJS()[0][0]);
    const sampled = total > opts.sampleRows;
    const cols = columns.map(sqlIdent).join(', ');
    let query = `SELECT ${cols} FROM ${src}`;
    if (sampled && opts.stratifyBy) {
      // Stratified: the same share of every class, rows picked by a seeded hash so the sample is reproducible.
      const share = opts.sampleRows / total;
      query = `SELECT ${cols} FROM (SELECT *, row_number() OVER (PARTITION BY ${sqlIdent(opts.stratifyBy)} ORDER BY hash(file_row_number + ${Math.floor(opts.seed)})) AS rn__,
        count(*) OVER (PARTITION BY ${sqlIdent(opts.stratifyBy)}) AS n__ FROM read_parquet(${sqlString(parquetPath)}, file_row_number = true)) WHERE rn__ <= greatest(1, round(n__ * ${share}))`;
    } else if (sampled) {
      query += ` USING SAMPLE reservoir(${Math.floor(opts.sampleRows)} ROWS) REPEATABLE (${opts.seed})`;
    }
    const reader = await conn.runAndReadAll(query);
    const data = reader.getColumnsJS();
    const frame: Frame = { rows: reader.currentRowCount, columns: {} };
    columns.forEach((c, i) => { frame.columns[c] = data[i].map(toJsonValue); });
    return { frame, totalRows: total, sampled };
  }, { signal: opts.signal });
}
