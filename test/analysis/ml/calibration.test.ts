import { describe, expect, test } from 'vitest';
import { applyCalibration, brierScore, decideCalibration, fitPlatt, fitTemperature, type ServedOutOfFold } from '../../../analysis/ml/calibration.js';
import { predictCandidate } from '../../../analysis/ml/candidates.js';
import { logLoss } from '../../../analysis/ml/metrics.js';
import { predictRows } from '../../../analysis/ml/predict.js';
import { seededRandom } from '../../../analysis/ml/random.js';
import { trainModels } from '../../../analysis/ml/train-models.js';
import { applyPreprocessing } from '../../../analysis/ml/preprocess.js';
import type { Frame } from '../../../analysis/ml/load-frame.js';
import { sharpTable } from '../../helpers/tables.js';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const logit = (p: number) => Math.log(p / (1 - p));

/**
 * Rows with a known P(class 1) and labels drawn from it; the "model" reports `distort(p)`. Five folds of `n / 5`
 * rows each, laid out as the search's out-of-fold predictions are.
 */
function binaryOof(n: number, seed: number, distort: (p: number) => number) {
  const rand = seededRandom(seed);
  const y = new Int32Array(n), probs = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const p = sigmoid((rand() * 2 - 1) * 4);
    y[i] = rand() < p ? 1 : 0;
    const q = distort(p);
    probs[i * 2] = 1 - q; probs[i * 2 + 1] = q;
  }
  return laidOut(y, probs, 2, ['no', 'yes']);
}

function multiclassOof(n: number, seed: number, scale: number) {
  const rand = seededRandom(seed);
  const K = 3, y = new Int32Array(n), probs = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    const z = [rand() * 4, rand() * 4, rand() * 4];
    const e = z.map(Math.exp), s = e.reduce((a, b) => a + b);
    let u = rand() * s, k = 0;
    while (k < K - 1 && u > e[k]) { u -= e[k]; k++; }
    y[i] = k;
    // The model's probabilities: the true ones with logits scaled by `scale` (< 1 under-confident, > 1 over-).
    const ez = z.map((v) => Math.exp(v * scale)), sz = ez.reduce((a, b) => a + b);
    ez.forEach((v, c) => { probs[i * K + c] = v / sz; });
  }
  return laidOut(y, probs, K, ['p', 'q', 'r']);
}

function laidOut(y: Int32Array, probs: Float64Array, K: number, classes: string[]) {
  const n = y.length, F = 5, size = n / F;
  const valid = Array.from({ length: F }, (_, f) => Array.from({ length: size }, (_, i) => f * size + i));
  const oof: ServedOutOfFold = { valid, folds: valid.map((v) => probs.slice(v[0] * K, (v.at(-1)! + 1) * K)) };
  return { oof, d: { yCls: y, yNum: new Float64Array(n), classes }, y, probs, K };
}

describe('calibration maps', () => {
  test('Platt recovers the slope and intercept that undo a known distortion', () => {
    const { y, probs } = binaryOof(20_000, 1, (p) => sigmoid(0.4 * logit(p) + 0.3));
    const { a, b } = fitPlatt(Float64Array.from({ length: y.length }, (_, i) => probs[i * 2 + 1]), y);
    // q = σ(0.4·logit p + 0.3) → logit p = (logit q − 0.3) / 0.4 = 2.5·logit q − 0.75
    expect(a).toBeGreaterThan(2.3); expect(a).toBeLessThan(2.7);
    expect(b).toBeGreaterThan(-0.95); expect(b).toBeLessThan(-0.55);
  });

  test('temperature scaling recovers the temperature that undoes scaled logits', () => {
    const { y, probs, K } = multiclassOof(15_000, 2, 0.5);
    const T = fitTemperature(probs, y, K);
    expect(T).toBeGreaterThan(0.45); expect(T).toBeLessThan(0.55);
  });

  test('temperature 1 and Platt (1, 0) leave probabilities as they were; temperature never changes the argmax', () => {
    const probs = Float64Array.from([0.2, 0.5, 0.3, 0.7, 0.1, 0.2]);
    const same = applyCalibration({ method: 'temperature', temperature: 1 }, probs, 3);
    same.forEach((v, i) => expect(v).toBeCloseTo(probs[i], 12));
    const sharp = applyCalibration({ method: 'temperature', temperature: 0.3 }, probs, 3);
    expect(sharp[1]).toBeGreaterThan(0.5); expect(sharp[3]).toBeGreaterThan(0.7);
    const two = Float64Array.from([0.9, 0.1, 0.35, 0.65]);
    applyCalibration({ method: 'platt', a: 1, b: 0 }, two, 2).forEach((v, i) => expect(v).toBeCloseTo(two[i], 12));
  });

  test('Brier score: two classes as scikit-learn (on p₁), more as the squared error of the vector', () => {
    expect(brierScore([1, 0], [0.2, 0.8, 0.6, 0.4], 2)).toBeCloseTo(((0.8 - 1) ** 2 + 0.4 ** 2) / 2, 12);
    expect(brierScore([2], [0.2, 0.3, 0.5], 3)).toBeCloseTo(0.04 + 0.09 + 0.25, 12);
  });
});

