import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import type { ColumnType } from '../../../../analysis/ingest/column-types.js';
import type { CalibrationMap } from '../../../../analysis/ml/calibration.js';
import { fitCandidate, type ModelName, type Task } from '../../../../analysis/ml/candidates.js';
import { exportOnnx, onnxInputs } from '../../../../analysis/ml/export/onnx.js';
import type { GbdtModel } from '../../../../analysis/ml/gbdt.js';
import { predictRows } from '../../../../analysis/ml/predict.js';
import { applyPreprocessing, fitPreprocessing, type Preprocessing } from '../../../../analysis/ml/preprocess.js';
import { seededRandom } from '../../../../analysis/ml/random.js';
import type { ModelArtifact } from '../../../../analysis/ml/train-models.js';
import type { Tree } from '../../../../analysis/ml/tree.js';

const N = 400;
const inputs: { name: string; type: ColumnType }[] = [
  { name: 'a', type: 'float' }, { name: 'b', type: 'float' }, { name: 'n', type: 'integer' },
  { name: 'city', type: 'categorical' }, { name: 'flag', type: 'boolean' }, { name: 'day', type: 'datetime' },
];

/** A table with numbers (some missing, some far from 0), categories (some missing, one rare), booleans and dates. */
function table(seed: number) {
  const rand = seededRandom(seed);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < N; i++) {
    const a = rand() < 0.1 ? null : Math.round(rand() * 1000) / 100;
    const city = rand() < 0.06 ? null : rand() < 0.02 ? 'Rare' : ['Oslo', 'Lima', 'Pune', 'Kyiv'][Math.floor(rand() * 4)];
    const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(rand() * 700) * 86_400_000).toISOString().slice(0, 10);
    rows.push({ a, b: rand() * 3 - 1.5, n: rand() < 0.05 ? null : 1000 + Math.floor(rand() * 50), city, flag: rand() < 0.4, day });
  }
  return rows;
}

function targetOf(task: Task | 'binary', r: Record<string, unknown>, noise: number): number | string {
  const a = (r.a as number | null) ?? 5, b = r.b as number;
  const s = a / 2 + b + (r.city === 'Lima' ? 1.5 : r.city === null ? -1 : 0) + (r.flag ? 0.7 : 0) + noise;
  if (task === 'regression') return s;
  if (task === 'binary') return s > 3 ? 'yes' : 'no';
  return s < 2 ? 'low' : s < 4 ? 'mid' : 'high';
}

/** Fits one candidate on the whole table and wraps it as the artifact Assay saves. */
function trained(name: ModelName, kind: Task | 'binary', seed = 3): { artifact: ModelArtifact; rows: Record<string, unknown>[] } {
  const rows = table(seed);
  const rand = seededRandom(seed + 100);
  const y = rows.map((r) => targetOf(kind, r, (rand() - 0.5) * 0.8));
  const task: Task = kind === 'regression' ? 'regression' : 'classification';
  const columns = Object.fromEntries(inputs.map((c) => [c.name, rows.map((r) => r[c.name])]));
  const pre = fitPreprocessing(columns, inputs, seed);
  const classes = task === 'classification' ? [...new Set(y as string[])].sort() : [];
  const d = {
    ...applyPreprocessing(pre, columns, N), classes,
    yNum: Float64Array.from(y, (v) => (typeof v === 'number' ? v : 0)),
    yCls: Int32Array.from(y, (v) => classes.indexOf(String(v))),
  };
  const model = fitCandidate(name, task, d, Int32Array.from({ length: N }, (_, i) => i), { seed });
  const artifact: ModelArtifact = {
    version: 2, name, task, target: 'y', classes, preprocessing: pre, model, x_mean: [], drift: [],
    metric: task === 'regression' ? 'r2' : 'macro_f1', cv_mean: 0, seed, trained_rows: N,
  };
  return { artifact, rows };
}

