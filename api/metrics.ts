import type { Context, Next } from 'koa';

/**
 * The route template a request matched. The router's own `_matchedRoute` names the auth middleware when auth
 * refuses before the route runs, so the last matched layer with methods (an endpoint) is taken instead.
 */
function routeOf(ctx: Context): string {
  const c = ctx as unknown as { matched?: { methods: string[]; path: string | RegExp }[]; _matchedRoute?: string };
  const endpoint = c.matched?.filter((l) => l.methods.length > 0 && typeof l.path === 'string').at(-1);
  return (endpoint?.path as string | undefined) ?? c._matchedRoute ?? 'unmatched';
}

/** A tiny Prometheus registry: request counters and durations by route, plus gauges read at scrape time. */
export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, { sum: number; count: number }>();

  middleware() {
    return async (ctx: Context, next: Next) => {
      const started = performance.now();
      try {
        await next();
      } finally {
        const route = routeOf(ctx);
        const key = `method="${ctx.method}",route="${route}",status="${ctx.status}"`;
        this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
        const d = this.durations.get(`route="${route}"`) ?? { sum: 0, count: 0 };
        d.sum += (performance.now() - started) / 1000;
        d.count++;
        this.durations.set(`route="${route}"`, d);
      }
    };
  }

  render(gauges: { name: string; help: string; values: { labels: string; value: number }[] }[]): string {
    const lines = ['# HELP assay_http_requests_total HTTP requests by route and status.', '# TYPE assay_http_requests_total counter'];
    for (const [k, v] of this.requests) lines.push(`assay_http_requests_total{${k}} ${v}`);
    lines.push('# HELP assay_http_request_duration_seconds Time spent answering requests.', '# TYPE assay_http_request_duration_seconds summary');
    for (const [k, v] of this.durations) lines.push(`assay_http_request_duration_seconds_sum{${k}} ${v.sum}`, `assay_http_request_duration_seconds_count{${k}} ${v.count}`);
    for (const g of gauges) {
      lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`);
      for (const v of g.values) lines.push(`${g.name}${v.labels ? `{${v.labels}}` : ''} ${v.value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
