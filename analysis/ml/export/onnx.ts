import { DataError } from '../../errors.js';
import { featureValue, MISSING_BIN, OTHER_BIN, type BinFeature, type DatePart } from '../binning.js';
import { CALIBRATION_EPS, type CalibrationMap } from '../calibration.js';
import type { FittedModel } from '../candidates.js';
import type { FeatureSpec } from '../encoding.js';
import type { ForestModel } from '../forest.js';
import type { GbdtModel } from '../gbdt.js';
import type { LinearModel } from '../linear.js';
import type { Preprocessing } from '../preprocess.js';
import type { ModelArtifact } from '../train-models.js';
import type { Tree } from '../tree.js';
import { DataType, encodeModel, type AttributeValue, type Node, type Tensor, type ValueInfo } from './onnx-proto.js';

/** Version of the input encoding described in `metadata_props` (`assay.input_encoding`). */
export const ONNX_ENCODING_VERSION = 1;
const ML = 'ai.onnx.ml';
const OPSETS = [{ domain: '', version: 17 }, { domain: ML, version: 3 }];
const IR_VERSION = 8;

/** One column of the float input `numeric`: the number Assay reads from `column` (or a part of a date). */
export interface NumericInput { feature: string; column: string; part?: DatePart; missing: 'NaN' }
/** One column of the string input `categorical`: the value as text; `""` is missing. */
export interface CategoricalInput { feature: string; column: string; categories: string[]; missing: '' }

/**
 * How to feed the exported model, stored as JSON in its `metadata_props` under `assay.input_encoding`:
 * `numeric` is a float tensor [N, numeric.length], `categorical` a string tensor [N, categorical.length],
 * each column in the order listed. Only the inputs with columns exist in the graph.
 */
export interface InputEncoding {
  version: typeof ONNX_ENCODING_VERSION;
  model: string;
  task: 'classification' | 'regression';
  target: string;
  classes: string[];
  numeric: NumericInput[];
  categorical: CategoricalInput[];
  /** `value` [N, 1] for regression; `probabilities` [N, classes] and `label` [N] for classification. */
  outputs: string[];
  notes: string[];
  /** For an ensemble: its members, in graph order, and the weights their outputs are summed with. */
  members?: { name: string; weight: number }[];
  /** The calibration map the graph applies to the model's probabilities before `probabilities` (as Assay serves them). */
  calibration?: CalibrationMap;
}

export interface OnnxExport { bytes: Uint8Array; encoding: InputEncoding }

const PART_NOTE: Record<DatePart, string> = {
  year: 'UTC year', month: 'UTC month 1-12', day_of_week: 'UTC day of week, 0 = Sunday', ordinal: 'whole days since 1970-01-01 UTC (floor)',
  day: 'UTC day of the month 1-31', hour: 'UTC time of day in hours, minutes as a fraction (13:30 is 13.5)',
};

/** Builds graph nodes with unique names for intermediate values. */
class GraphBuilder {
  nodes: Node[] = [];
  initializers: Tensor[] = [];
  /** Prefix of new names: an ensemble member's nodes read `m0_…`, `m1_…` in tools such as Netron. */
  prefix = '';
  private n = 0;
  fresh(base: string) { return `${this.prefix}${base}_${this.n++}`; }
  op(op: string, inputs: string[], attributes: Record<string, AttributeValue | undefined> = {}, opts: { domain?: string; out?: string } = {}): string {
    const out = opts.out ?? this.fresh(op.toLowerCase());
    this.nodes.push({ op, domain: opts.domain, name: this.fresh(`n_${op}`), inputs, outputs: [out], attributes });
    return out;
  }
  const(t: Omit<Tensor, 'name'>): string {
    const name = this.fresh('const');
    this.initializers.push({ ...t, name });
    return name;
  }
}

/** The float32 threshold ONNX compares against: the split value rounded to float32 (inputs are float32 too). */
const f32Threshold = (t: number) => Math.fround(t);

