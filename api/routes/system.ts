import type Router from '@koa/router';
import { sql } from 'kysely';
import { FsStorage } from '../../storage/fs-storage.js';
import { isSafeKey } from '../../storage/storage.js';
import { RUN_STATUSES } from '../../workflows/definitions.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { openApiDocument, type RouteRegistry } from '../route-registry.js';
import { scalarBundle } from '../docs-assets.js';
import { HealthOut } from '../schemas.js';
import { singleFlightCache } from '../single-flight-cache.js';
import { staticPage } from '../security-headers.js';
import type { WebApp } from '../web-app.js';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);

export function systemRoutes(r: RouteRegistry, router: Router, deps: AppDeps, web: WebApp) {
  const docsPage = staticPage(new URL('../web/docs.html', import.meta.url));
  // The pages' CSP plus one thing: Scalar's script from this origin (/docs/scalar.js). Its run-time styles fit the
  // existing style-src, and try-it-out calls this origin only (connect-src 'self'); the Chromium test finds no violation.
  const docsCsp = docsPage.csp.replace("script-src ", "script-src 'self' ");
  const check = async (fn: () => Promise<unknown>) => withTimeout(fn(), 3000).then(() => 'ok', (e: Error) => `down: ${e.message}`);
  // Probes poll /health every few seconds from several places: the dependencies are asked at most twice a second,
  // all three at once, and a slow answer (a store busy taking a large upload) delays no probe while a fresh one is
  // on its way. An answer is never older than 2.5 s.
  const health = singleFlightCache(async () => {
    const [db, temporal, storage] = await Promise.all([
      check(() => sql`select 1`.execute(deps.db)), check(() => deps.temporal.workflowService.getSystemInfo({})), check(() => deps.storage.check()),
    ]);
    return { db, temporal, storage };
  }, { ttlMs: 500, staleMs: 2000, maxEntries: 1 });

  r.add(router, { method: 'get', path: '/health', operationId: 'getHealth', summary: 'Health of the API and what it depends on', tag: 'system', auth: false, response: HealthOut }, async (ctx) => {
    const checks = await health.get('all');
    const ok = Object.values(checks).every((c) => c === 'ok');
    ctx.status = ok ? 200 : 503;
    ctx.body = { status: ok ? 'ok' : 'degraded', version: deps.version, uptime_s: Math.round((Date.now() - deps.startedAt) / 1000), checks };
  });

  r.add(router, { method: 'get', path: '/metrics', operationId: 'getMetrics', summary: 'Prometheus metrics', tag: 'system', auth: false, produces: 'text/plain' }, async (ctx) => {
    const byStatus = await deps.db.selectFrom('runs').select(['status', sql<number>`count(*)`.as('n')]).groupBy('status').execute();
    const counts = new Map(byStatus.map((b) => [b.status, Number(b.n)]));
    const mem = process.memoryUsage();
    ctx.type = 'text/plain; version=0.0.4';
    ctx.body = deps.metrics.render([
      { name: 'assay_runs', help: 'Runs by status.', values: RUN_STATUSES.map((s) => ({ labels: `status="${s}"`, value: counts.get(s) ?? 0 })) },
      { name: 'assay_process_resident_memory_bytes', help: 'Resident memory of the API process.', values: [{ labels: '', value: mem.rss }] },
      { name: 'assay_process_uptime_seconds', help: 'Seconds since the API started.', values: [{ labels: '', value: (Date.now() - deps.startedAt) / 1000 }] },
    ]);
  });

  r.add(router, { method: 'get', path: '/openapi.json', operationId: 'getOpenApiDocument', summary: 'This document', tag: 'system', auth: false }, async (ctx) => {
    ctx.body = openApiDocument(r.specs, deps.version);
  });

  r.add(router, { method: 'get', path: '/docs', operationId: 'getDocsPage', summary: 'API reference with try-it-out (Scalar)', tag: 'system', auth: false, produces: 'text/html' },
    async (ctx) => {
      ctx.type = 'text/html; charset=utf-8';
      ctx.set('Content-Security-Policy', docsCsp);
      ctx.body = docsPage.body;
    });

  r.add(router, { method: 'get', path: '/docs/scalar.js', operationId: 'getDocsScript', summary: "The API reference's script (Scalar's browser bundle, served from here: no CDN)", tag: 'system', auth: false, produces: 'text/javascript' },
    async (ctx) => {
      const js = scalarBundle();
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.vary('Accept-Encoding');
      // A day, then revalidated by ETag: an upgrade of the bundle shows within a day, without a version in the URL.
      ctx.set({ 'Cache-Control': 'public, max-age=86400', ETag: js.etag });
      ctx.status = 200; // Koa judges freshness only on a 2xx
      if (ctx.fresh) { ctx.status = 304; return; }
      if (ctx.acceptsEncodings('gzip', 'identity') === 'gzip') { ctx.set('Content-Encoding', 'gzip'); ctx.body = js.gzip; }
      else ctx.body = js.body;
    });

  r.add(router, { method: 'get', path: '/files', operationId: 'downloadSignedFile', summary: 'Signed download link target (filesystem storage)', tag: 'system', auth: false }, async (ctx) => {
    const { key, exp, filename, sig } = ctx.query as Record<string, string | undefined>;
    if (!(deps.storage instanceof FsStorage) || !key || !exp || !filename || !sig || !isSafeKey(key)) throw new ApiError('NOT_FOUND', 'No such download link.');
    const verdict = deps.storage.verifyLink(key, Number(exp), filename, sig);
    if (verdict === 'expired') throw new ApiError('FORBIDDEN', 'This download link has expired; list the artifacts again for a fresh one.');
    if (verdict !== 'ok') throw new ApiError('FORBIDDEN', 'This download link is not valid.');
    if (!(await deps.storage.exists(key))) throw new ApiError('NOT_FOUND', 'The file behind this link no longer exists.');
    ctx.attachment(filename);
    ctx.body = deps.storage.openRead(key);
  });

  r.add(router, { method: 'get', path: '/', operationId: 'getWebApp', summary: 'The web page', tag: 'system', auth: false, produces: 'text/html' }, async (ctx) => {
    await web.index(ctx);
  });
}
