import { z } from 'zod';
import { BUCKETS, FILTER_OPS, MEASURE_FNS, type NlqColumn } from './query.js';

/** Where an OpenAI-compatible chat endpoint is, and how long to wait for it. */
export interface LlmConfig { url: string; model: string; key?: string; timeoutMs: number }

/** Why the model's answer was not used (the caller answers 422 with it). */
export class LlmError extends Error {
  constructor(message: string) { super(message); this.name = 'LlmError'; }
}

const ChatAnswer = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1) });

/** The instructions: the query form's JSON shape and the dataset's columns; never SQL. */
export function llmPrompt(question: string, columns: NlqColumn[]): { system: string; user: string } {
  const cols = columns.slice(0, 200).map((c) => {
    const values = c.categories?.length ? `; common values: ${c.categories.slice(0, 15).map((v) => JSON.stringify(v)).join(', ')}` : '';
    return `- ${JSON.stringify(c.name)} (${c.type}${values})`;
  }).join('\n');
  const system = [
    'You translate a question about one table into a JSON query form. Answer with one JSON object and nothing else: no SQL, no prose.',
    'Shape: {"measures": [{"fn", "column"?, "column2"?, "where"?}], "columns"?: [names], "filters": [{"column", "op", "value"?, "value2"?, "values"?, "part"?}],',
    '"group"?: {"column", "bucket"?, "bins"?, "and"?}, "order"?: {"by", "direction"}, "limit"?, "share"?}.',
    `fn is one of ${MEASURE_FNS.join(', ')} (count and percent take no column; percent counts rows meeting "where"; corr takes column and column2).`,
    `op is one of ${FILTER_OPS.join(', ')}; bucket is one of ${BUCKETS.join(', ')} (time periods for date columns, bins for a numeric histogram).`,
    'A filter with "part": "month" compares a date column\'s month of the year (1-12, any year). group.and names a second category column to group by.',
    'order.by is "measure", "group", or a column name when there are no measures (a row listing); direction is "asc" or "desc"; limit is at most 1000.',
    'Use column names exactly as listed. If the question cannot be answered from these columns, answer {"error": "why"}.',
  ].join('\n');
  return { system, user: `Columns:\n${cols}\n\nQuestion: ${question}` };
}

/**
 * Asks an OpenAI-compatible endpoint (`POST {url}/chat/completions`) to turn a question into the query form, and
 * returns the parsed JSON object unvalidated: the caller validates it with zod against the dataset
 * (`resolveQuery`) before anything runs. Text that is not one JSON object (SQL, prose) is refused here.
 * @throws LlmError when the endpoint fails, times out, or answers with anything but a query form's JSON
 */
export async function translateWithLlm(cfg: LlmConfig, question: string, columns: NlqColumn[]): Promise<unknown> {
  const { system, user } = llmPrompt(question, columns);
  const url = /\/chat\/completions\/?$/.test(cfg.url) ? cfg.url : `${cfg.url.replace(/\/+$/, '')}/chat/completions`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cfg.key ? { authorization: `Bearer ${cfg.key}` } : {}) },
      body: JSON.stringify({ model: cfg.model, temperature: 0, response_format: { type: 'json_object' }, messages: [{ role: 'system', content: system }, { role: 'user', content: user }] }),
      signal: AbortSignal.timeout(cfg.timeoutMs),
    });
  } catch (err) {
    throw new LlmError(`The language model did not answer (${(err as Error).name === 'TimeoutError' ? `no answer within ${Math.round(cfg.timeoutMs / 1000)} s` : 'unreachable'}).`);
  }
  if (!res.ok) throw new LlmError(`The language model answered HTTP ${res.status}.`);
  const chat = ChatAnswer.safeParse(await res.json().catch(() => null));
  if (!chat.success) throw new LlmError('The language model did not answer in the chat-completions shape.');
  const content = (chat.data.choices[0].message.content ?? '').trim().replace(/^```(?:json)?\s*|\s*```$/g, '');
  let form: unknown;
  try {
    form = JSON.parse(content);
  } catch {
    throw new LlmError('The language model did not answer with a JSON query form (SQL and prose are not accepted).');
  }
  if (!form || typeof form !== 'object' || Array.isArray(form)) throw new LlmError('The language model did not answer with a JSON query form.');
  if ('error' in form) throw new LlmError(`The language model could not translate the question: ${String((form as { error: unknown }).error).slice(0, 200)}`);
  return form;
}
