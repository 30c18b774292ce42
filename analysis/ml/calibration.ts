// Probability calibration of the served classifier, fitted on its out-of-fold predictions: Platt scaling on the
// logit for two classes (Platt 1999; scikit-learn's CalibratedClassifierCV "sigmoid"), temperature scaling for
// more (Guo et al. 2017; AutoGluon's calibration). Pure: no Temporal, no HTTP, no model fitting.
import { higherIsBetter, logLoss, type Metric } from './metrics.js';
import { scorePredictions } from './scoring.js';

/**
 * A fitted calibration map, on probabilities first clipped to [eps, 1 − eps]. Platt: P(class 1) = σ(a·logit(p₁) + b).
 * Temperature: softmax(log p / T). `eps` is fitted too: a forest says exactly 0 or 1 where all its trees agree, and
 * how far to trust that is a property of the model (absent in a map: {@link CALIBRATION_EPS}).
 */
export type CalibrationMap = ({ method: 'platt'; a: number; b: number } | { method: 'temperature'; temperature: number }) & { eps?: number };
export type CalibrationMethod = CalibrationMap['method'];

/**
 * The smallest clip of probabilities before the logit or log: forests give exact 0 and 1, and the ONNX graph
 * (float32) must compute the same thing, so it is far above float32 resolution near 1 (6e-8).
 */
export const CALIBRATION_EPS = 1e-6;
/** Rows a map is fitted on at most (an even spread of them): enough for two or three parameters, and quick. */
export const FIT_ROWS = 10_000;
/** The clips a fit chooses among (by log loss on the rows it is fitted on). */
export const EPS_GRID = [1e-6, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2] as const;

/** Log loss and Brier score before and after calibration, and on which rows and how they were obtained. */
export interface CalibrationFigures {
  log_loss_before: number; log_loss_after: number;
  /** Two classes: mean (p₁ − y)², scikit-learn's brier_score_loss; more: mean over rows of Σₖ (pₖ − 1[y=k])². */
  brier_before: number; brier_after: number;
  rows: number;
  scored_on: string;
}

/** What calibration did for the served model (`modeling.calibration`; regression has none: the field is null). */
export interface CalibrationReport {
  /** The method evaluated (Platt for two classes, or temperature when Platt moved the labels); null when none could be. */
  method: CalibrationMethod | null;
  applied: boolean;
  reason: string;
  /** The map fitted on every out-of-fold row (served when applied). */
  params: CalibrationMap | null;
  /** Out-of-fold figures; "after" is cross-fitted (each fold calibrated by a map fitted on the other folds). */
  oof: CalibrationFigures | null;
  /** The held-out test split, scored with the model fitted on the non-test rows; null without a test split or when not applied. */
  test: CalibrationFigures | null;
}

const clip = (p: number, eps: number) => Math.min(1 - eps, Math.max(eps, p));
const logit = (p: number, eps: number) => { const q = clip(p, eps); return Math.log(q / (1 - q)); };
const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
/** log(1 + e^z) without overflow. */
const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

/**
 * Applies a calibration map to row-major class probabilities (`K` per row); returns a new array.
 * @example const served = applyCalibration({ method: 'temperature', temperature: 0.7 }, probs, 3);
 */
export function applyCalibration(map: CalibrationMap, probs: ArrayLike<number>, K: number): Float64Array {
  const rows = probs.length / K;
  const out = new Float64Array(probs.length);
  const eps = map.eps ?? CALIBRATION_EPS;
  if (map.method === 'platt') {
    for (let i = 0; i < rows; i++) {
      const q = sigmoid(map.a * logit(probs[i * 2 + 1], eps) + map.b);
      out[i * 2] = 1 - q; out[i * 2 + 1] = q;
    }
    return out;
  }
  const s = 1 / map.temperature;
  for (let i = 0; i < rows; i++) {
    let max = -Infinity;
    for (let k = 0; k < K; k++) { const z = s * Math.log(clip(probs[i * K + k], eps)); out[i * K + k] = z; if (z > max) max = z; }
    let sum = 0;
    for (let k = 0; k < K; k++) { const e = Math.exp(out[i * K + k] - max); out[i * K + k] = e; sum += e; }
    for (let k = 0; k < K; k++) out[i * K + k] /= sum;
  }
  return out;
}

/**
 * Platt scaling on the logit of P(class 1): fits σ(a·logit(p) + b) by Newton's method with backtracking (Lin, Lin
 * and Weng 2007's stable form of Platt 1999), against Platt's regularised targets (N₊+1)/(N₊+2) and 1/(N₋+2) rather
 * than 1 and 0, so a separable fold does not push the slope to infinity. Starts at the identity (a = 1, b = 0).
 */
