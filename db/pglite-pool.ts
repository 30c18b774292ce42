import type { PGlite } from '@electric-sql/pglite';

/**
 * The slice of pg's Pool that kysely's PostgresDialect uses, served by PGlite.
 * PGlite is a single session, so connections are handed out one at a time (a FIFO lock);
 * otherwise two transactions would interleave on the same session.
 */
export function pglitePool(pg: PGlite) {
  let tail: Promise<void> = Promise.resolve();
  return {
    async connect() {
      let release!: () => void;
      const previous = tail;
      tail = new Promise<void>((r) => { release = r; });
      await previous;
      return {
        async query(text: string, params: unknown[] = []) {
          const res = await pg.query(text, params);
          const command = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? '';
          return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length, command };
        },
        release() { release(); },
      };
    },
    async end() { await pg.close(); },
  };
}
