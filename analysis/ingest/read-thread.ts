// Runs inside a worker's read thread: the full read of an upload, off the worker's event loop.
import { serveJobs } from '../threads/thread-pool.js';
import { readTable } from './read-table.js';
import type { ReadJobs } from './read-pool.js';

serveJobs<ReadJobs>({ table: (args, signal) => readTable({ ...args, signal }) });
