import { sqlString, withDuck } from '../duck.js';
import { toJsonValue } from '../ingest/read-table.js';

/** A column-major table in memory, as the model engine wants it. */
export interface Frame { rows: number; columns: Record<string, unknown[]> }

/**
 * Loads a Parquet table into memory, sampling `sampleRows` rows reproducibly when the table is larger.
 * @example const { frame, sampled } = await loadFrame('/tmp/x.parquet', ['a', 'b'], { sampleRows: 100_000, seed: 7 });
 */
export async function loadFrame(parquetPath: string, columns: string[], opts: { sampleRows: number; seed: number }):
  Promise<{ frame: Frame; totalRows: number; sampled: boolean }> {
  return withDuck(async (conn) => {
    const src = `read_parquet(${sqlString(parquetPath)})`;
    const total = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${src}`)).getRowsJS()[0][0]);
    const sampled = total > opts.sampleRows;
    const sample = sampled ? ` USING SAMPLE reservoir(${Math.floor(opts.sampleRows)} ROWS) REPEATABLE (${opts.seed})` : '';
    const cols = columns.map((c) => `"${c.replaceAll('"', '""')}"`).join(', ');
    const reader = await conn.runAndReadAll(`SELECT ${cols} FROM ${src}${sample}`);
    const data = reader.getColumnsJS();
    const frame: Frame = { rows: reader.currentRowCount, columns: {} };
    columns.forEach((c, i) => { frame.columns[c] = data[i].map(toJsonValue); });
    return { frame, totalRows: total, sampled };
  });
}
