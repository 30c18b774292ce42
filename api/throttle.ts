import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { ApiError } from './errors.js';

/**
 * Fixed-window counters in the database, so every API replica counts the same attempts.
 * @example const t = new Throttle(db, 900); await t.hit(`login-ip:${ctx.ip}`, 50);
 */
export class Throttle {
  private sweeps = 0;
  constructor(private readonly db: Db, private readonly windowS: number) {}

  /** Counts one attempt under `key`; past `max` in the window, a 429 saying when to try again. */
  async hit(key: string, max: number): Promise<void> {
    const { hits, reset_s } = await this.count(key);
    if (hits > max) throw limited(reset_s);
  }

  /** Refuses (429) when `key` has already used `max` attempts in the window, without counting one. */
  async check(key: string, max: number): Promise<void> {
    const row = await this.db.selectFrom('auth_throttle').select(['hits', sql<number>`${this.remaining()}`.as('reset_s')])
      .where('key', '=', key).where(sql<boolean>`window_start > now() - make_interval(secs => ${this.windowS})`).executeTakeFirst();
    if (row && row.hits >= max) throw limited(Number(row.reset_s));
  }

  /** Counts without refusing: for failures, checked by `check` on the next attempt. */
  async count(key: string): Promise<{ hits: number; reset_s: number }> {
    if (++this.sweeps % 200 === 0) await this.sweep();
    const fresh = sql<boolean>`auth_throttle.window_start > now() - make_interval(secs => ${this.windowS})`;
    // One statement: two replicas counting the same key at once both land.
    const row = await this.db.insertInto('auth_throttle').values({ key, hits: 1, window_start: sql`now()` })
      .onConflict((oc) => oc.column('key').doUpdateSet({
        hits: sql`case when ${fresh} then auth_throttle.hits + 1 else 1 end`,
        window_start: sql`case when ${fresh} then auth_throttle.window_start else now() end`,
      }))
      .returning(['hits', sql<number>`${this.remaining()}`.as('reset_s')]).executeTakeFirstOrThrow();
    return { hits: row.hits, reset_s: Number(row.reset_s) };
  }

  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('auth_throttle').where('key', '=', key).execute();
  }

  private remaining() {
    return sql`greatest(1, ceil(extract(epoch from (window_start + make_interval(secs => ${this.windowS}) - now()))))::int`;
  }

  // Old windows are dead weight; dropped now and then rather than by a separate job.
  private async sweep() {
    await this.db.deleteFrom('auth_throttle').where(sql<boolean>`window_start < now() - make_interval(secs => ${this.windowS})`).execute();
  }
}

const limited = (resetS: number) =>
  new ApiError('RATE_LIMITED', `Too many attempts; try again in ${Math.ceil(resetS / 60)} minute${resetS > 60 ? 's' : ''}.`, { retry_after_s: resetS });