/** An ensemble of the named families fitted on the same rows (so they share the preprocessing), as Assay saves it. */
function ensembled(members: [ModelName, number][], kind: Task | 'binary') {
  const fitted = members.map(([name]) => trained(name, kind));
  const model = { kind: 'ensemble' as const, members: members.map(([name, weight], i) => ({ name, params: {}, weight, model: fitted[i].artifact.model })) };
  // Through JSON, as the artifact is stored and served.
  const artifact = JSON.parse(JSON.stringify({ ...fitted[0].artifact, name: 'ensemble', model })) as ModelArtifact;
  return { artifact, rows: fitted[0].rows };
}

async function scoreOnnx(bytes: Uint8Array, encoding: ReturnType<typeof exportOnnx>['encoding'], rows: Record<string, unknown>[]) {
  const session = await InferenceSession.create(bytes);
  const { numeric, categorical } = onnxInputs(encoding, rows);
  const feeds: Record<string, Tensor> = {};
  if (encoding.numeric.length) feeds.numeric = new Tensor('float32', numeric, [rows.length, encoding.numeric.length]);
  if (encoding.categorical.length) feeds.categorical = new Tensor('string', categorical, [rows.length, encoding.categorical.length]);
  const out = await session.run(feeds);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Array.from(t.data as ArrayLike<number | string>)]));
}

/** Largest gap between Assay's and ONNX Runtime's outputs: probabilities absolute, values relative to max(1, |y|). */
async function parity(name: ModelName, kind: Task | 'binary') {
  return parityOf(trained(name, kind));
}

async function parityOf({ artifact, rows }: { artifact: ModelArtifact; rows: Record<string, unknown>[] }) {
  const { bytes, encoding } = exportOnnx(artifact, { producerVersion: 'test' });
  const onnx = await scoreOnnx(bytes, encoding, rows);
  const assay = predictRows(artifact, rows);
  let worst = 0;
  if (artifact.task === 'regression') {
    (assay.predictions as number[]).forEach((v, i) => { worst = Math.max(worst, Math.abs((onnx.value[i] as number) - v) / Math.max(1, Math.abs(v))); });
  } else {
    const K = artifact.classes.length;
    assay.probabilities!.forEach((p, i) => artifact.classes.forEach((c, k) => { worst = Math.max(worst, Math.abs((onnx.probabilities[i * K + k] as number) - p[c])); }));
    expect(onnx.label).toEqual(assay.predictions);
  }
  return { worst, artifact, encoding };
}