/**
 * Where a model's graph reads its inputs: tensors whose columns are in the order its own encoding lists them.
 * A single model reads the graph inputs directly; an ensemble member reads a Gather of the shared inputs.
 */
interface Sources { numeric: string; categorical: string }
const GRAPH_INPUTS: Sources = { numeric: 'numeric', categorical: 'categorical' };

/** The categorical column `j` of the string input as a [N, 1] tensor. */
function categoricalColumn(g: GraphBuilder, src: Sources, j: number): string {
  return g.op('Gather', [src.categorical, g.const({ type: DataType.INT64, dims: [1], int64s: [j] })], { axis: { i: 1 } });
}

/** Tree inputs: numeric features as given, categorical ones as their bin codes (category index, 254 other, 255 missing). */
function treeFeatures(g: GraphBuilder, binner: BinFeature[], src: Sources) {
  const numeric = binner.flatMap((f, j) => (f.kind === 'numeric' ? [j] : []));
  const categorical = binner.flatMap((f, j) => (f.kind === 'categorical' ? [j] : []));
  const column = new Map<number, number>();
  numeric.forEach((j, i) => column.set(j, i));
  categorical.forEach((j, i) => column.set(j, numeric.length + i));
  const parts: string[] = numeric.length ? [src.numeric] : [];
  categorical.forEach((j, i) => {
    const f = binner[j] as Extract<BinFeature, { kind: 'categorical' }>;
    parts.push(g.op('LabelEncoder', [categoricalColumn(g, src, i)], {
      keys_strings: { strings: [...f.categories, ''] },
      values_floats: { floats: [...f.categories.map((_, k) => k), MISSING_BIN] },
      default_float: { f: OTHER_BIN },
    }, { domain: ML }));
  });
  const x = parts.length === 1 ? parts[0] : g.op('Concat', parts, { axis: { i: 1 } });
  return { x, column, numeric, categorical };
}

interface Ensemble {
  treeids: number[]; nodeids: number[]; featureids: number[]; modes: string[]; values: number[];
  truenodeids: number[]; falsenodeids: number[]; missing: number[];
  t_treeids: number[]; t_nodeids: number[]; t_ids: number[]; t_weights: number[];
}
const emptyEnsemble = (): Ensemble => ({
  treeids: [], nodeids: [], featureids: [], modes: [], values: [], truenodeids: [], falsenodeids: [], missing: [],
  t_treeids: [], t_nodeids: [], t_ids: [], t_weights: [],
});

/**
 * Appends one Assay tree as ONNX nodes. A numeric split on bin b sends x ≤ thresholds[b] left (BRANCH_LEQ, the
 * true branch); the last bin sends every number left (threshold +∞). Missing values follow `missing_left`.
 * A categorical split becomes a chain of BRANCH_EQ nodes on the bin code whose true branches share the left
 * child (the layout onnxruntime accepts for set membership, as LightGBM's converter writes it).
 */
