import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../db/connect.js';
import type { Storage } from '../storage/storage.js';

/**
 * Deletes stored predictions older than `days` (rows first, so two API replicas sweeping at once never
 * delete the same object twice or leave a row without its object).
 * @returns how many were deleted
 */
export async function sweepOldPredictions(db: Db, storage: Storage, days: number): Promise<number> {
  const gone = await db.deleteFrom('artifacts').where('type', '=', 'predictions')
    .where(sql<boolean>`created_at < now() - make_interval(days => ${days})`).returning('storage_key').execute();
  for (const g of gone) await storage.delete(g.storage_key);
  return gone.length;
}

/** Sweeps every hour (and once shortly after start); returns a stop function. */
export function startRetention(db: Db, storage: Storage, days: number, logger: Logger): () => void {
  const sweep = () => sweepOldPredictions(db, storage, days)
    .then((n) => { if (n) logger.info({ deleted: n, days }, 'old predictions deleted'); })
    .catch((err) => logger.warn({ err }, 'prediction retention sweep failed; trying again next hour'));
  const first = setTimeout(sweep, 60_000);
  const every = setInterval(sweep, 3_600_000);
  first.unref();
  every.unref();
  return () => { clearTimeout(first); clearInterval(every); };
}
