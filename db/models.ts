import { randomUUID } from 'node:crypto';
import { sql, type Insertable } from 'kysely';
import type { Db } from './connect.js';
import type { ModelsTable } from './schema.js';

/**
 * Inserts a model as the next version for its user and target. The number is taken in the insert itself and
 * the constraint `models_user_target_version` makes it unique: two runs finishing together cannot share
 * one, the later simply takes the next. A retried attempt of the same run keeps its version.
 */
export async function insertModelVersion(db: Db, row: Omit<Insertable<ModelsTable>, 'id' | 'version'>): Promise<{ id: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.insertInto('models').values({
        ...row, id: randomUUID(),
        version: sql<number>`(select coalesce(max(version), 0) + 1 from models where user_id = ${row.user_id} and target = ${row.target})`,
      }).onConflict((oc) => oc.columns(['run_id', 'name']).doUpdateSet({ storage_key: row.storage_key }))
        .returning('id').executeTakeFirstOrThrow();
    } catch (err) {
      const e = err as { code?: string; constraint?: string; message?: string };
      const collided = e.code === '23505' && (e.constraint === 'models_user_target_version' || /models_user_target_version/.test(e.message ?? ''));
      if (!collided || attempt >= 10) throw err;
    }
  }
}
