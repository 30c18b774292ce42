import type { Logger } from 'pino';
import type { Db } from '../db/connect.js';
import type { Storage } from '../storage/storage.js';

/** What activities need from the outside world, injected by the worker (and by tests). */
export interface ActivityDeps {
  db: Db;
  storage: Storage;
  logger: Logger;
  /** Scratch space for DuckDB files; never passed between activities. */
  tmpDir: string;
  /** Default sampling cap for training when the run gives none. */
  defaultSampleRows: number;
}