function addTree(e: Ensemble, tree: Tree, treeId: number, binner: BinFeature[], column: Map<number, number>, leaf: (node: number) => { target: number; weight: number }[]) {
  const n = tree.feature.length, start = e.nodeids.length;
  let extra = n;
  const push = (id: number, feature: number, mode: string, value: number, t: number, f: number, missing: number) => {
    e.treeids.push(treeId); e.nodeids.push(id); e.featureids.push(feature); e.modes.push(mode); e.values.push(value);
    e.truenodeids.push(t); e.falsenodeids.push(f); e.missing.push(missing);
  };
  for (let i = 0; i < n; i++) {
    const f = tree.feature[i];
    if (f < 0) {
      push(i, 0, 'LEAF', 0, 0, 0, 0);
      for (const { target, weight } of leaf(i)) { e.t_treeids.push(treeId); e.t_nodeids.push(i); e.t_ids.push(target); e.t_weights.push(weight); }
      continue;
    }
    const spec = binner[f], col = column.get(f)!;
    const cats = tree.cats[i];
    if (spec.kind === 'numeric' || !cats) {
      const b = tree.threshold[i];
      const thresholds = spec.kind === 'numeric' ? spec.thresholds : [];
      const t = b < thresholds.length ? f32Threshold(thresholds[b]) : Infinity;
      push(i, col, 'BRANCH_LEQ', t, tree.left[i], tree.right[i], tree.missing_left[i] ? 1 : 0);
      continue;
    }
    // Chain: node i tests cats[0]; each further category gets a new node; the last one's false branch is the right child.
    const ids = [i, ...cats.slice(1).map(() => extra++)];
    const left = tree.left[i], right = tree.right[i];
    cats.forEach((c, k) => push(ids[k], col, 'BRANCH_EQ', c, left, k + 1 < ids.length ? ids[k + 1] : right, 0));
  }
  // Root first: onnxruntime takes a tree's first listed node as its root.
  sortTreeNodes(e, start);
}

/** Sorts the nodes from `start` to the end by node id (all belong to one tree). */
function sortTreeNodes(e: Ensemble, start: number) {
  const keys = ['treeids', 'nodeids', 'featureids', 'modes', 'values', 'truenodeids', 'falsenodeids', 'missing'] as const;
  const order = e.nodeids.slice(start).map((id, k) => [id, k] as const).sort((a, b) => a[0] - b[0]).map(([, k]) => start + k);
  for (const key of keys) {
    const arr = e[key] as unknown[];
    const sorted = order.map((k) => arr[k]);
    for (let k = 0; k < sorted.length; k++) arr[start + k] = sorted[k]; // no spread: a deep forest tree has 10⁵ nodes
  }
}

function ensembleNode(g: GraphBuilder, x: string, e: Ensemble, targets: number, opts: { base?: number[]; aggregate: 'SUM' | 'AVERAGE'; post: 'NONE' | 'LOGISTIC' | 'SOFTMAX' }) {
  return g.op('TreeEnsembleRegressor', [x], {
    n_targets: { i: targets },
    aggregate_function: { s: opts.aggregate },
    post_transform: { s: opts.post },
    base_values: opts.base ? { floats: opts.base } : undefined,
    nodes_treeids: { ints: e.treeids }, nodes_nodeids: { ints: e.nodeids }, nodes_featureids: { ints: e.featureids },
    nodes_modes: { strings: e.modes }, nodes_values: { floats: e.values },
    nodes_truenodeids: { ints: e.truenodeids }, nodes_falsenodeids: { ints: e.falsenodeids },
    nodes_missing_value_tracks_true: { ints: e.missing },
    target_treeids: { ints: e.t_treeids }, target_nodeids: { ints: e.t_nodeids }, target_ids: { ints: e.t_ids }, target_weights: { floats: e.t_weights },
  }, { domain: ML });
}

/** [N, 1] probability of the second class → [N, 2] probabilities. */
function twoClass(g: GraphBuilder, p: string): string {
  const q = g.op('Sub', [g.const({ type: DataType.FLOAT, dims: [], floats: [1] }), p]);
  return g.op('Concat', [q, p], { axis: { i: 1 } });
}

