import { expect, test } from 'vitest';
import { singleFlightCache } from '../../api/single-flight-cache.js';

/** A load we settle by hand, counting calls per key. */
function manualLoad() {
  const calls: string[] = [];
  const pending: { resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  const load = (key: string) => { calls.push(key); return new Promise<string>((resolve, reject) => pending.push({ resolve, reject })); };
  return { calls, pending, load };
}

const tick = () => new Promise((r) => setImmediate(r));

test('many concurrent calls for one key make one underlying call and share its answer', async () => {
  const m = manualLoad();
  const cache = singleFlightCache(m.load, { ttlMs: 500, maxEntries: 10 });
  const answers = Promise.all(Array.from({ length: 100 }, () => cache.get('run-1')));
  const other = cache.get('run-2');
  await tick();
  expect(m.calls).toEqual(['run-1', 'run-2']);
  m.pending[0].resolve('a');
  m.pending[1].resolve('b');
  expect(new Set(await answers)).toEqual(new Set(['a']));
  expect(await other).toBe('b');
});

test('an answer is served until its TTL has passed, then loaded afresh', async () => {
  let now = 1000;
  let n = 0;
  const cache = singleFlightCache(async () => `v${++n}`, { ttlMs: 500, maxEntries: 10, now: () => now });
  expect(await cache.get('k')).toBe('v1');
  now += 499;
  expect(await cache.get('k')).toBe('v1');
  now += 1;
  expect(await cache.get('k')).toBe('v2');
  expect(n).toBe(2);
});

test('the TTL counts from when the load settled, not from when it started', async () => {
  let now = 0;
  const m = manualLoad();
  const cache = singleFlightCache(m.load, { ttlMs: 100, maxEntries: 10, now: () => now });
  const first = cache.get('k');
  now = 1000; // a slow load: still in flight long past the TTL, and still shared
  void cache.get('k');
  await tick();
  expect(m.calls).toHaveLength(1);
  m.pending[0].resolve('slow');
  await first;
  now = 1099;
  expect(await cache.get('k')).toBe('slow');
});

test('an error is shared by its waiters but not cached: the next call loads again', async () => {
  const m = manualLoad();
  const cache = singleFlightCache(m.load, { ttlMs: 60_000, maxEntries: 10 });
  const waiters = [cache.get('k'), cache.get('k')];
  await tick();
  m.pending[0].reject(new Error('Temporal unreachable'));
  for (const w of waiters) await expect(w).rejects.toThrow('Temporal unreachable');
  expect(cache.size).toBe(0);
  const retry = cache.get('k');
  await tick();
  expect(m.calls).toHaveLength(2);
  m.pending[1].resolve('ok');
  expect(await retry).toBe('ok');
});

test('the cache holds at most maxEntries keys, dropping the least recently used', async () => {
  const loaded: string[] = [];
  const cache = singleFlightCache(async (k: string) => { loaded.push(k); return k; }, { ttlMs: 60_000, maxEntries: 3 });
  for (const k of ['a', 'b', 'c']) await cache.get(k);
  await cache.get('a'); // a is now the most recent; b the coldest
  await cache.get('d');
  expect(cache.size).toBe(3);
  await cache.get('a');
  await cache.get('c');
  expect(loaded).toEqual(['a', 'b', 'c', 'd']);
  await cache.get('b');
  expect(loaded).toEqual(['a', 'b', 'c', 'd', 'b']);
  for (let i = 0; i < 1000; i++) await cache.get(`x${i}`);
  expect(cache.size).toBe(3);
});

test('within the stale window the old answer is served at once while one background load refreshes it', async () => {
  let now = 0;
  const m = manualLoad();
  const cache = singleFlightCache(m.load, { ttlMs: 500, staleMs: 2000, maxEntries: 10, now: () => now });
  const first = cache.get('k');
  await tick();
  m.pending[0].resolve('old');
  await first;
  now = 600;
  expect(await Promise.all([cache.get('k'), cache.get('k'), cache.get('k')])).toEqual(['old', 'old', 'old']);
  await tick();
  expect(m.calls).toHaveLength(2); // one refresh for all three
  m.pending[1].resolve('new');
  await tick();
  expect(await cache.get('k')).toBe('new');
  now = 600 + 500 + 2000; // past TTL and stale window: the caller waits for a fresh load
  const waited = cache.get('k');
  await tick();
  m.pending[2].resolve('fresh');
  expect(await waited).toBe('fresh');
});

test('a failed background refresh keeps the old answer until it is too stale, then loads again', async () => {
  let now = 0;
  let fail = false;
  let n = 0;
  const cache = singleFlightCache(async () => { n += 1; if (fail) throw new Error('query timed out'); return `v${n}`; },
    { ttlMs: 500, staleMs: 2000, maxEntries: 10, now: () => now });
  expect(await cache.get('k')).toBe('v1');
  fail = true;
  now = 1000;
  expect(await cache.get('k')).toBe('v1');
  await tick();
  now = 2000;
  expect(await cache.get('k')).toBe('v1'); // the failure was not cached: this call tried again
  await tick();
  expect(n).toBe(3);
  now = 3000;
  await expect(cache.get('k')).rejects.toThrow('query timed out');
  fail = false;
  expect(await cache.get('k')).toBe('v5');
});
