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
  /** How long a settled answer is served, from when its load settled. */
  ttlMs: number;
  /** At most this many keys; the least recently used goes first. */
  maxEntries: number;
  /** The clock, for tests. */
  now?: () => number;
}

interface Entry<V> { promise: Promise<V>; expiresAt: number }

/**
 * Builds a single-flight TTL cache over `load`. A rejected load is forgotten at once, so an error is shared
 * by the callers who waited for it but never served to later ones.
 * @example const status = singleFlightCache((id: string) => fetchStatus(id), { ttlMs: 500, maxEntries: 10_000 });
 */
export function singleFlightCache<K, V>(load: (key: K) => Promise<V>, opts: SingleFlightOptions): SingleFlightCache<K, V> {
  const now = opts.now ?? Date.now;
  const entries = new Map<K, Entry<V>>();
  return {
    get(key) {
      const hit = entries.get(key);
      if (hit && now() < hit.expiresAt) {
        // Map order is recency order: move the hit to the back, so eviction takes the coldest key.
        entries.delete(key);
        entries.set(key, hit);
        return hit.promise;
      }
      const entry: Entry<V> = { promise: Promise.resolve().then(() => load(key)), expiresAt: Number.POSITIVE_INFINITY };
      entries.delete(key);
      entries.set(key, entry);
      while (entries.size > opts.maxEntries) entries.delete(entries.keys().next().value as K);
      entry.promise.then(
        () => { entry.expiresAt = now() + opts.ttlMs; },
        () => { if (entries.get(key) === entry) entries.delete(key); },
      );
      return entry.promise;
    },
    delete: (key) => { entries.delete(key); },
    get size() { return entries.size; },
    clear: () => entries.clear(),
  };
}
