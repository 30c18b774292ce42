// The run event stream during training: a log event per finished fold, each with an id a reconnect can resume after.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiClient, VEGA } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => { stack = await startStack({ db: 'pglite' }); });
afterAll(async () => { await stack?.close(); });

interface Frame { id: string; event: string; data: { message?: string; stage?: string; status?: string; progress?: number } }

const readStream = async (c: ApiClient, runId: string, lastEventId?: string): Promise<Frame[]> => {
  const headers: Record<string, string> = { authorization: `Bearer ${c.token}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) };
  const text = await (await fetch(`${stack.base}/runs/${runId}/events`, { headers })).text(); // ends with the run
  return text.split('\n\n').filter((f) => f && !f.startsWith(':')).map((f) => {
    const m = /^id: (\S+)\nevent: (\w+)\ndata: (.*)$/.exec(f);
    if (!m) throw new Error(`a frame without an id: ${f}`);
    return { id: m[1], event: m[2], data: JSON.parse(m[3]) as Frame['data'] };
  });
};

test('training sends a log event per finished fold, naming its metric and score, before the run moves on', async () => {
  const c = new ApiClient(stack.base);
  await c.register();
  const ds = (await c.uploadFile(VEGA('penguins.json'))).body.dataset_id;
  const runId = (await c.post('/runs/start', { dataset_id: ds, options: { target: 'Species', cv_folds: 3, seed: 3 } })).body.run_id;
  const frames = await readStream(c, runId);

  const folds = frames.filter((f) => f.event === 'log' && / fold \d+ — /.test(f.data.message!));
  expect(folds).toHaveLength(12); // baseline, linear, random forest, gbdt × 3 folds
  expect(folds.map((f) => /\((\d+)\/12 fits done\)/.exec(f.data.message!)?.[1])).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 1)));
  for (const f of folds) expect(f.data.message).toMatch(/^train: (baseline|linear|random_forest|gbdt) fold [123] — macro_f1 (0|1)\.\d{4} on its held-out rows/);
  // The scores are the ones the leaderboard is made of.
  const result = (await c.get(`/runs/${runId}/result`)).body as { modeling: { leaderboard: { model: string; cv_mean: number }[] } };
  const byModel = new Map<string, number[]>();
  for (const f of folds) {
    const [, model, score] = /^train: (\w+) fold \d — macro_f1 ([\d.]+)/.exec(f.data.message!)!;
    byModel.set(model, [...(byModel.get(model) ?? []), Number(score)]);
  }
  for (const e of result.modeling.leaderboard) {
    const mean = byModel.get(e.model)!.reduce((a, b) => a + b, 0) / 3;
    expect(Math.abs(mean - e.cv_mean)).toBeLessThan(1e-4); // the lines round to 4 decimals
  }
  // Every fold line comes before the stream says the run reached the report.
  const reportAt = frames.findIndex((f) => f.event === 'status' && f.data.stage === 'report');
  expect(reportAt).toBeGreaterThan(frames.indexOf(folds.at(-1)!));

  // A client that dropped after the fifth fold resumes with only what followed it.
  const resumed = await readStream(c, runId, folds[4].id);
  const resumedLogs = resumed.filter((f) => f.event === 'log');
  const allLogs = frames.filter((f) => f.event === 'log');
  expect(resumedLogs.map((f) => f.id)).toEqual(allLogs.slice(allLogs.indexOf(folds[4]) + 1).map((f) => f.id));
  expect(resumedLogs.filter((f) => / fold \d+ — /.test(f.data.message!))).toHaveLength(7);
  expect(resumed.at(-1)).toMatchObject({ event: 'status', data: { status: 'completed' } });
});
