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
  expect(folds.length).toBeGreaterThanOrEqual(12); // baseline, linear, random forest, gbdt × 3 folds, then the search's trials
  expect(folds.map((f) => /\((\d+) fits done\)/.exec(f.data.message!)?.[1])).toEqual(Array.from({ length: folds.length }, (_, i) => String(i + 1)));
  for (const f of folds) expect(f.data.message).toMatch(/^train: (baseline|linear|random_forest|gbdt)( \(.*\))? fold [123] — macro_f1 (0|1)\.\d{4} on its held-out rows/);
  // The scores are the ones the leaderboard is made of.
  const result = (await c.get(`/runs/${runId}/result`)).body as { modeling: { leaderboard: { model: string; cv_mean: number }[] } };
  const byModel = new Map<string, number[]>();
  // One trial = one model with its parameters: the lines of each trial average to a cv_mean of the leaderboard.
  for (const f of folds) {
    const [, trial, score] = /^train: (\w+(?: \(.*\))?) fold \d — macro_f1 ([\d.]+)/.exec(f.data.message!)!;
    byModel.set(trial, [...(byModel.get(trial) ?? []), Number(score)]);
  }
  const means = [...byModel.values()].filter((s) => s.length === 3).map((s) => s.reduce((a, b) => a + b, 0) / 3);
  for (const e of result.modeling.leaderboard.filter((x) => x.model !== 'ensemble')) {
    expect(means.some((m) => Math.abs(m - e.cv_mean) < 1e-4)).toBe(true); // the lines round to 4 decimals
  }
  // Every fold line comes before the stream says the run reached the report.
  // (The stream sends status changes as it sees them; a fast stage can pass between two looks.)
  const reportAt = frames.findIndex((f) => f.event === 'status' && ['report', 'qa', 'finalize'].includes(f.data.stage!));
  expect(reportAt).toBeGreaterThan(frames.indexOf(folds.at(-1)!));

  // A client that dropped after the fifth fold resumes with only what followed it.
  const resumed = await readStream(c, runId, folds[4].id);
  const resumedLogs = resumed.filter((f) => f.event === 'log');
  const allLogs = frames.filter((f) => f.event === 'log');
  expect(resumedLogs.map((f) => f.id)).toEqual(allLogs.slice(allLogs.indexOf(folds[4]) + 1).map((f) => f.id));
  expect(resumedLogs.filter((f) => / fold \d+ — /.test(f.data.message!))).toHaveLength(folds.length - 5);
  expect(resumed.at(-1)).toMatchObject({ event: 'status', data: { status: 'completed' } });
});
