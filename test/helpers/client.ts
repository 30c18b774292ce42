// A small HTTP client for tests, speaking the API the way a user's script would.
import fs from 'node:fs';
import path from 'node:path';

export interface Res<T = any> { status: number; body: T; headers: Headers; text: string }

export class ApiClient {
  constructor(readonly base: string, public token?: string) {}

  async req<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
    const init: RequestInit = { method, headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...headers }, redirect: 'manual' };
    if (body instanceof FormData) init.body = body;
    else if (typeof body === 'string') { init.body = body; (init.headers as Record<string, string>)['content-type'] ??= 'application/json'; }
    else if (body !== undefined) { init.body = JSON.stringify(body); (init.headers as Record<string, string>)['content-type'] = 'application/json'; }
    const res = await fetch(this.base + url, init);
    const text = await res.text();
    let parsed: unknown = text;
    if (res.headers.get('content-type')?.includes('json')) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as T, headers: res.headers, text };
  }
  get<T = any>(url: string) { return this.req<T>('GET', url); }
  post<T = any>(url: string, body?: unknown, headers?: Record<string, string>) { return this.req<T>('POST', url, body ?? {}, headers); }
  del<T = any>(url: string) { return this.req<T>('DELETE', url); }

  /** Registers a fresh user and keeps its token. */
  async register(email = `u-${Math.random().toString(36).slice(2)}@example.com`, name = 'Test User') {
    const r = await this.post('/auth/register', { name, email, password: 'correct horse battery' });
    if (r.status !== 201) throw new Error(`register failed: ${r.status} ${r.text}`);
    this.token = r.body.access_token;
    return r.body as { access_token: string; user: { id: string; email: string; role: string } };
  }

  async upload(filename: string, content: string | Buffer, extra: Record<string, string> = {}) {
    const fd = new FormData();
    fd.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), filename);
    for (const [k, v] of Object.entries(extra)) fd.append(k, v);
    return this.req('POST', '/datasets/upload', fd);
  }
  uploadFile(file: string) { return this.upload(path.basename(file), fs.readFileSync(file)); }

  /** Waits until `/health` answers 200 (a freshly spawned API coming up). */
  async waitUntilHealthy(timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    while ((await this.get('/health').catch(() => ({ status: 0 }))).status !== 200) {
      if (Date.now() > deadline) throw new Error(`the API at ${this.base} did not become healthy`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  /** Polls the status route until `pred` holds. */
  async waitFor(runId: string, pred: (s: any) => boolean, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.get(`/runs/${runId}/status`);
      if (s.status === 200 && pred(s.body)) return s.body;
      if (Date.now() > deadline) throw new Error(`run ${runId} did not reach the state; last: ${s.text}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export const VEGA = (name: string) => path.resolve('node_modules/vega-datasets/data', name);
