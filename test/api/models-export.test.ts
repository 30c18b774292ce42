import fs from 'node:fs';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { exportOnnx, onnxInputs } from '../../analysis/ml/export/onnx.js';
import type { ModelArtifact } from '../../analysis/ml/train-models.js';
import { ApiClient, VEGA } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let c: ApiClient;
let modelId: string;
beforeAll(async () => {
  stack = await startStack();
  c = new ApiClient(stack.base);
  await c.register();
  const dataset = (await c.uploadFile(VEGA('penguins.json'))).body.dataset_id;
  const run = (await c.post('/runs/start', { dataset_id: dataset, options: { target: 'Species', cv_folds: 3, seed: 7, models: ['gbdt'] } })).body.run_id;
  await c.waitFor(run, (s) => s.status === 'completed', 120_000);
  modelId = (await c.get(`/runs/${run}/result`)).body.modeling.best_model_id;
}, 180_000);
afterAll(async () => { await stack?.close(); });

const download = (format: string) => fetch(`${stack.base}/models/${modelId}/export?format=${format}`, { headers: { authorization: `Bearer ${c.token}` } });

test('format=json is the stored artifact, self-describing (version, inputs), as an attachment', async () => {
  const r = await download('json');
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="gbdt-.*\.json"$/);
  const a = (await r.json()) as ModelArtifact;
  expect(a).toMatchObject({ version: 2, name: 'gbdt', task: 'classification', target: 'Species' });
  expect(a.preprocessing.inputs.map((i) => i.name)).toContain('Island');
});

test('format=onnx scores like POST /models/:id/predict (onnxruntime-node, 1e-5)', async () => {
  const r = await download('onnx');
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('application/onnx');
  expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="gbdt-.*\.onnx"$/);
  const bytes = new Uint8Array(await r.arrayBuffer());
  const artifact = (await (await download('json')).json()) as ModelArtifact;
  const { encoding } = exportOnnx(artifact, { producerVersion: 'test' });
  // Rows as a user would send them, missing values included.
  const rows = (JSON.parse(fs.readFileSync(VEGA('penguins.json'), 'utf8')) as Record<string, unknown>[]).slice(0, 60);
  expect(rows.some((row) => Object.values(row).some((v) => v === null))).toBe(true);
  const assay = (await c.post(`/models/${modelId}/predict`, { rows })).body as { probabilities: Record<string, number>[]; predictions: string[] };
  const session = await InferenceSession.create(bytes);
  const x = onnxInputs(encoding, rows);
  const out = await session.run({
    numeric: new Tensor('float32', x.numeric, [rows.length, encoding.numeric.length]),
    categorical: new Tensor('string', x.categorical, [rows.length, encoding.categorical.length]),
  });
  const probs = out.probabilities.data as Float32Array, K = artifact.classes.length;
  assay.probabilities.forEach((p, i) => artifact.classes.forEach((cls, k) => expect(Math.abs(probs[i * K + k] - p[cls])).toBeLessThan(1e-5)));
  expect(Array.from(out.label.data as string[])).toEqual(assay.predictions);
});

test('an unknown or absent format is a 400 naming the field', async () => {
  for (const q of ['?format=pmml', '']) {
    const r = await c.get(`/models/${modelId}/export${q}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringMatching(/^format: /) });
  }
});
