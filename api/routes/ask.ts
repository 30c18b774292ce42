import type Router from '@koa/router';
import { tableKeys } from '../../activities/dataset-table.js';
import { LlmError, translateWithLlm } from '../../analysis/nlq/llm.js';
import type { AskAnswer, AskRefusal } from '../../analysis/nlq/run.js';
import type { Dataset } from '../../db/schema.js';
import { subjectWords } from '../../analysis/nlq/ignored.js';
import { askContextCache } from '../ask-context.js';
import { awaitDatasetRead, startDatasetRead } from '../dataset-read.js';
import type { AppDeps } from '../deps.js';
import { TableCache } from '../table-cache.js';
import { ApiError } from '../errors.js';
import { parsePool } from '../parse-pool.js';
import { paramsOf, parse, type RouteRegistry } from '../route-registry.js';
import { AskBody, AskOut, IdParam } from '../schemas.js';
import { findDataset } from './datasets.js';

/** Refusals an LLM may try to do better on: the reader did not follow, or a word named no column. */
const LLM_CAN_HELP = new Set(['unreadable', 'unknown_column']);

/** A refusal as the API's 422: the sentence, three phrasings that work, and the near columns when one was unknown. */
function refusal(r: AskRefusal, extra: Record<string, unknown> = {}): ApiError {
  const { kind, message, details } = r.error;
  if (kind === 'timeout') return new ApiError('UNPROCESSABLE_DATASET', message, { reason: 'timeout', limit: 'NLQ_TIMEOUT_S', ...details });
  return new ApiError('VALIDATION_ERROR', `question: ${message}`, { reason: kind, ...details, ...extra }, 422);
}

/**
 * The dataset once its full read has ended: waits up to UPLOAD_WAIT_S for a read in progress, then 409 (ask
 * again shortly); a failed read is a 422 with its reason.
 */
async function readyDataset(deps: AppDeps, ds: Dataset): Promise<Dataset> {
  if (ds.status === 'reading') {
    await awaitDatasetRead(deps, ds.id, deps.env.UPLOAD_WAIT_S * 1000).catch(() => undefined);
    ds = await deps.db.selectFrom('datasets').selectAll().where('id', '=', ds.id).executeTakeFirstOrThrow();
  }
  if (ds.status === 'reading') throw new ApiError('CONFLICT', 'The dataset is still being read; ask again in a few seconds.', { status: 'reading', retry_after_s: 5 });
  if (ds.status === 'failed') throw new ApiError('UNPROCESSABLE_DATASET', ds.error ?? 'The dataset could not be read.', { status: 'failed' });
  return ds;
}

export function askRoutes(r: RouteRegistry, router: Router, deps: AppDeps) {
  const env = deps.env;
  const llm = env.NLQ_LLM_URL ? { url: env.NLQ_LLM_URL, model: env.NLQ_LLM_MODEL, key: env.NLQ_LLM_KEY, timeoutMs: env.NLQ_LLM_TIMEOUT_S * 1000 } : null;
  // The thread's own interrupt comes first, so a slow question gets its own message, not the upload reader's.
  const timeoutMs = Math.min(env.NLQ_TIMEOUT_S, Math.max(1, env.UPLOAD_PARSE_TIMEOUT_S - 2)) * 1000;
  const contexts = askContextCache();
  const tables = new TableCache(deps.storage, env.TABLE_CACHE_MB * 1024 * 1024);

  r.add(router, { method: 'post', path: '/datasets/:id/ask', operationId: 'askDataset', tag: 'datasets', auth: true, body: AskBody, response: AskOut,
    summary: 'Ask a question of a dataset in plain words: the interpretation, the SQL that ran, the rows and a vega-lite chart; 422 with phrasings that work when it cannot read the question' },
  async (ctx) => {
    const { id } = parse(IdParam, paramsOf(ctx));
    const { question } = parse(AskBody, ctx.request.body);
    const ds = await readyDataset(deps, await findDataset(deps, ctx, id));
    const keys = tableKeys(ds, {});
    if (!(await deps.storage.exists(keys.manifest))) {
      // Read by an older reader (or its copy removed): read it again; the question can be asked once that is done.
      await startDatasetRead(deps, ds.id, ds.user_id).catch((err: unknown) => deps.logger.warn({ err, dataset_id: ds.id }, 'ask: could not start the re-read'));
      throw new ApiError('CONFLICT', 'The dataset\'s table is being prepared again; ask again in a minute.', { status: 'reading', retry_after_s: 30 });
    }
    // The table is downloaded once and kept for the next question (see TableCache).
    ctx.body = await tables.use(keys.parquet, async (parquet) => {
      const columns = ds.columns.map((c) => ({ name: c.name, type: c.type, storage_type: c.storage_type }));
      const subject = [...new Set([...subjectWords(ds.name), ...subjectWords(ds.filename)])];
      const pool = parsePool(env);
      const remember = (r: AskAnswer | AskRefusal) => { if (r.context) contexts.set(ds, r.context); };
      let out: AskAnswer | AskRefusal = await pool.run('ask', { parquet, columns, question, timeoutMs, subject, context: contexts.get(ds) });
      remember(out);
      let answeredBy: 'reader' | 'llm' = 'reader';
      if (out.kind === 'refused' && llm && LLM_CAN_HELP.has(out.error.kind)) {
        let form: unknown;
        try {
          form = await translateWithLlm(llm, question, out.columns);
        } catch (err) {
          if (!(err instanceof LlmError)) throw err;
          throw refusal(out, { llm: err.message });
        }
        const second = await pool.run('ask', { parquet, columns, question, query: form, timeoutMs, context: contexts.get(ds) });
        if (second.kind === 'refused') throw refusal(second, { llm: `The language model's query form was refused: ${second.error.message}` });
        out = second;
        answeredBy = 'llm';
      }
      if (out.kind === 'refused') throw refusal(out);
      return {
        question, interpretation: out.interpretation, sql: out.sql, params: out.params, columns: out.columns, rows: out.rows, chart: out.chart,
        query: out.query, answered_by: answeredBy, ignored_words: out.ignored_words,
      };
    });
  });
}
