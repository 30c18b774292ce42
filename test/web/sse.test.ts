// The web app's event-stream reader (pure logic): frames split across chunks, comments, and resuming after a drop.
import { expect, test } from 'vitest';
import { followEvents, sseParser, type SseEvent } from '../../web/src/sse.js';

const bytes = (s: string) => new TextEncoder().encode(s);

test('frames split anywhere across chunks come out whole; keep-alive comments are skipped; CRLF is read', () => {
  const p = sseParser();
  const text = 'id: 7\nevent: log\ndata: {"a":1}\n\n: keep-alive\n\nid: 7.1\r\nevent: status\r\ndata: {"s":\r\ndata: 2}\r\n\r\n';
  const got: SseEvent[] = [];
  for (let i = 0; i < text.length; i += 5) got.push(...p.push(text.slice(i, i + 5)));
  expect(got).toEqual([
    { id: '7', event: 'log', data: '{"a":1}' },
    { id: '7.1', event: 'status', data: '{"s":\n2}' },
  ]);
});

test('a dropped stream is reopened with the last event id; a clean end stops', async () => {
  const asked: (string | null)[] = [];
  const streams = [
    // The first connection sends one event, then half of another, then breaks.
    () => {
      let sent = false;
      return new ReadableStream<Uint8Array>({ pull(c) {
        if (sent) c.error(new Error('connection reset'));
        else { sent = true; c.enqueue(bytes('id: 1\nevent: log\ndata: one\n\nid: 2\nevent: lo')); }
      } });
    },
    () => new ReadableStream<Uint8Array>({ start(c) { c.enqueue(bytes('id: 2\nevent: log\ndata: two\n\n')); c.close(); } }),
  ];
  const seen: string[] = [];
  await followEvents(async (lastId) => { asked.push(lastId); return streams[asked.length - 1](); }, (e) => seen.push(`${e.id}:${e.data}`), new AbortController().signal, 1);
  expect(asked).toEqual([null, '1']);
  expect(seen).toEqual(['1:one', '2:two']);
});

test('an answer the API refuses (401, 404) is not retried', async () => {
  let calls = 0;
  const refused = Object.assign(new Error('The token is invalid or expired; log in again.'), { status: 401 });
  await expect(followEvents(async () => { calls += 1; throw refused; }, () => undefined, new AbortController().signal, 1)).rejects.toBe(refused);
  expect(calls).toBe(1);
});