function treeGraph(g: GraphBuilder, model: GbdtModel | ForestModel | Extract<FittedModel, { kind: 'baseline' }>, binner: BinFeature[], classes: string[], src: Sources): string {
  const { x, column } = treeFeatures(g, binner, src);
  const e = emptyEnsemble();
  if (model.kind === 'gbdt') {
    const K = model.init.length;
    model.trees.forEach((iteration, it) => iteration.forEach((tree, k) =>
      addTree(e, tree, it * K + k, binner, column, (node) => [{ target: k, weight: tree.value[node] }])));
    if (!e.treeids.length) addTree(e, leafTree(), 0, binner, column, () => [{ target: 0, weight: 0 }]);
    // Two classes: the margin, then a core Sigmoid. onnxruntime applies a one-target regressor's post_transform
    // only when it is PROBIT, so LOGISTIC there would silently hand back log-odds.
    const out = ensembleNode(g, x, e, K, { base: model.init, aggregate: 'SUM', post: model.objective === 'multiclass' ? 'SOFTMAX' : 'NONE' });
    return model.objective === 'binary' ? twoClass(g, g.op('Sigmoid', [out])) : out;
  }
  if (model.kind === 'forest') {
    const K = model.outputs;
    model.trees.forEach((tree, t) => addTree(e, tree, t, binner, column, (node) => Array.from({ length: K }, (_, k) => ({ target: k, weight: tree.value[node * K + k] }))));
    const out = ensembleNode(g, x, e, K, { aggregate: 'AVERAGE', post: 'NONE' });
    return model.classification && K === 1 ? twoClass(g, out) : out;
  }
  // Baseline: one leaf carrying the mean or the class priors.
  const values = model.mean !== undefined ? [model.mean] : model.priors ?? classes.map(() => 1 / classes.length);
  addTree(e, leafTree(), 0, binner, column, () => values.map((weight, target) => ({ target, weight })));
  return ensembleNode(g, x, e, values.length, { aggregate: 'SUM', post: 'NONE' });
}

const leafTree = (): Tree => ({ outputs: 1, feature: [-1], threshold: [0], missing_left: [false], cats: [null], left: [-1], right: [-1], value: [0], cover: [0] });

/**
 * Linear models: numbers imputed with the training mean (Imputer) and standardised (Scaler), categories one-hot
 * (LabelEncoder to an index, "other" for unseen and missing, compared with 0..K), then MatMul + Add (+ Softmax).
 * The weight rows are permuted from Assay's column order (per input) to the graph's (numbers first, then categories).
 */
function linearGraph(g: GraphBuilder, model: LinearModel, specs: FeatureSpec[], src: Sources): string {
  const numeric = specs.filter((s) => s.kind === 'numeric');
  const categorical = specs.filter((s) => s.kind === 'categorical');
  const assayOffset = new Map<FeatureSpec, number>();
  let off = 0;
  for (const s of specs) { assayOffset.set(s, off); off += s.kind === 'numeric' ? 1 : s.categories.length + 1; }
  const order: number[] = [];
  const parts: string[] = [];
  if (numeric.length) {
    const imputed = g.op('Imputer', [src.numeric], { imputed_value_floats: { floats: numeric.map((s) => s.mean) }, replaced_value_float: { f: NaN } }, { domain: ML });
    parts.push(g.op('Scaler', [imputed], { offset: { floats: numeric.map((s) => s.mean) }, scale: { floats: numeric.map((s) => 1 / s.std) } }, { domain: ML }));
    for (const s of numeric) order.push(assayOffset.get(s)!);
  }
  categorical.forEach((s, j) => {
    if (s.kind !== 'categorical') return;
    const K = s.categories.length;
    const codes = g.op('LabelEncoder', [categoricalColumn(g, src, j)], {
      keys_strings: { strings: s.categories }, values_int64s: { ints: s.categories.map((_, k) => k) }, default_int64: { i: K },
    }, { domain: ML });
    const hot = g.op('Equal', [codes, g.const({ type: DataType.INT64, dims: [K + 1], int64s: Array.from({ length: K + 1 }, (_, k) => k) })]);
    parts.push(g.op('Cast', [hot], { to: { i: DataType.FLOAT } }));
    for (let k = 0; k <= K; k++) order.push(assayOffset.get(s)! + k);
  });
  const x = parts.length === 1 ? parts[0] : g.op('Concat', parts, { axis: { i: 1 } });
  const rows = model.kind === 'ridge' ? [model.weights] : model.weights;
  const bias = model.kind === 'ridge' ? [model.bias] : model.bias;
  const K = rows.length;
  const W = order.flatMap((col) => rows.map((w) => w[col]));
  const z = g.op('Add', [g.op('MatMul', [x, g.const({ type: DataType.FLOAT, dims: [order.length, K], floats: W })]), g.const({ type: DataType.FLOAT, dims: [K], floats: bias })]);
  return model.kind === 'ridge' ? z : g.op('Softmax', [z], { axis: { i: 1 } });
}