export function fitPlatt(p1: ArrayLike<number>, y: ArrayLike<number>, eps = CALIBRATION_EPS): { a: number; b: number } {
  const n = p1.length;
  const f = Float64Array.from(p1, (p) => logit(p, eps));
  let pos = 0;
  for (let i = 0; i < n; i++) if (y[i] === 1) pos++;
  const hi = (pos + 1) / (pos + 2), lo = 1 / (n - pos + 2);
  const t = Float64Array.from(y, (v) => (v === 1 ? hi : lo));
  // Negative log-likelihood of z = a·f + b against targets t: Σ softplus(z) − t·z.
  const nll = (a: number, b: number) => { let s = 0; for (let i = 0; i < n; i++) { const z = a * f[i] + b; s += softplus(z) - t[i] * z; } return s; };
  let a = 1, b = 0, cur = nll(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(a * f[i] + b), d = p - t[i], w = p * (1 - p);
      ga += d * f[i]; gb += d; haa += w * f[i] * f[i]; hab += w * f[i]; hbb += w;
    }
    if (Math.abs(ga) < 1e-9 * n && Math.abs(gb) < 1e-9 * n) break;
    const det = haa * hbb - hab * hab;
    const da = -(hbb * ga - hab * gb) / det, db = -(haa * gb - hab * ga) / det;
    let step = 1, next = cur;
    // Backtracking: halve the step until the objective decreases enough (Armijo, as Lin et al.).
    for (; step > 1e-10; step /= 2) { next = nll(a + step * da, b + step * db); if (next < cur + 1e-4 * step * (ga * da + gb * db)) break; }
    if (step <= 1e-10) break;
    a += step * da; b += step * db;
    if (cur - next < 1e-12 * Math.max(1, Math.abs(cur))) { cur = next; break; }
    cur = next;
  }
  return { a, b };
}

/**
 * Temperature scaling: the T minimising the log loss of softmax(log p / T). The log loss is convex in s = 1/T (a
 * one-parameter multinomial logistic model: its derivative is Σ E_s[log p] − log p_y, its second the variance of
 * log p under the scaled softmax), so Newton's method on s, kept inside [0.05, 20] by bisection, finds it.
 */
export function fitTemperature(probs: ArrayLike<number>, y: ArrayLike<number>, K: number, eps = CALIBRATION_EPS): number {
  const n = y.length;
  const logp = Float64Array.from(probs, (p) => Math.log(clip(p, eps)));
  const w = new Float64Array(K);
  /** First and second derivative of the log loss (summed over rows) at s. */
  const derivatives = (s: number) => {
    let d1 = 0, d2 = 0;
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, s * logp[i * K + k]);
      let sum = 0;
      for (let k = 0; k < K; k++) { w[k] = Math.exp(s * logp[i * K + k] - max); sum += w[k]; }
      let m1 = 0, m2 = 0;
      for (let k = 0; k < K; k++) { const l = logp[i * K + k], q = w[k] / sum; m1 += q * l; m2 += q * l * l; }
      d1 += m1 - logp[i * K + y[i]];
      d2 += m2 - m1 * m1;
    }
    return { d1, d2 };
  };
  let lo = 0.05, hi = 20, s = 1;
  for (let iter = 0; iter < 50; iter++) {
    const { d1, d2 } = derivatives(s);
    if (d1 > 0) hi = s; else lo = s;
    if (Math.abs(d1) < 1e-7 * n || hi - lo < 1e-6) break;
    const next = d2 > 0 ? s - d1 / d2 : NaN;
    // A Newton step that leaves the bracket (or a flat second derivative) falls back to bisection.
    s = next > lo && next < hi ? next : (lo + hi) / 2;
  }
  return 1 / Math.min(20, Math.max(0.05, s));
}

/**
 * Fits the map of `method` on row-major probabilities and class indices, for each clip of {@link EPS_GRID}, and
 * keeps the one with the lowest log loss on these rows (cross-fitting scores that choice on other rows).
 */
export function fitCalibration(method: CalibrationMethod, probs: ArrayLike<number>, y: ArrayLike<number>, K: number): CalibrationMap {
  // Two or three parameters need far fewer rows than a large table has: fit on an even spread of FIT_ROWS of them.
  if (y.length > FIT_ROWS) {
    const step = y.length / FIT_ROWS;
    const pick = Array.from({ length: FIT_ROWS }, (_, i) => Math.floor(i * step));
    const sub = new Float64Array(FIT_ROWS * K);
    pick.forEach((r, i) => { for (let k = 0; k < K; k++) sub[i * K + k] = probs[r * K + k]; });
    return fitCalibration(method, sub, Int32Array.from(pick, (r) => y[r]), K);
  }
  let best: { map: CalibrationMap; loss: number } | null = null;
  for (const eps of EPS_GRID) {
    const map: CalibrationMap = method === 'platt'
      ? { method, ...fitPlatt(Float64Array.from(y, (_, i) => probs[i * 2 + 1]), y, eps), eps }
      : { method, temperature: fitTemperature(probs, y, K, eps), eps };
    const loss = logLoss(y, applyCalibration(map, probs, K), K);
    if (!best || loss < best.loss) best = { map, loss };
  }
  return best!.map;
}

