import { afterEach, describe, expect, test } from 'vitest';
import { DataError } from '../../analysis/errors.js';
import { ApiError } from '../../api/errors.js';
import { ThreadPool, type PoolOptions } from '../../analysis/threads/thread-pool.js';
import { API_POOL_ERRORS } from '../../api/parse-pool.js';
import type { TestJobs } from '../helpers/pool-thread.js';

const entry = new URL('../helpers/pool-thread.ts', import.meta.url);
const pools: ThreadPool<TestJobs>[] = [];
const pool = (o: Partial<PoolOptions> = {}) => {
  const p = new ThreadPool<TestJobs>({ entry, size: 2, timeoutMs: 10_000, heapMb: 256, graceMs: 500, errors: API_POOL_ERRORS, ...o });
  pools.push(p);
  return p;
};
afterEach(async () => { await Promise.all(pools.splice(0).map((p) => p.close())); });

/** The event loop's worst delay while `during` runs, sampled every 20 ms. */
async function worstLag<T>(during: Promise<T>): Promise<{ lag: number; result: PromiseSettledResult<T> }> {
  let lag = 0, last = Date.now();
  const tick = setInterval(() => { const now = Date.now(); lag = Math.max(lag, now - last - 20); last = now; }, 20);
  const [result] = await Promise.allSettled([during]);
  clearInterval(tick);
  return { lag, result };
}

describe('ThreadPool', () => {
  test('a DataError thrown in the thread reaches the caller as the same DataError, raw cause kept off the message', async () => {
    const err = await pool().run('fail', 'Line 3 is not valid JSON.').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err).toMatchObject({ code: 'UNPROCESSABLE_DATASET', message: 'Line 3 is not valid JSON.', details: { line: 3 } });
    expect((err as Error).cause).toBe('Invalid Input Error: /tmp/x.csv');
    expect(Object.keys(err as object)).not.toContain('cause');
    expect(JSON.stringify(err)).not.toContain('/tmp');
  });

  test('a job past its time is refused with 422 naming the limit, its thread is terminated and the pool keeps working', async () => {
    const p = pool({ size: 1, timeoutMs: 800 });
    expect(await p.run('echo', 'warm')).toBe('warm');
    const started = Date.now();
    const { lag, result } = await worstLag(p.run('spin', null));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(lag).toBeLessThan(200); // the spinning thread never held the caller's event loop
    const err = (result as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'UNPROCESSABLE_DATASET', status: 422 });
    expect(err.message).toMatch(/took longer than 0\.8 s, the limit for one file \(UPLOAD_PARSE_TIMEOUT_S\)/);
    expect(await p.run('echo', 'after')).toBe('after');
    expect(p.threads).toEqual({ live: 1, stuck: 0 });
  });

  test('a DuckDB query past its time is interrupted before its thread is terminated (terminating under DuckDB aborts the process)', async () => {
    const p = pool({ size: 1, timeoutMs: 1000 });
    const err = await p.run('duck', null).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNPROCESSABLE_DATASET' });
    expect(await p.run('echo', 'alive')).toBe('alive');
    expect(p.threads.stuck).toBe(0);
  });

  test("a caller's abort stops its job (DuckDB interrupted first) and rejects with the abort's reason; the pool keeps working", async () => {
    const p = pool({ size: 1 });
    const ac = new AbortController();
    expect(await p.run('echo', 'warm')).toBe('warm'); // the thread is up: the abort lands on a running query
    const job = p.run('duck', null, ac.signal);
    setTimeout(() => ac.abort(new Error('activity cancelled')), 300);
    const started = Date.now();
    await expect(job).rejects.toThrow('activity cancelled');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await p.run('echo', 'alive')).toBe('alive');
    expect(p.threads.stuck).toBe(0);
  });

  test('a thread past its heap cap answers 413 naming the limit, and is replaced', async () => {
    const p = pool({ size: 1, heapMb: 64 });
    const err = await p.run('hog', null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect((err as Error).message).toMatch(/more than 64 MB of memory/);
    expect(await p.run('echo', 'fresh')).toBe('fresh');
  });

  test('jobs beyond the pool size wait their turn instead of starting threads', async () => {
    const p = pool({ size: 2 });
    await Promise.all([p.run('echo', 'a'), p.run('echo', 'b')]);
    const started = Date.now();
    const jobs = Array.from({ length: 4 }, () => p.run('sleep', 300));
    expect(p.threads.live).toBe(2);
    expect(await Promise.all(jobs)).toEqual([300, 300, 300, 300]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    expect(p.threads.live).toBe(2);
    await p.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(p.threads.live).toBe(0);
  });

  test('a queue that does not move answers 503 instead of hanging', async () => {
    const p = pool({ size: 1, timeoutMs: 600, queueMs: 600 });
    await p.run('echo', 'warm');
    const stuck = p.run('spin', null).catch((e: unknown) => e);
    expect(await p.run('echo', 'late').catch((e: unknown) => e)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    expect(await stuck).toMatchObject({ code: 'UNPROCESSABLE_DATASET' });
    expect(await p.run('echo', 'again')).toBe('again');
  });
});
