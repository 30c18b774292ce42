// A parse-pool thread for the pool's own tests: jobs that echo, fail, spin, sleep, hog memory or keep DuckDB busy.
import { DataError } from '../../analysis/errors.js';
import { withDuck } from '../../analysis/duck.js';
import { interruptible } from '../../analysis/ingest/interrupt.js';
import { withCause } from '../../analysis/ingest/read-errors.js';
import { serveJobs } from '../../analysis/threads/thread-pool.js';

export type TestJobs = {
  echo: { input: string; output: string };
  fail: { input: string; output: never };
  spin: { input: null; output: never };
  sleep: { input: number; output: number };
  hog: { input: null; output: never };
  duck: { input: null; output: number };
};

serveJobs<TestJobs>({
  echo: async (s) => s,
  fail: async (message) => { throw withCause(new DataError('UNPROCESSABLE_DATASET', message, { line: 3 }), 'Invalid Input Error: /tmp/x.csv'); },
  spin: async () => { for (;;) { /* busy in JavaScript: only terminate stops it */ } },
  sleep: (ms) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)),
  hog: async () => { const keep: number[][] = []; for (;;) keep.push(new Array(1e6).fill(1)); },
  duck: (_, signal) => withDuck((conn) => interruptible(conn, signal, async () => Number((await conn.runAndReadAll('SELECT count(*) FROM range(1000000000000)')).getRows()[0][0]))),
});
