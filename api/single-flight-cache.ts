/** A keyed cache that shares one in-flight load per key and keeps its answer for a short time. */
export interface SingleFlightCache<K, V> {
  /** The cached value, the load already in flight, or a new load; concurrent callers share one promise. */
  get(key: K): Promise<V>;
  /** Drops a key, so the next `get` loads afresh (a load in flight still answers its callers). */
  delete(key: K): void;
  /** Entries held, settled or in flight. */
  readonly size: number;
  clear(): void;
}

export interface SingleFlightOptions {
  /** How long a settled answer is served as it is, from when its load settled. */
  ttlMs: number;
  /**
   * For this long past `ttlMs` the old answer is still served at once while one background load refreshes it
   * (stale-while-revalidate), so a slow load delays nobody under steady traffic. 0 (default): callers wait.
   */
  staleMs?: number;
  /** At most this many keys; the least recently used goes first. */
  maxEntries: number;
  /** The clock, for tests. */
  now?: () => number;
}

interface Entry<V> { settled?: { value: V; at: number }; inflight?: Promise<V> }

/**
 * Builds a single-flight TTL cache over `load`. A rejected load is never cached: it is shared by the callers
 * who waited for it, an older answer (if any) is kept until it is too stale, and the next caller loads again.
 * @example const status = singleFlightCache((id: string) => fetchStatus(id), { ttlMs: 500, staleMs: 2000, maxEntries: 10_000 });
 */
export function singleFlightCache<K, V>(load: (key: K) => Promise<V>, opts: SingleFlightOptions): SingleFlightCache<K, V> {
  const now = opts.now ?? Date.now;
  const staleMs = opts.staleMs ?? 0;
  const entries = new Map<K, Entry<V>>();

  const refresh = (key: K, entry: Entry<V>): Promise<V> => {
    if (entry.inflight) return entry.inflight;
    const p = Promise.resolve().then(() => load(key));
    entry.inflight = p;
    p.then(
      (value) => { entry.settled = { value, at: now() }; entry.inflight = undefined; },
      () => { entry.inflight = undefined; if (!entry.settled && entries.get(key) === entry) entries.delete(key); },
    );
    return p;
  };

  return {
    get(key) {
      const entry = entries.get(key) ?? {};
      // Map order is recency order: move this key to the back, so eviction takes the coldest one.
      entries.delete(key);
      entries.set(key, entry);
      while (entries.size > opts.maxEntries) entries.delete(entries.keys().next().value as K);
      const age = entry.settled ? now() - entry.settled.at : Number.POSITIVE_INFINITY;
      if (age < opts.ttlMs) return Promise.resolve(entry.settled!.value);
      if (age < opts.ttlMs + staleMs) { void refresh(key, entry); return Promise.resolve(entry.settled!.value); }
      return refresh(key, entry);
    },
    delete: (key) => { entries.delete(key); },
    get size() { return entries.size; },
    clear: () => entries.clear(),
  };
}
