import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { APP_VERSION } from '../config/app-root.js';
import { taskQueues, type Env } from '../config/env.js';
import { jwtSecretOf } from '../config/secrets.js';
import type { Db } from '../db/connect.js';
import type { Storage } from '../storage/storage.js';
import { createApp } from './app.js';
import { tokenService } from './auth.js';
import { liveStatusSource } from './live-status.js';
import { Metrics } from './metrics.js';
import { startRetention } from './retention.js';
import { runEventHub, runEventReads } from './run-events.js';
import { liveRunStatus } from './run-status.js';

export const VERSION = APP_VERSION;

/**
 * Connects to Temporal and serves the API on `env.PORT`.
 * @returns the HTTP server and a close function that also ends the event streams and closes the Temporal connection
 */
export async function startApi(env: Env, db: Db, storage: Storage, logger: Logger): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  // Lazy: the API comes up even while Temporal is unreachable; /health says so and run routes answer 503.
  const connection = Connection.lazy({ address: env.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  // Shared by every status reader in this process, so load grows with runs watched, not with clients.
  const liveStatus = liveStatusSource({ temporal });
  const runEvents = runEventHub({
    reads: runEventReads(db, (run) => liveRunStatus({ liveStatus }, run)), logger, keepAliveMs: env.SSE_KEEPALIVE_S * 1000,
  });
  const app = createApp({
    env, db, storage, temporal, logger, tokens: tokenService(jwtSecretOf(env), env.JWT_TTL_S), metrics: new Metrics(),
    liveStatus, runEvents, taskQueues: taskQueues(env), version: VERSION, startedAt: Date.now(),
  });
  const stopRetention = startRetention(db, storage, env.PREDICTION_RETENTION_DAYS, logger);
  const server = await new Promise<Server>((resolve) => { const s = app.listen(env.PORT, () => resolve(s)); });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  return {
    server, port,
    close: async () => {
      stopRetention();
      runEvents.close();
      liveStatus.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
    },
  };
}