/**
 * The calibration map as ONNX ops on [N, K] probabilities, as `applyCalibration` computes it: probabilities clipped
 * to [ε, 1 − ε]; Platt takes the second class's logit, a·logit + b, Sigmoid, back to two columns; temperature
 * scaling takes Softmax(Log(p) / T).
 */
function calibrationGraph(g: GraphBuilder, probs: string, map: CalibrationMap): string {
  const scalar = (v: number) => g.const({ type: DataType.FLOAT, dims: [], floats: [v] });
  const eps = map.eps ?? CALIBRATION_EPS;
  const clip = (x: string) => g.op('Clip', [x, scalar(eps), scalar(1 - eps)]);
  if (map.method === 'platt') {
    const p = clip(g.op('Gather', [probs, g.const({ type: DataType.INT64, dims: [1], int64s: [1] })], { axis: { i: 1 } }));
    const logit = g.op('Log', [g.op('Div', [p, g.op('Sub', [scalar(1), p])])]);
    return twoClass(g, g.op('Sigmoid', [g.op('Add', [g.op('Mul', [logit, scalar(map.a)]), scalar(map.b)])]));
  }
  return g.op('Softmax', [g.op('Mul', [g.op('Log', [clip(probs)]), scalar(1 / map.temperature)])], { axis: { i: 1 } });
}

type Inputs = Pick<InputEncoding, 'numeric' | 'categorical' | 'notes'>;

function describeInputs(pre: Preprocessing, linear: boolean): Inputs {
  if (linear) {
    const numeric = pre.encoding.flatMap((s): NumericInput[] => (s.kind === 'numeric' ? [{ feature: s.name, column: s.name, missing: 'NaN' }] : []));
    const categorical = pre.encoding.flatMap((s): CategoricalInput[] => (s.kind === 'categorical' ? [{ feature: s.name, column: s.name, categories: s.categories, missing: '' }] : []));
    return { numeric, categorical, notes: [
      'numeric: the number itself (booleans 1/0); dates as days since 1970-01-01 UTC (fractional); NaN when missing.',
      'categorical: the value as text (booleans "true"/"false"); a value not among `categories` (or missing) counts as "other".',
    ] };
  }
  const numeric = pre.binner.flatMap((f): NumericInput[] => (f.kind === 'numeric' ? [{ feature: f.name, column: f.input, ...(f.part ? { part: f.part } : {}), missing: 'NaN' }] : []));
  const categorical = pre.binner.flatMap((f): CategoricalInput[] => (f.kind === 'categorical' ? [{ feature: f.name, column: f.input, categories: f.categories, missing: '' }] : []));
  const parts = [...new Set(numeric.flatMap((n) => (n.part ? [n.part] : [])))];
  return { numeric, categorical, notes: [
    'numeric: the number itself (booleans 1/0); NaN when missing. Thresholds are float32: values closer than float32 precision to a split value may fall on the other side than in Assay.',
    ...parts.map((p) => `numeric features with part "${p}": the ${PART_NOTE[p]} of the date in \`column\`.`),
    'categorical: the value as text (booleans "true"/"false"); "" is missing; a value not among `categories` counts as "other".',
  ] };
}

const numericKey = (c: NumericInput) => `${c.column}\u0000${c.part ?? ''}`;

/**
 * The inputs of several models merged: a column (or date part) more than one model reads is one column of the
 * input, since linear models and trees read the same raw value. A categorical column lists the union of the
 * categories the models know; each model still counts the ones it did not see as "other".
 */