describe('decideCalibration', () => {
  test('under-confident binary probabilities are calibrated (Platt), and the cross-fitted log loss falls', () => {
    const { oof, d } = binaryOof(4_000, 3, (p) => sigmoid(0.4 * logit(p)));
    const r = decideCalibration(oof, d.yCls, d, 'roc_auc');
    expect(r).toMatchObject({ method: 'platt', applied: true, params: { method: 'platt' } });
    expect(r.oof!.log_loss_after).toBeLessThan(r.oof!.log_loss_before - 0.02);
    expect(r.oof!.brier_after).toBeLessThan(r.oof!.brier_before);
    expect(r.reason).toMatch(/Platt scaling lowered the cross-fitted out-of-fold log loss/);
  });

  test('well-calibrated probabilities are left alone', () => {
    for (const seed of [4, 5, 6]) {
      const { oof, d } = binaryOof(4_000, seed, (p) => p);
      const r = decideCalibration(oof, d.yCls, d, 'roc_auc');
      expect(r.applied).toBe(false);
      expect(r.reason).toMatch(/^Not calibrated: .*within noise/);
      // What calibration would have changed is within noise of nothing.
      expect(Math.abs(r.oof!.log_loss_after - r.oof!.log_loss_before)).toBeLessThan(0.005);
    }
    const { oof, d } = multiclassOof(3_000, 7, 1);
    expect(decideCalibration(oof, d.yCls, d, 'macro_f1').applied).toBe(false);
  });

  test('over-confident multiclass probabilities are temperature-scaled; the labels (and macro F1) do not move', () => {
    const { oof, d } = multiclassOof(3_000, 8, 2);
    const r = decideCalibration(oof, d.yCls, d, 'macro_f1');
    expect(r).toMatchObject({ method: 'temperature', applied: true });
    expect(r.params!.method === 'temperature' && r.params!.temperature).toBeGreaterThan(1.5);
    expect(r.oof!.log_loss_after).toBeLessThan(r.oof!.log_loss_before);
    expect(r.reason).toMatch(/without worsening macro_f1 \((\d\.\d+) → \1\)/);
  });

  test('Platt that corrects a shifted threshold is kept (accuracy rises); Platt that costs accuracy gives way to temperature scaling', () => {
    // Shifted: the model's 0.5 sits at the true 0.23; Platt moves it back, and accuracy rises.
    const shifted = binaryOof(4_000, 9, (p) => sigmoid(0.4 * logit(p) + 0.5));
    const r1 = decideCalibration(shifted.oof, shifted.d.yCls, shifted.d, 'accuracy');
    expect(r1).toMatchObject({ method: 'platt', applied: true });
    const [before, after] = r1.reason.match(/accuracy \((\d\.\d+) → (\d\.\d+)\)/)!.slice(1).map(Number);
    expect(after).toBeGreaterThan(before + 0.02);
    // Not shifted: Platt's fitted intercept (noise around 0) moves a few rows across 0.5 and costs accuracy on these
    // rows; temperature scaling cannot move the threshold, so it is the one applied.
    const centred = binaryOof(4_000, 9, (p) => sigmoid(0.4 * logit(p)));
    const r2 = decideCalibration(centred.oof, centred.d.yCls, centred.d, 'accuracy');
    expect(r2.reason).toMatch(/Platt scaling lowered the log loss by .* but moved accuracy from (\d\.\d+) to .* \(it moves the 0\.5 threshold\)/);
    expect(r2).toMatchObject({ method: 'temperature', applied: true, params: { method: 'temperature' } });
    expect(r2.reason).toMatch(/without worsening accuracy \((\d\.\d+) → \1\)/);
  });

  test('a model whose held-out ranking is reversed is not "calibrated" by a negative slope', () => {
    const { oof, d } = binaryOof(4_000, 10, (p) => 1 - p);
    const r = decideCalibration(oof, d.yCls, d, 'log_loss');
    expect(r.method === 'platt' && r.applied).toBe(false);
    expect(r.reason).toMatch(/Platt scaling fitted a slope ≤ 0/);
  });
});

