import { APP_VERSION } from '../config/app-root.js';
import { loadEnv, taskQueues } from '../config/env.js';
import { createApp } from './app.js';
import type { AppDeps } from './deps.js';
import { Metrics } from './metrics.js';
import { openApiDocument, RouteRegistry } from './route-registry.js';

/** A dependency no route may touch while the routes are only being registered: any use is a bug worth a loud error. */
const inert = (name: string) => new Proxy({}, {
  get: (_, prop) => { throw new Error(`openapi-spec: ${name}.${String(prop)} was used while registering routes; registration must not touch ${name}`); },
}) as never;

/**
 * The OpenAPI document exactly as `GET /openapi.json` serves it, built in-process from the route registry
 * with the default configuration and no database, Temporal or storage (what `npm run client` generates from).
 * @example const doc = buildOpenApiDocument(); doc.paths['/runs/start'].post.operationId // 'startRun'
 */
export function buildOpenApiDocument(): ReturnType<typeof openApiDocument> {
  const env = loadEnv({});
  const registry = new RouteRegistry();
  const deps: AppDeps = {
    env, db: inert('db'), storage: inert('storage'), temporal: inert('temporal'), logger: inert('logger'), tokens: inert('tokens'),
    metrics: new Metrics(), liveStatus: inert('liveStatus'), runEvents: inert('runEvents'), taskQueues: taskQueues(env),
    version: APP_VERSION, startedAt: 0,
  };
  createApp(deps, { registry });
  return openApiDocument(registry.specs, APP_VERSION);
}
