import { sqlString, withDuck } from '../duck.js';
import type { ColumnInfo } from '../ingest/read-table.js';
import { profileTable } from '../profile/profile-table.js';
import { suggestFacts } from './suggest-facts.js';
import { suggestSteps, type Recommendation, type Suggestion } from './suggest.js';

/** What `GET /datasets/:id/suggestions` answers, and how the figures were obtained. */
export interface TableSuggestions {
  steps: Suggestion[];
  recommendations: Recommendation[];
  /** Where the figures come from: a profile over every row of the dataset's normalised copy. */
  basis: { rows: number; cols: number; profiled: 'all_rows' };
}

/**
 * Profiles a normalised Parquet table (the EDA profile, every row), measures the extra facts, and proposes steps.
 * CPU-bound for large tables: callers run it in a worker thread (analysis/pipeline/suggest-pool.ts).
 */
export async function suggestForTable(parquetPath: string, columns: ColumnInfo[], opts: { target?: string; signal?: AbortSignal } = {}): Promise<TableSuggestions> {
  const eda = await profileTable(parquetPath, columns, { done: [], signal: opts.signal, target: opts.target });
  const facts = await withDuck(async (conn) => {
    await conn.run(`CREATE VIEW t AS SELECT * FROM read_parquet(${sqlString(parquetPath)})`);
    return suggestFacts(conn, 't', columns);
  }, { signal: opts.signal });
  const { steps, recommendations } = suggestSteps(eda, facts, { target: opts.target });
  return { steps, recommendations, basis: { rows: eda.dataset.rows, cols: eda.dataset.cols, profiled: 'all_rows' } };
}
