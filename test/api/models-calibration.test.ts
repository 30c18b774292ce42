import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { applyCalibration } from '../../analysis/ml/calibration.js';
import { exportOnnx, onnxInputs } from '../../analysis/ml/export/onnx.js';
import { predictRows } from '../../analysis/ml/predict.js';
import type { ModelArtifact } from '../../analysis/ml/train-models.js';
import { ApiClient } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let c: ApiClient;
let runId: string;
let modelId: string;
const rows: Record<string, number>[] = [];

/**
 * 1,500 rows whose class is a sharp function of four features among twelve: a random forest's averaged votes are
 * under-confident there (its probabilities stay away from 0 and 1 where the truth is near them).
 */
function sharpCsv(): string {
  let seed = 11;
  const rand = () => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed / 2 ** 31; };
  const names = ['a', 'b', 'c', 'd', ...Array.from({ length: 8 }, (_, j) => `n${j}`)];
  const lines = [[...names, 'y'].join(',')];
  for (let i = 0; i < 1500; i++) {
    const v = names.map(() => Math.round((rand() * 2 - 1) * 1000) / 1000);
    const z = 8 * (v[0] + v[1] + v[2] + v[3]);
    rows.push(Object.fromEntries(names.map((n, j) => [n, v[j]])));
    lines.push([...v, rand() < 1 / (1 + Math.exp(-z)) ? 'yes' : 'no'].join(','));
  }
  return lines.join('\n');
}

beforeAll(async () => {
  stack = await startStack({ db: 'pglite' });
  c = new ApiClient(stack.base);
  await c.register();
  const dataset = (await c.upload('sharp.csv', sharpCsv())).body.dataset_id;
  const r = await c.post('/runs/start', { dataset_id: dataset, options: { target: 'y', models: ['random_forest'], metric: 'f1_macro', cv_folds: 5, seed: 3 } });
  expect(r.status).toBe(202);
  runId = r.body.run_id;
  const s = await c.waitFor(runId, (b) => b.status === 'completed' || b.status === 'failed', 240_000);
  expect(s.error).toBeNull();
}, 300_000);
afterAll(async () => { await stack?.close(); });

test('a random forest chosen on macro F1 is calibrated: result, report, predict and ONNX export all serve the calibrated probabilities', async () => {
  const res = await c.get(`/runs/${runId}/result`);
  const m = res.body.modeling;
  modelId = m.best_model_id;
  expect(m.calibration).toMatchObject({ applied: true, params: { method: expect.stringMatching(/^(platt|temperature)$/) } });
  expect(m.calibration.oof.log_loss_after).toBeLessThan(m.calibration.oof.log_loss_before);
  expect(m.calibration.test.rows).toBe(300);
  expect(m.calibration.test.log_loss_after).toBeLessThan(m.calibration.test.log_loss_before);
  expect(res.body.report_html).toMatch(/<p id="calibration">Probabilities are calibrated with <strong>(Platt|temperature) scaling<\/strong>/);

  // The stored artifact carries the map; /predict serves the model's probabilities through it.
  const artifact = (await (await fetch(`${stack.base}/models/${modelId}/export?format=json`, { headers: { authorization: `Bearer ${c.token}` } })).json()) as ModelArtifact;
  expect(artifact.calibration).toEqual(m.calibration.params);
  const sample = rows.slice(0, 80);
  const served = (await c.post(`/models/${modelId}/predict`, { rows: sample })).body as { probabilities: Record<string, number>[]; predictions: string[] };
  const { calibration: _map, ...uncalibrated } = artifact;
  const raw = predictRows(uncalibrated, sample).probabilities!;
  const expected = applyCalibration(artifact.calibration!, Float64Array.from(raw.flatMap((p) => artifact.classes.map((k) => p[k]))), 2);
  let moved = 0;
  served.probabilities.forEach((p, i) => {
    expect(p.yes).toBeCloseTo(expected[i * 2 + 1], 10);
    moved = Math.max(moved, Math.abs(p.yes - raw[i].yes));
  });
  expect(moved).toBeGreaterThan(0.05);

  // The ONNX file applies the same map (onnxruntime-node, 1e-5).
  const bytes = new Uint8Array(await (await fetch(`${stack.base}/models/${modelId}/export?format=onnx`, { headers: { authorization: `Bearer ${c.token}` } })).arrayBuffer());
  const { encoding } = exportOnnx(artifact, { producerVersion: 'test' });
  expect(encoding.calibration).toEqual(artifact.calibration);
  const x = onnxInputs(encoding, sample);
  const out = await (await InferenceSession.create(bytes)).run({ numeric: new Tensor('float32', x.numeric, [sample.length, encoding.numeric.length]) });
  const probs = out.probabilities.data as Float32Array;
  served.probabilities.forEach((p, i) => expect(Math.abs(probs[i * 2 + 1] - p.yes)).toBeLessThan(1e-5));
}, 60_000);