describe('training calibrates the served model', () => {
  test('a random forest on a sharp target: calibrated, OOF and test log loss fall, served probabilities are the calibrated ones', async () => {
    const { frame, columns } = sharpTable(1_500, 7);
    const r = await trainModels({ frame, target: 'y', task: 'classification', columns, cvFolds: 5, seed: 1, models: ['random_forest'], metric: 'log_loss' });
    const cal = r.calibration!;
    expect(cal.applied).toBe(true);
    expect(cal.oof!.log_loss_after).toBeLessThan(cal.oof!.log_loss_before - 0.02);
    expect(cal.test).not.toBeNull();
    expect(cal.test!.log_loss_after).toBeLessThan(cal.test!.log_loss_before - 0.02);
    // The test score is the log loss of the probabilities the model serves: the calibrated ones.
    expect(r.test_score).toBeCloseTo(cal.test!.log_loss_after, 12);
    expect(r.artifact.calibration).toEqual(cal.params);

    // Served through predictRows (POST /models/:id/predict, batch predict): the model's probabilities through the map.
    const rows = Array.from({ length: 200 }, (_, i) => Object.fromEntries(columns.filter((c) => c.name !== 'y').map((c) => [c.name, frame.columns[c.name][i]])));
    const served = predictRows(r.artifact, rows);
    const p = applyPreprocessing(r.artifact.preprocessing, Object.fromEntries(Object.keys(rows[0]).map((k) => [k, rows.map((x) => x[k])])), rows.length);
    const raw = predictCandidate(r.artifact.model, { ...p, classes: r.artifact.classes }, Array.from({ length: rows.length }, (_, i) => i));
    const expected = applyCalibration(r.artifact.calibration!, raw, 2);
    let moved = 0;
    served.probabilities!.forEach((pr, i) => {
      expect(pr.yes).toBeCloseTo(expected[i * 2 + 1], 12);
      moved = Math.max(moved, Math.abs(pr.yes - raw[i * 2 + 1]));
    });
    expect(moved).toBeGreaterThan(0.05);
    // SHAP explains the uncalibrated output, and says so.
    expect(predictRows(r.artifact, rows.slice(0, 3), { explain: true }).explanations!.note).toMatch(/before calibration/);
    const y = Int32Array.from({ length: rows.length }, (_, i) => (frame.columns.y[i] === 'yes' ? 1 : 0));
    expect(logLoss(y, expected, 2)).toBeLessThan(logLoss(y, raw, 2));
  }, 120_000);

  test('a regression has no calibration', async () => {
    const { frame, columns } = sharpTable(300, 8);
    frame.columns.y = frame.columns.a.map((v) => (v as number) * 3);
    const r = await trainModels({ frame, target: 'y', task: 'regression', columns: columns.map((c) => (c.name === 'y' ? { name: 'y', type: 'float' as const } : c)).filter((c) => c.name !== 'a'), cvFolds: 3, seed: 1, models: ['linear'] });
    expect(r.calibration).toBeNull();
    expect(r.artifact.calibration).toBeUndefined();
  }, 60_000);
});
