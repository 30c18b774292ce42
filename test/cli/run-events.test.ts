import { expect, test } from 'vitest';
import { runEvents, sseFrames } from '../../cli/run-events.js';
import { createAssayClient } from '../../client/index.js';

const streamOf = (...chunks: string[]) => new ReadableStream<Uint8Array>({
  start(c) { for (const s of chunks) c.enqueue(new TextEncoder().encode(s)); c.close(); },
});
const status = (s: string, progress: number) => JSON.stringify({ run_id: 'r', workflow_id: 'run-r', status: s, stage: 'train', progress, heartbeat_at: null, question: null, error: null, logs: [] });

test('frames split across chunks, comments and multi-line data are read as the event-stream format says', async () => {
  const frames = [];
  for await (const f of sseFrames(streamOf('id: 7\nevent: log\nda', 'ta: {"a":1}\n\n: keep-alive\n\n', 'id: 7.1\nevent: status\ndata: x\ndata: y\n\n'))) frames.push(f);
  expect(frames).toEqual([{ id: '7', event: 'log', data: '{"a":1}' }, { id: '7.1', event: 'status', data: 'x\ny' }]);
});

test('a stream that drops before the run ends is reopened with Last-Event-ID, and the events go on from there', async () => {
  const asked: (string | null)[] = [];
  const bodies = [
    `id: 3\nevent: log\ndata: {"at":"t","level":"info","message":"train: started"}\n\nid: 3.1\nevent: status\ndata: ${status('running', 40)}\n\n`, // then the connection drops
    `id: 4\nevent: log\ndata: {"at":"t","level":"info","message":"finalize: run completed"}\n\nid: 4.2\nevent: status\ndata: ${status('completed', 100)}\n\n`,
  ];
  const api = createAssayClient({ baseUrl: 'http://assay.test', token: 't', fetch: async (req) => {
    asked.push(req.headers.get('last-event-id'));
    return new Response(streamOf(bodies[asked.length - 1]), { headers: { 'content-type': 'text/event-stream' } });
  } });
  const seen: string[] = [];
  for await (const e of runEvents(api, 'r')) seen.push(e.kind === 'log' ? e.log.message : `${e.status.status} ${e.status.progress}`);
  expect(asked).toEqual([null, '3.1']);
  expect(seen).toEqual(['train: started', 'running 40', 'finalize: run completed', 'completed 100']);
});

test('an API error on the stream (the run is not yours) is final, not retried', async () => {
  let calls = 0;
  const api = createAssayClient({ baseUrl: 'http://assay.test', fetch: async () => {
    calls++;
    return Response.json({ error: { code: 'NOT_FOUND', message: 'No such run.', details: {}, request_id: 'x' } }, { status: 404 });
  } });
  const err = await (async () => { for await (const e of runEvents(api, 'r')) void e; })().catch((e: unknown) => e);
  expect(err).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  expect(calls).toBe(1);
});
