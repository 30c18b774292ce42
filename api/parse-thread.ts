// Runs inside a parse-pool thread: reads uploads with DuckDB and the XLSX reader, off the API's event loop.
import { readTable, type ReadTableArgs, type TableManifest } from '../analysis/ingest/read-table.js';
import { readCsvRows } from '../analysis/ml/read-rows.js';
import { askDataset, type AskAnswer, type AskInput, type AskRefusal } from '../analysis/nlq/run.js';
import { serveJobs } from '../analysis/threads/thread-pool.js';

/** The parse pool's jobs: a table for upload and preview, CSV rows for predict, a question for ask. */
export type ParseJobs = {
  table: { input: Omit<ReadTableArgs, 'signal'>; output: TableManifest };
  csvRows: { input: { file: string }; output: Record<string, unknown>[] };
  ask: { input: AskInput; output: AskAnswer | AskRefusal };
};

serveJobs<ParseJobs>({
  table: (args, signal) => readTable({ ...args, signal }),
  csvRows: ({ file }, signal) => readCsvRows(file, { signal }),
  ask: (input, signal) => askDataset(input, signal),
});
