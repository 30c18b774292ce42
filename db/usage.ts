import { sql } from 'kysely';
import type { Db } from './connect.js';

/** Bytes a user holds: uploads plus every artifact (reports, models, predictions). */
export async function bytesHeldBy(db: Db, userId: string): Promise<number> {
  const row = await sql<{ n: string | number | null }>`select
      (select coalesce(sum(size_bytes), 0) from datasets where user_id = ${userId})
    + (select coalesce(sum(size), 0) from artifacts where user_id = ${userId}) as n`.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}
