import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { ActivityDeps } from './deps.js';
import { cleanText } from '../db/text.js';

export const runPrefix = (runId: string) => `runs/${runId}/`;
export const runKey = (runId: string, filename: string) => `${runPrefix(runId)}${filename}`;

/** The run's owner as a subquery, so a row can name it without a round trip of its own. */
const ownerOf = (deps: ActivityDeps, runId: string) =>
  deps.db.selectFrom('runs').select('user_id').where('id', '=', runId);

/** Appends a log line for the run to the database (served by /runs/:id/logs) and to pino. */
export async function runLog(deps: ActivityDeps, runId: string, level: 'info' | 'warn' | 'error', message: string): Promise<void> {
  await deps.db.insertInto('logs').values({ run_id: runId, user_id: ownerOf(deps, runId), level, message: cleanText(message) }).execute();
  deps.logger[level]({ run_id: runId, workflow_id: `run-${runId}` }, message);
}

/**
 * Stores an artifact and records it (upsert on run + filename, so a retried stage replaces, not duplicates).
 * @returns the artifact id and its storage key
 */
export async function putArtifact(deps: ActivityDeps, runId: string, a: {
  type: string; filename: string; body?: Uint8Array | string; filePath?: string; contentType: string;
  /** The object is already stored at the run's key for `filename` (copied there): only the row is written. */
  storedKey?: string; size?: number;
}): Promise<{ id: string; key: string; size: number }> {
  const key = runKey(runId, a.filename);
  if (a.storedKey !== undefined && a.storedKey !== key) throw new Error(`An artifact of run ${runId} must be stored at ${key}.`);
  const { size } = a.storedKey ? { size: a.size ?? 0 }
    : a.filePath ? await deps.storage.putFile(key, a.filePath, a.contentType) : await deps.storage.put(key, a.body ?? '', a.contentType);
  const row = await deps.db.insertInto('artifacts')
    .values({ id: randomUUID(), run_id: runId, user_id: ownerOf(deps, runId), type: a.type, filename: a.filename, storage_key: key, size, content_type: a.contentType })
    .onConflict((oc) => oc.columns(['run_id', 'filename']).doUpdateSet({ size, content_type: a.contentType, type: a.type, created_at: sql`now()` }))
    .returning('id').executeTakeFirstOrThrow();
  return { id: row.id, key, size };
}

/** Reads a JSON artifact written by an earlier stage. */
export async function readJson<T>(deps: ActivityDeps, key: string): Promise<T> {
  return JSON.parse((await deps.storage.get(key)).toString('utf8')) as T;
}
