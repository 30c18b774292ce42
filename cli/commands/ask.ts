import { unwrap } from '../../client/index.js';
import { table, type CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

/**
 * `assay ask DATASET "question"`: a question in plain words, answered by the API with a table, what it read the
 * question as, the SQL that ran and any words it ignored.
 */
export async function ask(datasetId: string, question: string, ctx: CommandContext): Promise<ExitCode> {
  const a = await unwrap(ctx.api.POST('/datasets/{id}/ask', { params: { path: { id: datasetId } }, body: { question } }));
  ctx.print(a, () => {
    const rows = (a.rows as unknown[]).map((r) => (Array.isArray(r) ? r : a.columns.map((c) => (r as Record<string, unknown>)[c])) as unknown[]);
    return [a.interpretation, `SQL: ${a.sql}`, '', table(a.columns, rows.map((r) => r.map((v) => (v === null || typeof v !== 'object' ? v as string | number | null : JSON.stringify(v)))))].join('\n');
  });
  return EXIT.ok;
}
