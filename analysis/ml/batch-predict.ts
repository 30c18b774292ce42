import { checkRows, predictRows } from './predict.js';
import type { ModelArtifact } from './train-models.js';
import { DataError } from '../errors.js';

/** One column of a predictions file, with its DuckDB type. */
export interface OutputColumn { name: string; type: 'BIGINT' | 'DOUBLE' | 'VARCHAR' }

/**
 * The columns of a predictions file, in order: `row_number` (1-based data row of the dataset, to join back),
 * `prediction`, one `probability_<class>` per class (classification), and with explanations `base_value`,
 * `explained_class` (classification: the class the contributions explain) and one `shap_<input>` per model input.
 * The fixed names carry no `shap_`/`probability_` prefix, so no class or input name can collide with them.
 */
export function predictionColumns(model: Pick<ModelArtifact, 'task' | 'classes' | 'preprocessing'>, explain: boolean): OutputColumn[] {
  const cols: OutputColumn[] = [{ name: 'row_number', type: 'BIGINT' }, { name: 'prediction', type: model.task === 'regression' ? 'DOUBLE' : 'VARCHAR' }];
  if (model.task !== 'regression') for (const c of model.classes) cols.push({ name: `probability_${c}`, type: 'DOUBLE' });
  if (explain) {
    cols.push({ name: 'base_value', type: 'DOUBLE' });
    if (model.task !== 'regression') cols.push({ name: 'explained_class', type: 'VARCHAR' });
    for (const f of model.preprocessing.inputs) cols.push({ name: `shap_${f.name}`, type: 'DOUBLE' });
  }
  return cols;
}

/**
 * Bytes a predictions file of `rows` rows (the first `explainedRows` with explanations) will take at most, about:
 * CSV spells a double in up to 20 characters, Parquet stores 8 bytes before compression. For the storage quota
 * before a job starts; the file's real size is checked again before it is recorded.
 */
export function predictionBytesEstimate(model: Pick<ModelArtifact, 'task' | 'classes' | 'preprocessing'>, rows: number, explainedRows: number, format: 'csv' | 'parquet'): number {
  const plain = predictionColumns(model, false);
  const extra = predictionColumns(model, true).slice(plain.length);
  const width = (c: OutputColumn) => (format === 'csv' ? { DOUBLE: 20, BIGINT: 10, VARCHAR: 16 }[c.type] + 1 : { DOUBLE: 8, BIGINT: 8, VARCHAR: 16 }[c.type]);
  const sum = (cs: OutputColumn[]) => cs.reduce((s, c) => s + width(c), 0);
  return rows * sum(plain) + explainedRows * sum(extra);
}

/** The time an explained batch should take, so heartbeats keep flowing between batches. */
const EXPLAIN_BATCH_MS = 500;

/** Input columns the model needs that a table lacks (a dataset's schema against the model's). */
export function missingInputs(model: Pick<ModelArtifact, 'preprocessing'>, columns: readonly string[]): string[] {
  const have = new Set(columns);
  return model.preprocessing.inputs.map((f) => f.name).filter((n) => !have.has(n));
}

export interface ScoreOptions {
  /** 0-based row of the dataset the first of `rows` is (row numbers in the output are this + 1 onwards). */
  firstRow: number;
  /** How many of `rows`, from the first, get SHAP columns; the rest have nulls there. */
  explainRows: number;
  /** Whether the file has SHAP columns at all (the job's `explain`). */
  explain: boolean;
  /** Rows per predict call; between calls `onBatch` runs, so a long chunk never blocks heartbeats. */
  batchRows?: number;
  /** Rows per explained predict call: TreeSHAP costs milliseconds a row. */
  explainBatchRows?: number;
  onBatch?: () => Promise<void>;
}

/**
 * Scores rows of a dataset with a saved model through `predictRows` (the code `POST /models/:id/predict` uses), in
 * small batches, and lays the answers out as the columns of `predictionColumns` (column-major values).
 * @throws DataError naming the row, column and value when a value cannot be read as the model's input type
 */
export async function scoreRows(model: ModelArtifact, rows: Record<string, unknown>[], o: ScoreOptions): Promise<unknown[][]> {
  const layout = predictionColumns(model, o.explain);
  const out: unknown[][] = layout.map(() => []);
  const at = new Map(layout.map((c, i) => [c.name, i]));
  const problem = checkRows(model, rows);
  if (problem) {
    if (problem.missing.length) throw new DataError('UNPROCESSABLE_DATASET', `The dataset lacks columns the model needs: ${problem.missing.join(', ')}.`, { missing: problem.missing });
    const m = problem.mistyped[0];
    const what = m.expected === 'integer' || m.expected === 'float' ? 'a number' : `a ${m.expected}`;
    throw new DataError('UNPROCESSABLE_DATASET', `Row ${o.firstRow + m.row + 1}: '${m.column}' must be ${what}, not '${m.value}'.`, { row: o.firstRow + m.row + 1, column: m.column, value: m.value, expected: m.expected });
  }
  const batch = o.batchRows ?? 5000, maxExplainBatch = o.explainBatchRows ?? 50;
  // Explained batches are sized from the time rows took so far, to about EXPLAIN_BATCH_MS each: TreeSHAP of a deep
  // forest can take 100 ms a row on a busy machine, and a fixed 50 rows then outlasted a 5 s heartbeat timeout.
  let explainBatch = Math.min(maxExplainBatch, 5);
  for (let start = 0; start < rows.length;) {
    const explaining = start < o.explainRows;
    const end = Math.min(rows.length, explaining ? Math.min(o.explainRows, start + explainBatch) : start + batch);
    const began = performance.now();
    const p = predictRows(model, rows.slice(start, end), { explain: explaining });
    if (explaining) {
      const perRow = (performance.now() - began) / (end - start);
      explainBatch = Math.max(1, Math.min(maxExplainBatch, Math.floor(EXPLAIN_BATCH_MS / Math.max(perRow, 1e-3))));
    }
    for (let i = 0; i < end - start; i++) {
      out[0].push(o.firstRow + start + i + 1);
      out[1].push(p.predictions[i]);
      if (p.probabilities) for (const c of model.classes) out[at.get(`probability_${c}`)!].push(p.probabilities[i][c]);
      if (!o.explain) continue;
      const e = p.explanations?.rows[i];
      out[at.get('base_value')!].push(e ? e.base_value : null);
      if (at.has('explained_class')) out[at.get('explained_class')!].push(e?.class ?? null);
      for (const f of model.preprocessing.inputs) out[at.get(`shap_${f.name}`)!].push(e ? e.contributions[f.name] : null);
    }
    start = end;
    await o.onBatch?.();
  }
  return out;
}
