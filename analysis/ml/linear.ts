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

/** Rows of a dense matrix as compressed sparse rows (positions, columns ascending, values). */
interface SparseRows { ptr: Int32Array; col: Int32Array; val: Float64Array }

/**
 * The rows `idx` of X (n × p, row-major) without their zeros. One-hot categories make most of a row zero (two
 * airport columns of 229 values each: 458 columns, two of them non-zero), so fits that walk only the non-zeros do
 * per row the work of its few inputs instead of all p columns (ridge: p² per row before; softmax: p × classes).
 */
function sparseRows(X: Float64Array, idx: ArrayLike<number>, p: number): SparseRows {
  const ptr = new Int32Array(idx.length + 1);
  for (let k = 0; k < idx.length; k++) {
    let nz = 0; const row = idx[k] * p;
    for (let j = 0; j < p; j++) if (X[row + j] !== 0) nz++;
    ptr[k + 1] = ptr[k] + nz;
  }
  const col = new Int32Array(ptr[idx.length]), val = new Float64Array(ptr[idx.length]);
  for (let k = 0, o = 0; k < idx.length; k++) {
    const row = idx[k] * p;
    for (let j = 0; j < p; j++) { const v = X[row + j]; if (v !== 0) { col[o] = j; val[o++] = v; } }
  }
  return { ptr, col, val };
}

/**
 * Ridge regression in closed form on centred targets (the bias is not penalised). The centred Gram matrix is
 * Σ x xᵀ − n μ μᵀ, summed over each row's non-zeros only (numbers are standardised, so μ is small and nothing cancels).
 * @example fitRidge(X, y, rows, width, 1.0)
 */
export function fitRidge(X: Float64Array, y: Float64Array, idx: ArrayLike<number>, width: number, lambda = 1): LinearModel {
  const p = width, n = idx.length;
  const { ptr, col, val } = sparseRows(X, idx, p);
  let ySum = 0;
  const xSum = new Float64Array(p), xy = new Float64Array(p), A = new Float64Array(p * p);
  for (let k = 0; k < n; k++) {
    const yr = y[idx[k]];
    ySum += yr;
    for (let a = ptr[k]; a < ptr[k + 1]; a++) {
      const i = col[a], v = val[a], base = i * p;
      xSum[i] += v; xy[i] += v * yr;
      for (let b = ptr[k]; b <= a; b++) A[base + col[b]] += v * val[b];
    }
  }
  const yMean = ySum / n;
  const xMean = xSum.map((v) => v / n);
  const b = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    b[i] = xy[i] - n * xMean[i] * yMean;
    for (let j = 0; j <= i; j++) A[i * p + j] -= n * xMean[i] * xMean[j];
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
  const { ptr, col, val } = sparseRows(X, idx, p);
  for (let t = 1; t <= iters; t++) {
    if (opts.deadline !== undefined && t > 1 && Date.now() > opts.deadline) break;
    gW.fill(0); gB.fill(0);
    for (let k = 0; k < n; k++) {
      const r = idx[k], lo = ptr[k], hi = ptr[k + 1];
      let max = -Infinity;
      for (let c = 0; c < K; c++) {
        let s = B[c];
        const w = c * p;
        for (let a = lo; a < hi; a++) s += W[w + col[a]] * val[a];
        z[c] = s; if (s > max) max = s;
      }
      let sum = 0;
      for (let c = 0; c < K; c++) { z[c] = Math.exp(z[c] - max); sum += z[c]; }
      for (let c = 0; c < K; c++) {
        const g = z[c] / sum - (y[r] === c ? 1 : 0);
        gB[c] += g;
        const w = c * p;
        if (g !== 0) for (let a = lo; a < hi; a++) gW[w + col[a]] += g * val[a];
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