/** Brier score: two classes as scikit-learn's brier_score_loss (on p₁), more as the mean squared error of the probability vector. */
export function brierScore(y: ArrayLike<number>, probs: ArrayLike<number>, K: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    if (K === 2) { s += (probs[i * 2 + 1] - (y[i] === 1 ? 1 : 0)) ** 2; continue; }
    for (let k = 0; k < K; k++) s += (probs[i * K + k] - (y[i] === k ? 1 : 0)) ** 2;
  }
  return s / Math.max(1, y.length);
}

/** Log loss and Brier of `before` and `after` on the same rows. */
export function calibrationFigures(y: ArrayLike<number>, before: ArrayLike<number>, after: ArrayLike<number>, K: number, scoredOn: string): CalibrationFigures {
  return {
    log_loss_before: logLoss(y, before, K), log_loss_after: logLoss(y, after, K),
    brier_before: brierScore(y, before, K), brier_after: brierScore(y, after, K), rows: y.length, scored_on: scoredOn,
  };
}

/** The served model's out-of-fold predictions: `folds[f]` row-major for `valid[f]`'s rows, in their order. */
export interface ServedOutOfFold { folds: Float64Array[]; valid: ArrayLike<number>[] }

/**
 * A gain smaller than this share of the log loss is not worth serving different probabilities for (and is at the
 * level by which a well-calibrated model's map wobbles around the identity).
 */
export const MIN_RELATIVE_GAIN = 0.005;
/**
 * The cross-fitted gain must exceed this many standard errors of the mean per-row gain (rows are paired: the same
 * row before and after). Per-row rather than per-fold: a model's log loss per fold swings with its few confident
 * mistakes, and five folds estimate that spread badly.
 */
export const NOISE_SE = 2;
/** Folds (out of F) that may see no gain: the gain must hold across folds, not come from one fold's mistakes. */
export const FOLDS_WITHOUT_GAIN = 1;

interface Evaluation {
  method: CalibrationMethod;
  /** Cross-fitted calibrated predictions, fold by fold. */
  after: Float64Array[];
  /** Mean per-row log-loss gain over every out-of-fold row, and its standard error. */
  gain: number; se: number; lossBefore: number;
  /** Folds whose log loss the calibration lowered. */
  improved: number;
  /** A fold's Platt map had a slope ≤ 0: the model ranks held-out rows no better than chance, calibration cannot help. */
  reversed: boolean;
  metricBefore: number; metricAfter: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const concat = (parts: ArrayLike<number>[]) => { const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0)); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; } return out; };

/** Cross-fits `method`: each fold calibrated by a map fitted on the other folds' out-of-fold rows. */
function crossFit(method: CalibrationMethod, oof: ServedOutOfFold, yCls: ArrayLike<number>, K: number, metric: Metric, d: Parameters<typeof scorePredictions>[1]): Evaluation {
  const F = oof.folds.length;
  const ys = oof.valid.map((v) => Int32Array.from(v, (r) => yCls[r]));
  const after: Float64Array[] = [], gains: number[] = [], before: number[] = [], mBefore: number[] = [], mAfter: number[] = [];
  let reversed = false;
  const rowGains: number[] = [];
  const rowLoss = (p: ArrayLike<number>, i: number, y: number) => -Math.log(Math.min(1, Math.max(1e-15, p[i * K + y])));
  for (let f = 0; f < F; f++) {
    const others = Array.from({ length: F }, (_, g) => g).filter((g) => g !== f);
    const map = fitCalibration(method, concat(others.map((g) => oof.folds[g])), concat(others.map((g) => ys[g])), K);
    if (map.method === 'platt' && map.a <= 0) reversed = true;
    const cal = applyCalibration(map, oof.folds[f], K);
    after.push(cal);
    for (let i = 0; i < ys[f].length; i++) rowGains.push(rowLoss(oof.folds[f], i, ys[f][i]) - rowLoss(cal, i, ys[f][i]));
    const lb = logLoss(ys[f], oof.folds[f], K), la = logLoss(ys[f], cal, K);
    before.push(lb); gains.push(lb - la);
    mBefore.push(scorePredictions(metric, d, oof.folds[f], oof.valid[f]));
    mAfter.push(scorePredictions(metric, d, cal, oof.valid[f]));
  }
  const n = rowGains.length, g = mean(rowGains);
  const se = n > 1 ? Math.sqrt(rowGains.reduce((s, x) => s + (x - g) ** 2, 0) / (n - 1) / n) : Infinity;
  return { method, after, gain: g, se, lossBefore: mean(before), metricBefore: mean(mBefore), metricAfter: mean(mAfter), improved: gains.filter((x) => x > 0).length, reversed };
}

