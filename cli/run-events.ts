import { AssayUnreachableError, unwrap, type AssayClient, type Answer } from '../client/index.js';

export type RunStatusBody = Answer<'getRunStatus'>;
export type RunEvent =
  | { kind: 'status'; id: string; status: RunStatusBody }
  | { kind: 'log'; id: string; log: { at: string; level: string; message: string } };

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** Splits an event-stream body into `{id, event, data}` frames (comments and keep-alives dropped). */
export async function* sseFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<{ id?: string; event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let id: string | undefined, event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const sep = line.indexOf(':');
        const field = sep < 0 ? line : line.slice(0, sep);
        const value = sep < 0 ? '' : line.slice(sep + 1).replace(/^ /, '');
        if (field === 'id') id = value; else if (field === 'event') event = value; else if (field === 'data') data.push(value);
      }
      if (data.length) yield { id, event, data: data.join('\n') };
    }
  }
}

/**
 * A run's events through the typed client until the run ends: status and log events in order. A dropped connection
 * is reopened with Last-Event-ID, so nothing is missed or repeated.
 * @example for await (const e of runEvents(api, runId)) if (e.kind === 'status') draw(e.status.progress);
 */
export async function* runEvents(api: AssayClient, runId: string, o: { signal?: AbortSignal; retries?: number } = {}): AsyncGenerator<RunEvent> {
  let lastId: string | undefined;
  let failures = 0;
  for (;;) {
    let ended = false;
    try {
      const { data, error, response } = await api.GET('/runs/{id}/events', {
        params: { path: { id: runId } }, parseAs: 'stream', signal: o.signal,
        headers: lastId ? { 'Last-Event-ID': lastId } : {},
      });
      if (!response.ok || !data) await unwrap(Promise.resolve({ data, error, response })); // throws the API's error
      for await (const f of sseFrames(data as ReadableStream<Uint8Array>)) {
        failures = 0;
        if (f.id) lastId = f.id;
        if (f.event === 'status') {
          const status = JSON.parse(f.data) as RunStatusBody;
          yield { kind: 'status', id: f.id ?? '', status };
          if (TERMINAL.has(status.status)) ended = true;
        } else if (f.event === 'log') {
          yield { kind: 'log', id: f.id ?? '', log: JSON.parse(f.data) as { at: string; level: string; message: string } };
        }
      }
    } catch (err) {
      if (o.signal?.aborted) return;
      // Only a dropped or refused connection is retried; an API error (404, 401) is final.
      if (!(err instanceof AssayUnreachableError) && !(err instanceof TypeError)) throw err;
      if (++failures > (o.retries ?? 5)) throw err;
    }
    if (ended) return;
    // The server closes the stream when the run ends; closed earlier (a restart, a proxy), it is reopened.
    await new Promise((r) => setTimeout(r, Math.min(8000, 500 * 2 ** failures)));
  }
}
