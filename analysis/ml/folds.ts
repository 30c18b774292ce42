import { seededRandom, shuffled } from './random.js';

/**
 * k-fold splits of row indices, stratified by class when `strata` is given, reproducible from `seed`.
 * @returns for each fold, the held-out indices.
 */
export function kFolds(rows: number, k: number, seed: number, strata?: Int32Array): number[][] {
  const rand = seededRandom(seed);
  const folds: number[][] = Array.from({ length: k }, () => []);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < rows; i++) {
    const g = strata ? strata[i] : 0;
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(i);
  }
  let next = 0;
  for (const g of [...groups.keys()].sort((a, b) => a - b)) {
    for (const i of shuffled(groups.get(g)!, rand)) { folds[next].push(i); next = (next + 1) % k; }
  }
  return folds.map((f) => f.sort((a, b) => a - b));
}

/** The complement of a held-out fold. */
export function trainIndices(rows: number, heldOut: number[]): Int32Array {
  const out = new Int32Array(rows - heldOut.length);
  let h = 0, o = 0;
  for (let i = 0; i < rows; i++) { if (h < heldOut.length && heldOut[h] === i) { h++; continue; } out[o++] = i; }
  return out;
}
