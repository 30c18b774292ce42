import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { withDuck } from '../../../analysis/duck.js';
import { DataError } from '../../../analysis/errors.js';
import { missingInputs, predictionColumns, scoreRows } from '../../../analysis/ml/batch-predict.js';
import { applyCalibration } from '../../../analysis/ml/calibration.js';
import { predictRows } from '../../../analysis/ml/predict.js';
import { concatPredictionFiles, readParquetRows, writeParquetColumns } from '../../../analysis/ml/prediction-files.js';
import { seededRandom } from '../../../analysis/ml/random.js';
import { trainModels, type ModelArtifact } from '../../../analysis/ml/train-models.js';

let model: ModelArtifact;
let rows: Record<string, unknown>[];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-predict-'));

beforeAll(async () => {
  const rand = seededRandom(5);
  const n = 300;
  const x = Array.from({ length: n }, () => rand() * 10), colour = Array.from({ length: n }, (_, i) => ['red', 'green', 'blue'][i % 3]);
  const cls = x.map((v, i) => (v + (colour[i] === 'blue' ? 3 : 0) + rand() * 2 > 7 ? 'yes' : 'no'));
  const r = await trainModels({ frame: { rows: n, columns: { x, colour, cls } }, target: 'cls', task: 'classification', cvFolds: 2, seed: 1, models: ['gbdt'],
    columns: [{ name: 'x', type: 'float' }, { name: 'colour', type: 'categorical' }, { name: 'cls', type: 'categorical' }] } as never);
  model = r.artifact;
  rows = x.map((v, i) => ({ x: v, colour: colour[i] }));
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the file layout: row number, prediction, a probability per class, and SHAP columns only with explain', () => {
  expect(predictionColumns(model, false).map((c) => c.name)).toEqual(['row_number', 'prediction', 'probability_no', 'probability_yes']);
  expect(predictionColumns(model, true).map((c) => c.name)).toEqual(['row_number', 'prediction', 'probability_no', 'probability_yes', 'base_value', 'explained_class', 'shap_x', 'shap_colour']);
  expect(missingInputs(model, ['x', 'other'])).toEqual(['colour']);
});

test('scoring in small batches gives what one predictRows call gives; SHAP only for the first explainRows rows', async () => {
  let batches = 0;
  const out = await scoreRows(model, rows.slice(100, 200), { firstRow: 100, explain: true, explainRows: 7, batchRows: 30, explainBatchRows: 3, onBatch: async () => { batches++; } });
  const whole = predictRows(model, rows.slice(100, 200), { explain: true });
  const at = (name: string) => predictionColumns(model, true).findIndex((c) => c.name === name);
  expect(out[at('row_number')]).toEqual(Array.from({ length: 100 }, (_, i) => 101 + i));
  expect(out[at('prediction')]).toEqual(whole.predictions);
  expect(out[at('probability_yes')]).toEqual(whole.probabilities!.map((p) => p.yes));
  expect(out[at('shap_x')].slice(0, 7)).toEqual(whole.explanations!.rows.slice(0, 7).map((e) => e.contributions.x));
  expect(out[at('shap_x')].slice(7).every((v) => v === null)).toBe(true);
  expect(batches).toBe(3 + 4); // 7 explained rows in threes, then 93 rows in thirties
});

test('a calibrated model\'s probability columns are its calibrated probabilities', async () => {
  // The model as the forest/GBDT gives it (training may have calibrated it already), then with a known map.
  const { calibration: _trained, ...plain } = model;
  const calibrated: ModelArtifact = { ...plain, calibration: { method: 'platt', a: 2.5, b: -0.5, eps: 1e-3 } };
  const slice = rows.slice(0, 50);
  const out = await scoreRows(calibrated, slice, { firstRow: 0, explain: false, explainRows: 0, batchRows: 20 });
  const at = predictionColumns(calibrated, false).findIndex((c) => c.name === 'probability_yes');
  const raw = predictRows(plain, slice).probabilities!;
  const expected = applyCalibration(calibrated.calibration!, Float64Array.from(raw.flatMap((p) => [p.no, p.yes])), 2);
  (out[at] as number[]).forEach((v, i) => expect(v).toBeCloseTo(expected[i * 2 + 1], 12));
  expect(Math.max(...(out[at] as number[]).map((v, i) => Math.abs(v - raw[i].yes)))).toBeGreaterThan(0.01);
});

test('a value the model cannot read fails with the row of the dataset, the column and the value', async () => {
  const bad = rows.slice(0, 10).map((r, i) => (i === 4 ? { ...r, x: 'n/a?' } : r));
  const err = await scoreRows(model, bad, { firstRow: 5000, explain: false, explainRows: 0 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  expect((err as DataError).message).toBe("Row 5005: 'x' must be a number, not 'n/a?'.");
});

test('chunks written as Parquet and concatenated hold every row once, in order, as CSV or Parquet', async () => {
  const layout = predictionColumns(model, false);
  const files = await withDuck(async (conn) => {
    const src = path.join(dir, 'src.parquet');
    await conn.run(`COPY (SELECT range::DOUBLE / 7 AS x, ['red', 'green', 'blue'][range % 3 + 1] AS colour FROM range(250)) TO '${src}' (FORMAT parquet)`);
    const paths: string[] = [];
    // Written out of order, as chunks of a resumed job may be.
    for (const i of [2, 0, 1]) {
      const chunk = await readParquetRows(conn, src, ['x', 'colour'], i * 100, 100);
      expect(chunk[0]).toEqual({ x: (i * 100) / 7, colour: ['red', 'green', 'blue'][(i * 100) % 3] });
      const p = path.join(dir, `chunk-${i}.parquet`);
      await writeParquetColumns(conn, p, layout, await scoreRows(model, chunk, { firstRow: i * 100, explain: false, explainRows: 0 }));
      paths.push(p);
    }
    return paths;
  });
  for (const format of ['csv', 'parquet'] as const) {
    const out = path.join(dir, `all.${format}`);
    expect(await concatPredictionFiles(files, out, format)).toEqual({ rows: 250, distinct_rows: 250 });
    const read = await withDuck(async (conn) => (await conn.runAndReadAll(`SELECT row_number FROM '${out}'`)).getRowsJS().map((r) => Number(r[0])));
    expect(read).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  }
});
