import Router from '@koa/router';
import Koa from 'koa';
import { koaBody } from 'koa-body';
import { requireAuth } from './auth.js';
import type { AppDeps } from './deps.js';
import { ApiError, errorHandler } from './errors.js';
import { requestId, requestIdOf } from './request-id.js';
import { RouteRegistry } from './route-registry.js';
import { webApp } from './web-app.js';
import { cors, securityHeaders } from './security-headers.js';
import { processTempDir } from '../storage/temp-dir.js';
import { adminRoutes } from './routes/admin.js';
import { askRoutes } from './routes/ask.js';
import { authRoutes } from './routes/auth.js';
import { compareRoutes } from './routes/compare.js';
import { datasetRoutes } from './routes/datasets.js';
import { modelRoutes } from './routes/models.js';
import { predictJobRoutes } from './routes/predict-jobs.js';
import { pipelineRoutes } from './routes/pipelines.js';
import { projectRoutes } from './routes/projects.js';
import { reportRoutes } from './routes/reports.js';
import { runRoutes } from './routes/runs.js';
import { suggestionRoutes } from './routes/suggestions.js';
import { systemRoutes } from './routes/system.js';

/**
 * Builds the Koa application: public routes, bearer-authenticated routes, errors in one shape.
 * Pass `registry` to read the route specs afterwards (the OpenAPI document built without a server).
 * @example const app = createApp(deps); app.listen(8080);
 */
export function createApp(deps: AppDeps, opts: { registry?: RouteRegistry } = {}): Koa {
  // Trusting X-Forwarded-For from anyone would let a client pick its own address and dodge the throttle.
  const app = new Koa({ proxy: deps.env.TRUST_PROXY === 'true', maxIpsCount: 1 });
  const maxBytes = deps.env.MAX_UPLOAD_MB * 1024 * 1024;
  const registry = opts.registry ?? new RouteRegistry();
  const pub = new Router();
  const authed = new Router();
  authed.use(requireAuth(deps.tokens, (id) => deps.db.selectFrom('users').select('role').where('id', '=', id).executeTakeFirst()));

  const upload = async (ctx: Koa.Context, next: Koa.Next) => {
    // Refuse an oversize body before reading it, when the client says its size.
    if (Number(ctx.get('content-length') || 0) > maxBytes + 64 * 1024) throw new ApiError('PAYLOAD_TOO_LARGE', `The upload is larger than ${deps.env.MAX_UPLOAD_MB} MB (MAX_UPLOAD_MB).`);
    if (!ctx.is('multipart')) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send the upload as multipart/form-data with the file in field "file".');
    await koaBody({ multipart: true, json: false, urlencoded: false, text: false,
      formidable: { maxFileSize: maxBytes, maxTotalFileSize: maxBytes, allowEmptyFiles: true, minFileSize: 0, maxFiles: 1, maxFields: 10, uploadDir: processTempDir(),
        // Hashed as it streams to disk: the content hash keys the dataset's one full read.
        hashAlgorithm: 'sha256' } })(ctx, next);
  };

  // The web app: index.html at `/` (a documented route) and for the app's own routes under /app, its bundles under /assets.
  const web = webApp({ temporalUiUrl: deps.env.TEMPORAL_UI_URL, namespace: deps.env.TEMPORAL_NAMESPACE });
  authRoutes(registry, pub, deps, authed);
  systemRoutes(registry, pub, deps, web);
  projectRoutes(registry, authed, deps);
  compareRoutes(registry, authed, deps); // before datasetRoutes: /datasets/compare is not a dataset id
  datasetRoutes(registry, authed, deps, upload);
  askRoutes(registry, authed, deps);
  suggestionRoutes(registry, authed, deps);
  pipelineRoutes(registry, authed, deps);
  runRoutes(registry, authed, deps);
  modelRoutes(registry, authed, deps, upload);
  predictJobRoutes(registry, authed, deps);
  reportRoutes(registry, authed, deps);
  adminRoutes(registry, authed, deps);

  // Errors Koa sees outside our handler (mostly streams): a client leaving an event stream is normal, not news.
  app.on('error', (err: Error & { code?: string }) => {
    if (err.code === 'ERR_STREAM_PREMATURE_CLOSE' || err.code === 'ECONNRESET' || err.code === 'EPIPE') return;
    deps.logger.error({ err }, 'response error');
  });
  app.use(requestId());
  // Outside the error handler, so the metrics and the log line see the status actually sent.
  app.use(deps.metrics.middleware());
  app.use(async (ctx, next) => {
    const started = Date.now();
    await next();
    deps.logger.debug({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Date.now() - started, request_id: requestIdOf(ctx) }, 'request');
  });
  app.use(securityHeaders());
  app.use(cors(deps.env.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean)));
  app.use(errorHandler(deps.logger));
  app.use(web.middleware());
  // JSON bodies are read per route, after auth and within the route's limit (RouteRegistry.add).
  app.use(pub.routes()).use(pub.allowedMethods());
  app.use(authed.routes()).use(authed.allowedMethods());
  return app;
}