const f4 = (x: number) => x.toFixed(4);

/**
 * Decides whether to calibrate the served classifier, honestly: each method is cross-fitted on the out-of-fold
 * folds (fitted on the other folds, scored on the held-out one) and applied only when its mean log-loss gain
 * exceeds {@link MIN_RELATIVE_GAIN} of the log loss and {@link NOISE_SE} standard errors of the per-row gain, holds
 * on all folds but {@link FOLDS_WITHOUT_GAIN}, no Platt slope is ≤ 0, and the chosen metric, averaged over the folds, is not worse. Two classes try Platt first, then temperature
 * scaling (which never moves the 0.5 threshold) when Platt worsens the metric; more classes use temperature
 * scaling (which never changes the argmax). The served map is then fitted on every out-of-fold row.
 * @example const r = decideCalibration(oof, d.yCls, d, 'macro_f1');
 */
export function decideCalibration(oof: ServedOutOfFold, yCls: ArrayLike<number>, d: Parameters<typeof scorePredictions>[1], metric: Metric): CalibrationReport {
  const K = d.classes.length;
  const F = oof.folds.length;
  if (F < 2) return { method: null, applied: false, reason: 'Calibration needs out-of-fold predictions from two folds or more.', params: null, oof: null, test: null };
  const methods: CalibrationMethod[] = K === 2 ? ['platt', 'temperature'] : ['temperature'];
  const yAll = concat(oof.valid.map((v) => Int32Array.from(v, (r) => yCls[r])));
  const before = concat(oof.folds);
  const notes: string[] = [];
  let shown: Evaluation | null = null;
  for (const method of methods) {
    const e = crossFit(method, oof, yCls, K, metric, d);
    shown ??= e;
    const name = method === 'platt' ? 'Platt scaling' : 'Temperature scaling';
    if (e.reversed) {
      notes.push(`${name} fitted a slope ≤ 0 on some folds (the model ranks held-out rows no better than chance there)`);
      continue;
    }
    const floor = MIN_RELATIVE_GAIN * e.lossBefore;
    const needFolds = Math.max(1, F - FOLDS_WITHOUT_GAIN);
    if (!(e.gain > floor && e.gain > NOISE_SE * e.se && e.improved >= needFolds)) {
      notes.push(`${name} lowered the cross-fitted out-of-fold log loss by ${f4(e.gain)} (standard error ${f4(e.se)}; lower on ${e.improved} of ${F} folds), within noise (needs > ${f4(Math.max(floor, NOISE_SE * e.se))} and lower on ${needFolds} folds)`);
      shown = e.gain > shown.gain ? e : shown;
      continue;
    }
    const worse = higherIsBetter(metric) ? e.metricAfter < e.metricBefore - 1e-12 : e.metricAfter > e.metricBefore + 1e-12;
    if (worse) {
      notes.push(`${name} lowered the log loss by ${f4(e.gain)} but moved ${metric} from ${f4(e.metricBefore)} to ${f4(e.metricAfter)} (it moves the 0.5 threshold)`);
      continue;
    }
    const params = fitCalibration(method, before, yAll, K);
    const why = `more than ${NOISE_SE} standard errors, ${f4(NOISE_SE * e.se)}, and ${MIN_RELATIVE_GAIN * 100}% of ${f4(e.lossBefore)}; lower on ${e.improved} of ${F} folds`;
    const reason = [...notes, `${name} lowered the cross-fitted out-of-fold log loss by ${f4(e.gain)} (${why}) without worsening ${metric} (${f4(e.metricBefore)} → ${f4(e.metricAfter)})`].join('; ') + '.';
    return { method, applied: true, reason, params, oof: calibrationFigures(yAll, before, concat(e.after), K, crossFitNote(F)), test: null };
  }
  const e = shown!;
  return {
    method: e.method, applied: false, reason: `Not calibrated: ${notes.join('; ')}.`,
    params: fitCalibration(e.method, before, yAll, K), oof: calibrationFigures(yAll, before, concat(e.after), K, crossFitNote(F)), test: null,
  };
}

const crossFitNote = (F: number) => `every out-of-fold row of the ${F} folds; "after" cross-fitted (each fold calibrated by a map fitted on the other ${F - 1})`;

/** The served probabilities: the model's, through the artifact's calibration map when it has one. */
export function calibrated(map: CalibrationMap | undefined, probs: Float64Array, K: number): Float64Array {
  return map && K >= 2 ? applyCalibration(map, probs, K) : probs;
}