function mergeInputs(all: Inputs[]): Inputs {
  const numeric = new Map<string, NumericInput>(), categorical = new Map<string, CategoricalInput>();
  for (const d of all) {
    for (const c of d.numeric) if (!numeric.has(numericKey(c))) numeric.set(numericKey(c), c);
    for (const c of d.categorical) {
      const seen = categorical.get(c.column);
      categorical.set(c.column, seen ? { ...seen, categories: [...new Set([...seen.categories, ...c.categories])] } : c);
    }
  }
  const notes = [...new Set(all.flatMap((d) => d.notes))];
  if (all.length > 1) notes.push('ensemble: each member reads the columns it was trained on; a category one member did not see counts as "other" in that member.');
  return { numeric: [...numeric.values()], categorical: [...categorical.values()], notes };
}

/** One model's view of the shared inputs: the graph inputs themselves when its columns are theirs, in order; else a Gather. */
function memberSources(g: GraphBuilder, mine: Inputs, all: Inputs): Sources {
  const view = (input: string, idx: number[], total: number) => (idx.length === total && idx.every((v, i) => v === i) ? input
    : g.op('Gather', [input, g.const({ type: DataType.INT64, dims: [idx.length], int64s: idx })], { axis: { i: 1 } }));
  return {
    numeric: mine.numeric.length ? view('numeric', mine.numeric.map((c) => all.numeric.findIndex((x) => numericKey(x) === numericKey(c))), all.numeric.length) : 'numeric',
    categorical: mine.categorical.length ? view('categorical', mine.categorical.map((c) => all.categorical.findIndex((x) => x.column === c.column)), all.categorical.length) : 'categorical',
  };
}

const isLinear = (m: FittedModel): m is LinearModel => m.kind === 'ridge' || m.kind === 'softmax';

/** One fitted model's output from `src`: values [N, 1] for regression, probabilities [N, classes] for classification. */
function modelGraph(g: GraphBuilder, a: ModelArtifact, model: FittedModel, src: Sources): string {
  if (model.kind === 'ensemble') throw new DataError('INVALID_OPTIONS', 'An ensemble whose member is an ensemble is not exportable to ONNX. Use format=json.', { format: 'onnx', model: 'ensemble' });
  return isLinear(model) ? linearGraph(g, model, a.preprocessing.encoding, src) : treeGraph(g, model, a.preprocessing.binner, a.classes, src);
}

/**
 * The fitted model as an ONNX file: trees (GBDT, forest, baseline) as one `ai.onnx.ml` TreeEnsembleRegressor with
 * the link as SOFTMAX `post_transform` for several classes or a Sigmoid node for two, linear models as MatMul/Add.
 * An ensemble is one graph: each member's nodes (names prefixed `m<i>_`) read their columns of the shared inputs,
 * and their outputs (probabilities, or values) are summed with the members' weights, as Assay predicts it.
 * Inputs `numeric` (float [N, n]) and `categorical` (string [N, m]) as described by the returned encoding,
 * which is also stored in the file's `metadata_props`.
 */
