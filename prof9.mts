import { DuckDBConnection } from '@duckdb/node-api';
import { readTable } from './analysis/ingest/read-table.js';
for (const m of ['run', 'runAndReadAll'] as const) {
  const o = (DuckDBConnection.prototype as any)[m];
  (DuckDBConnection.prototype as any)[m] = async function (sql: string, ...a: unknown[]) { const t = performance.now(); try { return await o.call(this, sql, ...a); } finally { console.log((performance.now() - t).toFixed(0).padStart(5), sql.replace(/\s+/g, ' ').slice(0, 110)); } };
}
const t = performance.now();
await readTable({ inputPath: '/tmp/p-long.csv', format: 'csv', parquetOut: '/tmp/pl.parquet' });
console.log('total', (performance.now() - t).toFixed(0));
