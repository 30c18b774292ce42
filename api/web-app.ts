import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Next } from 'koa';
import { ApiError } from './errors.js';

/**
 * The app's policy: scripts only from this origin (no inline script), requests only to this API. Inline styles are
 * allowed because the report is shown in a sandboxed `srcdoc` frame, which inherits this policy and is styled inline.
 */
export const WEB_APP_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
  + "connect-src 'self'; font-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The chart worker's own policy (a dedicated worker runs under the CSP of its script's response, not the page's):
 * vega compiles chart expressions with `Function`, so this one script may eval. It has no DOM, no token and may
 * fetch nothing; the page keeps `script-src 'self'` without 'unsafe-eval'.
 */
export const WEB_CHART_WORKER_CSP = "default-src 'none'; script-src 'self' 'unsafe-eval'";

/** Where `scripts/build-web.ts` puts the app: dist/web-app beside the sources, or beside the compiled API in dist/. */
const CANDIDATES = ['../dist/web-app/', '../web-app/'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json; charset=utf-8', '.html': 'text/html; charset=utf-8',
};

/** Paths the single-page app owns in the browser: `/` and `/app/...`. No API route lives under them. */
export const isAppRoute = (p: string) => p === '/' || p === '/app' || p.startsWith('/app/');

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export interface WebApp {
  /** Answers index.html for an app route (the browser's router takes it from there). */
  index(ctx: Context): Promise<void>;
  /** Serves `/assets/*` (hashed names: cached for a year) and the app routes under `/app`; passes everything else on. */
  middleware(): (ctx: Context, next: Next) => Promise<void>;
}

/**
 * The built web app, served by the API itself (no second server). index.html is read per request, so a rebuild shows
 * without a restart; the Temporal Web UI address goes into a `<meta>` tag (no inline script, so the CSP stays strict).
 * @example const web = webApp({ temporalUiUrl: env.TEMPORAL_UI_URL, namespace: env.TEMPORAL_NAMESPACE }); app.use(web.middleware());
 */
export function webApp(o: { temporalUiUrl: string; namespace: string; dir?: string }): WebApp {
  const dir = () => o.dir ?? CANDIDATES.find((d) => fs.existsSync(path.join(d, 'index.html')));
  const workflowsUrl = `${o.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(o.namespace)}/workflows/`;

  const index = async (ctx: Context) => {
    const root = dir();
    const html = root ? await fs.promises.readFile(path.join(root, 'index.html'), 'utf8').catch(() => null) : null;
    if (html === null) throw new ApiError('SERVICE_UNAVAILABLE', 'The web app is not built: run `npx tsx scripts/build-web.ts` (npm start and npm run build do it).');
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Content-Security-Policy', WEB_APP_CSP);
    // Always revalidated: it names the current hashed bundles.
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = html.replace('<meta name="assay-temporal-workflows" content="">', `<meta name="assay-temporal-workflows" content="${escapeAttr(workflowsUrl)}">`);
  };

  const asset = async (ctx: Context) => {
    const root = dir();
    const rel = ctx.path.slice('/assets/'.length);
    // Vite names files [name]-[hash].[ext]: no folders, no dots leading, nothing that climbs out.
    if (!root || !/^[\w.-]+$/.test(rel) || rel.startsWith('.')) throw new ApiError('NOT_FOUND', `No such asset: ${ctx.path}`);
    const file = path.join(root, 'assets', rel);
    const stat = await fs.promises.stat(file).catch(() => null);
    if (!stat?.isFile()) throw new ApiError('NOT_FOUND', `No such asset: ${ctx.path}`);
    ctx.type = TYPES[path.extname(rel)] ?? 'application/octet-stream';
    ctx.length = stat.size;
    ctx.lastModified = stat.mtime;
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    if (/^chart-worker-[\w-]+\.js$/.test(rel)) ctx.set('Content-Security-Policy', WEB_CHART_WORKER_CSP);
    if (ctx.method === 'HEAD') ctx.status = 200; // headers only: no file opened
    else ctx.body = fs.createReadStream(file);
  };

  return {
    index,
    middleware: () => async (ctx, next) => {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
      if (ctx.path.startsWith('/assets/')) return asset(ctx);
      if (ctx.path !== '/' && isAppRoute(ctx.path)) return index(ctx);
      return next();
    },
  };
}
