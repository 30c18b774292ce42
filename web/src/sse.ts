// Server-sent events over fetch, not EventSource: EventSource cannot send the Authorization header, and a token in
// the URL would end up in logs and history. fetch sends the bearer token like every other call, and the stream
// resumes after a drop with Last-Event-ID, as EventSource would.

/** One event of the stream. */
export interface SseEvent { id: string | null; event: string; data: string }

/**
 * Splits a text stream into events, keeping an unfinished one for the next chunk.
 * @example const p = sseParser(); p.push('id: 1\nevent: log\ndata: {}\n\n'); // → [{id:'1', event:'log', data:'{}'}]
 */
export function sseParser() {
  let buf = '';
  return {
    push(chunk: string): SseEvent[] {
      buf += chunk.replace(/\r\n?/g, '\n');
      const out: SseEvent[] = [];
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        let id: string | null = null, event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (!line || line.startsWith(':')) continue; // comments are keep-alives
          const i = line.indexOf(':');
          const field = i < 0 ? line : line.slice(0, i);
          const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
          if (field === 'id') id = value;
          else if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
        if (data.length) out.push({ id, event, data: data.join('\n') });
      }
      return out;
    },
  };
}

/**
 * Reads a stream of events until it ends or `signal` aborts; `open(lastId)` makes one request (with Last-Event-ID
 * when resuming). A dropped connection is reopened after `retryMs`; a clean end (the run finished) stops.
 */
export async function followEvents(open: (lastId: string | null, signal: AbortSignal) => Promise<ReadableStream<Uint8Array>>,
  onEvent: (e: SseEvent) => void, signal: AbortSignal, retryMs = 2000): Promise<void> {
  let lastId: string | null = null;
  while (!signal.aborted) {
    try {
      const reader = (await open(lastId, signal)).getReader();
      const decoder = new TextDecoder();
      const parser = sseParser();
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        const events: SseEvent[] = parser.push(decoder.decode(chunk.value, { stream: true }));
        for (const e of events) {
          if (e.id !== null) lastId = e.id;
          onEvent(e);
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      if ((err as { status?: number }).status && (err as { status: number }).status < 500) throw err; // 401, 404: no point retrying
      await new Promise((r) => setTimeout(r, retryMs));
    }
  }
}
