import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Interrupts `conn`'s query when `signal` aborts, and every 50 ms after until disposed, so a query started
 * after the abort stops too. A thread must not be terminated while DuckDB works for it (the process aborts).
 * @example const stop = interruptOnAbort(conn, signal); try { await conn.run(sql); } finally { stop(); }
 */
export function interruptOnAbort(conn: DuckDBConnection, signal?: AbortSignal): () => void {
  if (!signal) return () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    conn.interrupt();
    timer = setInterval(() => conn.interrupt(), 50);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return () => {
    signal.removeEventListener('abort', onAbort);
    clearInterval(timer);
  };
}

/**
 * Runs `fn` (DuckDB work on `conn`) so that aborting `signal` interrupts it.
 * @example await withDuck((conn) => interruptible(conn, signal, () => conn.run(sql)));
 */
export async function interruptible<T>(conn: DuckDBConnection, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  const stop = interruptOnAbort(conn, signal);
  try {
    return await fn();
  } finally {
    stop();
  }
}
