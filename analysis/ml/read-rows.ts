import { DataError } from '../errors.js';
import { queryJson, sqlString, withDuck } from '../duck.js';

/** Rows a prediction request may carry, in JSON or CSV. */
export const MAX_PREDICT_ROWS = 100_000;

/**
 * Reads a CSV of rows to score: header row, delimiter sniffed, every value as text (the model's schema
 * decides types, as for JSON rows).
 * @throws DataError when the file is not a readable table or has too many rows
 */
export async function readCsvRows(file: string): Promise<Record<string, unknown>[]> {
  return withDuck(async (conn) => {
    let rows: Record<string, unknown>[];
    try {
      rows = await queryJson(conn, `SELECT * FROM read_csv(${sqlString(file)}, all_varchar = true, header = true) LIMIT ${MAX_PREDICT_ROWS + 1}`);
    } catch (err) {
      throw new DataError('UNPROCESSABLE_DATASET', `The CSV could not be read: ${(err as Error).message.split('\n')[0]}`);
    }
    if (rows.length === 0) throw new DataError('UNPROCESSABLE_DATASET', 'The CSV has a header but no rows to predict.');
    if (rows.length > MAX_PREDICT_ROWS) throw new DataError('UNPROCESSABLE_DATASET', `The CSV has more than ${MAX_PREDICT_ROWS} rows; send them in several requests.`);
    return rows;
  });
}
