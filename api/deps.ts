import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Env } from '../config/env.js';
import type { Db } from '../db/connect.js';
import type { Storage } from '../storage/storage.js';
import type { TokenService } from './auth.js';
import type { LiveStatusSource } from './live-status.js';
import type { Metrics } from './metrics.js';
import type { RunEventHub } from './run-events.js';

/**
 * Runs a Temporal call with a deadline, so an unreachable cluster fails a request in seconds instead of
 * hanging it through the client's retries.
 */
export const withTemporalDeadline = <T>(deps: Pick<AppDeps, 'temporal'>, fn: () => Promise<T>, ms = 5000): Promise<T> =>
  deps.temporal.connection.withDeadline(Date.now() + ms, fn);

/** Everything route handlers use, built once by `createApp`'s caller. */
export interface AppDeps {
  env: Env;
  db: Db;
  storage: Storage;
  temporal: Client;
  logger: Logger;
  tokens: TokenService;
  metrics: Metrics;
  /** Live run state shared by every status reader in this process (single-flight, short TTL). */
  liveStatus: LiveStatusSource;
  /** One poll loop per watched run, fanned out to its event streams. */
  runEvents: RunEventHub;
  taskQueues: { analysis: string; modeling: string };
  version: string;
  startedAt: number;
}