describe('ONNX export matches Assay on the training rows (onnxruntime-node, 1e-5)', () => {
  const cases: [ModelName, Task | 'binary'][] = [
    ['gbdt', 'binary'], ['gbdt', 'classification'], ['gbdt', 'regression'],
    ['random_forest', 'binary'], ['random_forest', 'classification'], ['random_forest', 'regression'],
    ['linear', 'binary'], ['linear', 'classification'], ['linear', 'regression'],
    ['baseline', 'classification'], ['baseline', 'regression'],
  ];
  test.each(cases)('%s (%s)', async (name, kind) => {
    const { worst } = await parity(name, kind);
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('ensembles export as one graph that matches Assay on the training rows (onnxruntime-node, 1e-5)', () => {
  const cases: [Task | 'binary', [ModelName, number][]][] = [
    ['regression', [['gbdt', 0.5], ['linear', 0.3], ['random_forest', 0.2]]],
    ['classification', [['gbdt', 0.4], ['linear', 0.36], ['random_forest', 0.24]]],
    ['binary', [['linear', 0.6], ['gbdt', 0.28], ['baseline', 0.12]]],
  ];
  test.each(cases)('%s: %j', async (kind, members) => {
    const e = ensembled(members, kind);
    const { worst, encoding, artifact } = await parityOf(e);
    expect(worst).toBeLessThan(1e-5);
    // The blend is not just its heaviest member: Assay's outputs differ from that member's by far more than the tolerance.
    const blend = predictRows(artifact, e.rows), heaviest = predictRows(trained(members[0][0], kind).artifact, e.rows);
    const gap = (p: typeof blend, i: number) => (p.probabilities ? Object.values(p.probabilities[i]) : [p.predictions[i] as number]);
    const diff = Math.max(...e.rows.map((_, i) => Math.max(...gap(blend, i).map((v, k) => Math.abs(v - gap(heaviest, i)[k])))));
    expect(diff).toBeGreaterThan(1e-3);
    expect(encoding.members).toEqual(members.map(([name, weight]) => ({ name, weight })));
    expect(encoding.outputs).toEqual(artifact.task === 'regression' ? ['value'] : ['probabilities', 'label']);
  });

  test('members read their own columns of the shared inputs (linear: the date itself; trees: its parts), and the file lists the members', async () => {
    const { artifact, rows } = ensembled([['linear', 0.5], ['gbdt', 0.5]], 'regression');
    const { bytes, encoding } = exportOnnx(artifact, { producerVersion: 'test', modelId: 'm-2' });
    // Union of the linear model's columns and the trees' features, each once.
    expect(encoding.numeric.map((c) => c.feature)).toEqual(['a', 'b', 'n', 'day', 'day.year', 'day.month', 'day.day_of_week', 'day.ordinal', 'day.day']);
    expect(encoding.categorical.map((c) => c.column)).toEqual(['city', 'flag']);
    const session = await InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['numeric', 'categorical']);
    expect(session.outputNames).toEqual(['value']);
    const text = Buffer.from(bytes).toString('latin1');
    expect(text).toContain('assay.ensemble_members');
    expect(text).toContain(JSON.stringify(encoding));
    // Each member's share is visible: the ONNX value is the weighted sum of the two single-model exports.
    const onnx = await scoreOnnx(bytes, encoding, rows);
    const singles = await Promise.all(['linear', 'gbdt'].map(async (name) => {
      const m = trained(name as ModelName, 'regression');
      const x = exportOnnx(m.artifact, { producerVersion: 'test' });
      return (await scoreOnnx(x.bytes, x.encoding, rows)).value as number[];
    }));
    onnx.value.forEach((v, i) => expect(Math.abs((v as number) - 0.5 * singles[0][i] - 0.5 * singles[1][i])).toBeLessThan(1e-4));
  });
});

describe('calibrated models export with the calibration map as ops, and still match Assay (onnxruntime-node, 1e-5)', () => {
  const cases: [string, () => { artifact: ModelArtifact; rows: Record<string, unknown>[] }, CalibrationMap][] = [
    ['forest, two classes, Platt', () => trained('random_forest', 'binary'), { method: 'platt', a: 1.8, b: -0.4, eps: 1e-3 }],
    ['GBDT, two classes, Platt (tiny clip)', () => trained('gbdt', 'binary'), { method: 'platt', a: 0.7, b: 0.2, eps: 1e-6 }],
    ['forest, three classes, temperature', () => trained('random_forest', 'classification'), { method: 'temperature', temperature: 0.6, eps: 0.01 }],
    ['linear, three classes, temperature', () => trained('linear', 'classification'), { method: 'temperature', temperature: 1.7 }],
    ['ensemble, two classes, Platt', () => ensembled([['linear', 0.6], ['random_forest', 0.4]], 'binary'), { method: 'platt', a: 2.2, b: 0.1, eps: 3e-3 }],
  ];
  test.each(cases)('%s', async (_name, make, map) => {
    const plain = make();
    const artifact = JSON.parse(JSON.stringify({ ...plain.artifact, calibration: map })) as ModelArtifact;
    const { worst, encoding } = await parityOf({ artifact, rows: plain.rows });
    if (process.env.PRINT_GAPS) console.log(`calibrated ${_name}: largest gap ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-5);
    expect(encoding.calibration).toEqual(map);
    // The map matters: the served probabilities differ from the uncalibrated model's by far more than the tolerance.
    const before = predictRows(plain.artifact, plain.rows).probabilities!, after = predictRows(artifact, plain.rows).probabilities!;
    const moved = Math.max(...after.map((p, i) => Math.max(...Object.keys(p).map((c) => Math.abs(p[c] - before[i][c])))));
    expect(moved).toBeGreaterThan(0.01);
  });
});

describe('the exported trees', () => {
  test('GBDT splits on categories and on missing values, and the file says how to feed it', async () => {
    const { artifact, encoding } = await parity('gbdt', 'binary');
    const m = artifact.model;
    if (m.kind !== 'gbdt') throw new Error('expected gbdt');
    const trees = m.trees.flat();
    // The table must exercise both paths the export has to get right.
    expect(trees.some((t) => t.cats.some((c) => c !== null))).toBe(true);
    expect(trees.some((t) => t.missing_left.some((l, i) => l && t.feature[i] >= 0))).toBe(true);
    expect(encoding.numeric.map((c) => c.feature)).toEqual(['a', 'b', 'n', 'day.year', 'day.month', 'day.day_of_week', 'day.ordinal', 'day.day']);
    expect(encoding.categorical.map((c) => c.column)).toEqual(['city', 'flag']);
    expect(encoding.outputs).toEqual(['probabilities', 'label']);
  });

  test('the encoding is stored in the file\'s metadata_props', async () => {
    const { artifact } = trained('gbdt', 'regression');
    const { bytes, encoding } = exportOnnx(artifact, { producerVersion: 'test', modelId: 'm-1' });
    const session = await InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['numeric', 'categorical']);
    expect(session.outputNames).toEqual(['value']);
    const text = Buffer.from(bytes).toString('latin1');
    expect(text).toContain('assay.input_encoding');
    expect(text).toContain(JSON.stringify(encoding));
  });

  test('unseen categories score as "other" in both', async () => {
    const { artifact, rows } = trained('gbdt', 'classification');
    const odd = rows.slice(0, 20).map((r) => ({ ...r, city: 'Atlantis' }));
    const { bytes, encoding } = exportOnnx(artifact, { producerVersion: 'test' });
    const onnx = await scoreOnnx(bytes, encoding, odd);
    const assay = predictRows(artifact, odd);
    const K = artifact.classes.length;
    assay.probabilities!.forEach((p, i) => artifact.classes.forEach((c, k) => expect(Math.abs((onnx.probabilities[i * K + k] as number) - p[c])).toBeLessThan(1e-5)));
  });
});

describe('split thresholds', () => {
  const stump = (threshold: number, missingLeft: boolean, leaves: [number, number]): Tree => ({
    outputs: 1, feature: [0, -1, -1], threshold: [threshold, 0, 0], missing_left: [missingLeft, false, false], cats: [null, null, null],
    left: [1, -1, -1], right: [2, -1, -1], value: [0, ...leaves], cover: [3, 1, 1],
  });
  test('x equal to a split value goes left (≤), the last bin takes every number, missing values follow training', async () => {
    const pre: Preprocessing = {
      inputs: [{ name: 'x', type: 'float' }],
      encoding: [{ name: 'x', kind: 'numeric', type: 'float', mean: 0, std: 1 }],
      binner: [{ name: 'x', input: 'x', kind: 'numeric', thresholds: [0.5, 1, 2.5] }],
    };
    const model: GbdtModel = {
      kind: 'gbdt', objective: 'squared_error', init: [0.25], iterations: 2, stopped: 'max_iter',
      // x ≤ 1 (and missing) → 10, else 20; then every number → 1, missing → 2.
      trees: [[stump(1, true, [10, 20])], [stump(3, false, [1, 2])]],
    };
    const artifact: ModelArtifact = {
      version: 2, name: 'gbdt', task: 'regression', target: 'y', classes: [], preprocessing: pre, model, x_mean: [], drift: [],
      metric: 'r2', cv_mean: 0, seed: 1, trained_rows: 1,
    };
    const rows = [1, 1.0000001, 0.99, 2.5, 1e30, null, Infinity, -Infinity].map((x) => ({ x }));
    const { bytes, encoding } = exportOnnx(artifact, { producerVersion: 'test' });
    const onnx = await scoreOnnx(bytes, encoding, rows);
    const assay = predictRows(artifact, rows).predictions;
    expect(assay).toEqual([11.25, 21.25, 11.25, 21.25, 21.25, 12.25, 21.25, 11.25]);
    expect(onnx.value).toEqual(assay);
  });
});
