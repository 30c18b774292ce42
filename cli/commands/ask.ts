import type { Client } from 'openapi-fetch';
import { unwrap } from '../../client/index.js';
import { table, type CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

/** `POST /datasets/{id}/ask`'s answer (API.md, "People v2"). */
export interface AskAnswer { interpretation: string; sql: string; columns: string[]; rows: unknown[]; chart?: unknown }

/**
 * `assay ask DATASET "question"`: a question in plain words, answered by the API with a table. The route is
 * being built alongside this CLI; until it is in client/schema.d.ts it is called through an untyped view of the
 * same client (same token, errors and base URL). Once `npm run client` picks it up, the cast can go.
 */
export async function ask(datasetId: string, question: string, ctx: CommandContext): Promise<ExitCode> {
  const untyped = ctx.api as unknown as Client<{ '/datasets/{id}/ask': { post: {
    parameters: { path: { id: string } }; requestBody: { content: { 'application/json': { question: string } } };
    responses: { 200: { content: { 'application/json': AskAnswer } } };
  } } }>;
  const a = await unwrap(untyped.POST('/datasets/{id}/ask', { params: { path: { id: datasetId } }, body: { question } }));
  ctx.print(a, () => {
    const rows = a.rows.map((r) => (Array.isArray(r) ? r : a.columns.map((c) => (r as Record<string, unknown>)[c])) as (string | number | null)[]);
    return [a.interpretation, `SQL: ${a.sql}`, '', table(a.columns, rows.map((r) => r.map((v) => (v === null || typeof v !== 'object' ? v : JSON.stringify(v)))))].join('\n');
  });
  return EXIT.ok;
}
