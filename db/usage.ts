import { sql } from 'kysely';
import type { Db } from './connect.js';

/** Bytes a user holds: uploads plus every artifact (reports, models, predictions). */
export async function bytesHeldBy(db: Db, userId: string): Promise<number> {
  const row = await sql<{ n: string | number | null }>`select
      (select coalesce(sum(size_bytes), 0) from datasets where user_id = ${userId})
    + (select coalesce(sum(size), 0) from artifacts where user_id = ${userId}) as n`.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}

/**
 * Whether `adding` more bytes would take a user past `quotaMb` (0: no quota).
 * @returns null when they fit, else the quota and what the user holds, in bytes
 */
export async function quotaOverrun(db: Db, userId: string, adding: number, quotaMb: number): Promise<{ quota: number; held: number } | null> {
  if (quotaMb <= 0) return null;
  const held = await bytesHeldBy(db, userId);
  const quota = quotaMb * 1024 * 1024;
  return held + adding > quota ? { quota, held } : null;
}
