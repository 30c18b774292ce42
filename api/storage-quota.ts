import type { Db } from '../db/connect.js';
import { bytesHeldBy, quotaOverrun } from '../db/usage.js';
import { ApiError } from './errors.js';

export { bytesHeldBy };

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/**
 * Refuses (413) to store `adding` more bytes for a user past `quotaMb` (0 means no quota), saying what
 * they hold and what to delete.
 */
export async function assertWithinQuota(db: Db, userId: string, adding: number, quotaMb: number): Promise<void> {
  const over = await quotaOverrun(db, userId, adding, quotaMb);
  if (over) {
    const { quota, held } = over;
    throw new ApiError('PAYLOAD_TOO_LARGE', `Your storage quota of ${mb(quota)} would be exceeded: you hold ${mb(held)} and this needs ${mb(adding)}. Delete datasets you no longer need; stored predictions are deleted after PREDICTION_RETENTION_DAYS.`,
      { quota_bytes: quota, held_bytes: held, needed_bytes: adding });
  }
}