export function exportOnnx(a: ModelArtifact, meta: { producerVersion: string; modelId?: string }): OnnxExport {
  const g = new GraphBuilder();
  const members = a.model.kind === 'ensemble' ? a.model.members : null;
  const parts = members ? members.map((m) => ({ model: m.model, weight: m.weight })) : [{ model: a.model, weight: 1 }];
  const own = parts.map((p) => describeInputs(a.preprocessing, isLinear(p.model)));
  const shared = mergeInputs(own);
  const { numeric, categorical, notes } = shared;
  let scores: string;
  if (!members) scores = modelGraph(g, a, a.model, GRAPH_INPUTS);
  else {
    const weighted = parts.map((p, i) => {
      g.prefix = `m${i}_`;
      const out = modelGraph(g, a, p.model, memberSources(g, own[i], shared));
      return g.op('Mul', [out, g.const({ type: DataType.FLOAT, dims: [], floats: [p.weight] })]);
    });
    g.prefix = '';
    scores = g.op('Sum', weighted);
  }
  const outputs: ValueInfo[] = [];
  if (a.task === 'regression') {
    g.op('Identity', [scores], {}, { out: 'value' });
    outputs.push({ name: 'value', type: DataType.FLOAT, dims: ['N', 1] });
  } else {
    const map = a.calibration;
    g.op('Identity', [map ? calibrationGraph(g, scores, map) : scores], {}, { out: 'probabilities' });
    const best = g.op('ArgMax', ['probabilities'], { axis: { i: 1 }, keepdims: { i: 0 } });
    g.op('LabelEncoder', [best], { keys_int64s: { ints: a.classes.map((_, k) => k) }, values_strings: { strings: a.classes }, default_string: { s: '' } }, { domain: ML, out: 'label' });
    outputs.push({ name: 'probabilities', type: DataType.FLOAT, dims: ['N', a.classes.length] }, { name: 'label', type: DataType.STRING, dims: ['N'] });
  }
  const inputs: ValueInfo[] = [];
  if (numeric.length) inputs.push({ name: 'numeric', type: DataType.FLOAT, dims: ['N', numeric.length] });
  if (categorical.length) inputs.push({ name: 'categorical', type: DataType.STRING, dims: ['N', categorical.length] });
  const encoding: InputEncoding = {
    version: ONNX_ENCODING_VERSION, model: a.name, task: a.task, target: a.target, classes: a.classes,
    numeric, categorical, outputs: outputs.map((o) => o.name), notes,
    ...(members ? { members: members.map((m) => ({ name: m.name, weight: m.weight })) } : {}),
    ...(a.task === 'classification' && a.calibration ? { calibration: a.calibration } : {}),
  };
  if (encoding.calibration) encoding.notes = [...notes, `probabilities: calibrated by ${a.calibration!.method === 'platt' ? 'Platt scaling' : 'temperature scaling'} (see \`calibration\`), as Assay serves them.`];
  const bytes = encodeModel({
    irVersion: IR_VERSION, opsets: OPSETS, producer: { name: 'assay', version: meta.producerVersion },
    doc: `Assay ${a.name} model${members ? ` (${members.map((m) => `${m.weight} × ${m.name}`).join(' + ')})` : ''}${encoding.calibration ? `, ${encoding.calibration.method}-calibrated,` : ''} for '${a.target}' (${a.task}). Inputs and their encoding: metadata_props["assay.input_encoding"].`,
    graph: { name: `assay_${a.name}`, nodes: g.nodes, initializers: g.initializers, inputs, outputs },
    metadata: {
      'assay.input_encoding': JSON.stringify(encoding),
      'assay.artifact_version': String(a.version),
      ...(members ? { 'assay.ensemble_members': JSON.stringify(members.map((m) => ({ name: m.name, weight: m.weight, params: m.params }))) } : {}),
      ...(meta.modelId ? { 'assay.model_id': meta.modelId } : {}),
    },
  });
  return { bytes, encoding };
}

/** Input tensors' data for raw rows, encoded as `encoding` describes (what a caller of the ONNX file does by hand). */
export function onnxInputs(encoding: InputEncoding, rows: Record<string, unknown>[]): { numeric: Float32Array; categorical: string[] } {
  const numeric = new Float32Array(rows.length * encoding.numeric.length);
  const categorical: string[] = new Array<string>(rows.length * encoding.categorical.length);
  rows.forEach((r, i) => {
    encoding.numeric.forEach((c, j) => { numeric[i * encoding.numeric.length + j] = featureValue(r[c.column], c.part); });
    encoding.categorical.forEach((c, j) => {
      const v = r[c.column];
      categorical[i * encoding.categorical.length + j] = v === null || v === undefined ? '' : String(v);
    });
  });
  return { numeric, categorical };
}
