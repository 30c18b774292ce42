// Scenario 4: kill -9 of the API mid-run and mid-upload. The run lives in Temporal and the worker, so it
// completes and is listed after the API restarts; the interrupted upload leaves no dataset row and no object.
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { expectSameAsUndisturbed, FaultStack, recordOutcome, RUN_OPTIONS, syntheticCsv } from './helpers.js';

let stack: FaultStack;
beforeAll(async () => {
  stack = await FaultStack.start('api-kill');
  await Promise.all([stack.startApi(), stack.startWorker('worker-a')]);
});
afterAll(async () => { await stack?.close(); });

/** A multipart upload of `mb` megabytes of CSV, sent slowly (about 2 MB/s) so a kill lands while it streams. */
function slowUpload(base: string, token: string, mb: number): Promise<unknown> {
  const boundary = 'faultboundary';
  const enc = new TextEncoder();
  const row = enc.encode('1,2,3,4,5,6,7,8,north,yes\n'.repeat(4000));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    start(c) { c.enqueue(enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\na,b,c,d,e,f,g,h,segment,label\n`)); },
    async pull(c) {
      if (sent >= mb * 1e6) { c.enqueue(enc.encode(`\r\n--${boundary}--\r\n`)); c.close(); return; }
      await new Promise((r) => setTimeout(r, 50));
      c.enqueue(row);
      sent += row.byteLength;
    },
  });
  return fetch(`${base}/datasets/upload`, {
    method: 'POST', body, duplex: 'half', headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
  } as RequestInit).then((r) => r.status, (e: Error) => e.message);
}

test('the API killed with SIGKILL mid-run and mid-upload: the run completes and is listed after restart; the upload left nothing behind', async () => {
  const ds = await stack.dataset(syntheticCsv(path.join(stack.dir, 'synthetic.csv')));
  const undisturbed = await stack.startRun(ds, RUN_OPTIONS);
  expect((await stack.waitEnded(undisturbed)).status).toBe('completed');
  const userId = (await stack.client.get('/auth/me')).body.id ?? (await stack.query<{ user_id: string }>('select user_id from datasets where id = $1', [ds]))[0].user_id;
  const objectsBefore = (await stack.storage.list(`datasets/${userId}/`)).map((o) => o.key);

  const t0 = Date.now();
  // The upload goes first and the kill comes as soon as the run is in train: a fast machine finishes ingest and
  // profile within a poll, so waiting for those could see the run end before the kill.
  const upload = slowUpload(stack.client.base, stack.client.token!, 40);
  const runId = await stack.startRun(ds, RUN_OPTIONS);
  await stack.waitStage(runId, 'train');
  await new Promise((r) => setTimeout(r, Math.max(0, t0 + 2000 - Date.now()))); // a few MB in, well before the end of the body
  await stack.procs.find((p) => p.name === 'api')!.kill9();
  expect((await stack.query<{ status: string }>('select status from runs where id = $1', [runId]))[0].status).not.toBe('completed'); // it was mid-run
  expect(await upload).not.toBe(201);
  await stack.startApi('api-restarted');
  const end = await stack.waitEnded(runId);
  const wall = (Date.now() - t0) / 1000;

  expect(end.status).toBe('completed');
  const listed = (await stack.client.get('/runs')).body.items.map((r: { id: string }) => r.id);
  expect(listed).toContain(runId);
  expect((await stack.query('select id from datasets where user_id = $1', [userId])).map((r) => r.id)).toEqual([ds]);
  expect((await stack.storage.list(`datasets/${userId}/`)).map((o) => o.key)).toEqual(objectsBefore);
  await expectSameAsUndisturbed(stack, runId, undisturbed);
  recordOutcome({ scenario: '4 API kill -9 mid-run + mid-upload', outcome: 'completed, listed after restart; no dataset row or object from the upload', wall_s: wall });
});
