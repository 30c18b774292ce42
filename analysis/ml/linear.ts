/** A fitted linear model on encoded features; plain JSON so it serialises as the model artifact. */
export type LinearModel =
  | { kind: 'ridge'; weights: number[]; bias: number }
  | { kind: 'softmax'; classes: string[]; weights: number[][]; bias: number[] };

/** Solves A x = b for symmetric positive definite A (Cholesky); A is n×n row-major. */
function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / L[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) { let s = b[i]; for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k]; y[i] = s / L[i * n + i]; }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) { let s = y[i]; for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k]; x[i] = s / L[i * n + i]; }
  return x;
}

/**
 * Ridge regression in closed form on centred targets (the bias is not penalised).
 * @example fitRidge(X, y, rows, width, 1.0)
 */
export function fitRidge(X: Float64Array, y: Float64Array, idx: ArrayLike<number>, width: number, lambda = 1): LinearModel {
  const p = width;
  let yMean = 0;
  const xMean = new Float64Array(p);
  for (let k = 0; k < idx.length; k++) { const r = idx[k]; yMean += y[r]; for (let j = 0; j < p; j++) xMean[j] += X[r * p + j]; }
  yMean /= idx.length;
  for (let j = 0; j < p; j++) xMean[j] /= idx.length;
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  const xc = new Float64Array(p);
  for (let k = 0; k < idx.length; k++) {
    const r = idx[k];
    for (let j = 0; j < p; j++) xc[j] = X[r * p + j] - xMean[j];
    const yc = y[r] - yMean;
    for (let i = 0; i < p; i++) {
      b[i] += xc[i] * yc;
      for (let j = 0; j <= i; j++) A[i * p + j] += xc[i] * xc[j];
    }
  }
  for (let i = 0; i < p; i++) { for (let j = 0; j < i; j++) A[j * p + i] = A[i * p + j]; A[i * p + i] += lambda; }
  const w = choleskySolve(A, b, p);
  let bias = yMean;
  for (let j = 0; j < p; j++) bias -= w[j] * xMean[j];
  return { kind: 'ridge', weights: Array.from(w), bias };
}

/**
 * Multinomial logistic regression (softmax; binary is the two-class case) with L2, fitted by full-batch
 * gradient descent with Adam steps. `y` holds class indices.
 */
export function fitSoftmax(X: Float64Array, y: Int32Array, idx: ArrayLike<number>, width: number, classes: string[],
  opts: { l2?: number; iterations?: number; learningRate?: number; deadline?: number } = {}): LinearModel {
  const K = classes.length, p = width, n = idx.length;
  const l2 = opts.l2 ?? 1e-3, iters = opts.iterations ?? 300, lr = opts.learningRate ?? 0.1;
  const W = new Float64Array(K * p), B = new Float64Array(K);
  const gW = new Float64Array(K * p), gB = new Float64Array(K);
  const mW = new Float64Array(K * p), vW = new Float64Array(K * p), mB = new Float64Array(K), vB = new Float64Array(K);
  const z = new Float64Array(K);
  for (let t = 1; t <= iters; t++) {
    if (opts.deadline !== undefined && t > 1 && Date.now() > opts.deadline) break;
    gW.fill(0); gB.fill(0);
    for (let k = 0; k < n; k++) {
      const r = idx[k], row = r * p;
      let max = -Infinity;
      for (let c = 0; c < K; c++) {
        let s = B[c];
        for (let j = 0; j < p; j++) s += W[c * p + j] * X[row + j];
        z[c] = s; if (s > max) max = s;
      }
      let sum = 0;
      for (let c = 0; c < K; c++) { z[c] = Math.exp(z[c] - max); sum += z[c]; }
      for (let c = 0; c < K; c++) {
        const g = z[c] / sum - (y[r] === c ? 1 : 0);
        gB[c] += g;
        if (g !== 0) for (let j = 0; j < p; j++) gW[c * p + j] += g * X[row + j];
      }
    }
    const b1 = 0.9, b2 = 0.999, c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
    for (let i = 0; i < K * p; i++) {
      const g = gW[i] / n + l2 * W[i];
      mW[i] = b1 * mW[i] + (1 - b1) * g; vW[i] = b2 * vW[i] + (1 - b2) * g * g;
      W[i] -= (lr * mW[i] / c1) / (Math.sqrt(vW[i] / c2) + 1e-8);
    }
    for (let c = 0; c < K; c++) {
      const g = gB[c] / n;
      mB[c] = b1 * mB[c] + (1 - b1) * g; vB[c] = b2 * vB[c] + (1 - b2) * g * g;
      B[c] -= (lr * mB[c] / c1) / (Math.sqrt(vB[c] / c2) + 1e-8);
    }
  }
  const weights: number[][] = [];
  for (let c = 0; c < K; c++) weights.push(Array.from(W.subarray(c * p, (c + 1) * p)));
  return { kind: 'softmax', classes, weights, bias: Array.from(B) };
}

/** Regression predictions, or class probabilities (row-major n×K) for softmax. */
export function predictLinear(m: LinearModel, X: Float64Array, idx: ArrayLike<number>, width: number): Float64Array {
  if (m.kind === 'ridge') {
    const out = new Float64Array(idx.length);
    for (let k = 0; k < idx.length; k++) {
      let s = m.bias; const row = idx[k] * width;
      for (let j = 0; j < width; j++) s += m.weights[j] * X[row + j];
      out[k] = s;
    }
    return out;
  }
  const K = m.classes.length, out = new Float64Array(idx.length * K);
  for (let k = 0; k < idx.length; k++) {
    const row = idx[k] * width;
    let max = -Infinity;
    for (let c = 0; c < K; c++) {
      let s = m.bias[c];
      for (let j = 0; j < width; j++) s += m.weights[c][j] * X[row + j];
      out[k * K + c] = s; if (s > max) max = s;
    }
    let sum = 0;
    for (let c = 0; c < K; c++) { out[k * K + c] = Math.exp(out[k * K + c] - max); sum += out[k * K + c]; }
    for (let c = 0; c < K; c++) out[k * K + c] /= sum;
  }
  return out;
}
