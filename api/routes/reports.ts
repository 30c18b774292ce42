import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AppDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { paramsOf, parse, type RouteRegistry } from '../route-registry.js';
import { DownloadQuery, IdParam } from '../schemas.js';
import { readerScope } from '../scope.js';

/** A report is its run's report artifact; its id is that artifact's id. */
async function findReport(deps: AppDeps, ctx: Context) {
  const { id } = parse(IdParam, paramsOf(ctx));
  const owner = readerScope(ctx);
  let q = deps.db.selectFrom('artifacts').selectAll().where('id', '=', id).where('type', '=', 'report');
  if (owner) q = q.where('user_id', '=', owner);
  const a = await q.executeTakeFirst();
  if (!a) throw notFound('report');
  return a;
}

export function reportRoutes(r: RouteRegistry, router: Router, deps: AppDeps) {
  r.add(router, { method: 'get', path: '/reports/:id', operationId: 'getReport', summary: 'The HTML report', tag: 'reports', auth: true, produces: 'text/html' }, async (ctx) => {
    const a = await findReport(deps, ctx);
    ctx.type = 'text/html; charset=utf-8';
    // The report is self-contained: forbid scripts and network loads even if something slipped through escaping.
    // Framable by our own web app only; `sandbox` keeps even a smuggled script from running with the API's origin.
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox");
    ctx.set('X-Frame-Options', 'SAMEORIGIN');
    ctx.body = await deps.storage.get(a.storage_key);
  });

  r.add(router, { method: 'get', path: '/reports/:id/download', operationId: 'downloadReport', summary: 'Download the report (redirect to a signed link)', tag: 'reports', auth: true, query: DownloadQuery, status: 302 },
    async (ctx) => {
      const a = await findReport(deps, ctx);
      const { format } = parse(DownloadQuery, ctx.query);
      let key = a.storage_key, filename = a.filename, type = a.content_type;
      if (format === 'pdf') {
        const pdf = await deps.db.selectFrom('artifacts').selectAll().where('run_id', '=', a.run_id).where('type', '=', 'report_pdf').executeTakeFirst();
        if (!pdf) throw new ApiError('NOT_FOUND', 'This report has no PDF: it is rendered only where Chromium is available (see result.warnings). Download format=html instead.');
        key = pdf.storage_key; filename = pdf.filename; type = pdf.content_type;
      }
      const link = await deps.storage.presign(key, { expiresInS: deps.env.DOWNLOAD_URL_TTL_S, filename, contentType: type });
      ctx.redirect(link.url);
    });
}
