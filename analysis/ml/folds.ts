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

/** One cross-validation split: the rows a model is fitted on and the rows it is scored on (ascending). */
export interface Split { train: Int32Array; valid: number[] }

const ascending = (a: number, b: number) => a - b;

/** `rows` without `drop` (both index lists), ascending. */
export function withoutRows(rows: readonly number[], drop: readonly number[]): Int32Array {
  const out = new Set(drop);
  return Int32Array.from(rows.filter((r) => !out.has(r))).sort();
}

/**
 * Forward-chaining folds (expanding window) over rows listed oldest first: the rows are cut into k + 1
 * consecutive blocks; fold i validates on block i + 1 and trains on every earlier block, less the last
 * `gap` rows before the validation block. No training row is later than a validation row.
 * @example timeFolds([0, 1, 2, 3, 4, 5], 2, 0) // [{train: [0, 1], valid: [2, 3]}, {train: [0, 1, 2, 3], valid: [4, 5]}]
 */
export function timeFolds(oldestFirst: readonly number[], k: number, gap = 0): Split[] {
  const n = oldestFirst.length;
  const cut = (i: number) => Math.round((i * n) / (k + 1));
  return Array.from({ length: k }, (_, f) => {
    const start = cut(f + 1), end = cut(f + 2);
    return { train: Int32Array.from(oldestFirst.slice(0, Math.max(0, start - gap))).sort(), valid: oldestFirst.slice(start, end).sort(ascending) };
  });
}

/**
 * Group k-fold: every group's rows land in one fold, so no group is on both sides of a split. Groups are
 * placed largest first into the fold with the fewest rows (ties broken by a seeded shuffle).
 * @param rows the row indices to split; `groupOf(r)` names the group of row r.
 */
export function groupFolds(rows: readonly number[], groupOf: (r: number) => string, k: number, seed: number): Split[] {
  const members = new Map<string, number[]>();
  for (const r of rows) { const g = groupOf(r); if (!members.has(g)) members.set(g, []); members.get(g)!.push(r); }
  const groups = shuffled([...members.keys()].sort(), seededRandom(seed)).sort((a, b) => members.get(b)!.length - members.get(a)!.length);
  const valid: number[][] = Array.from({ length: k }, () => []);
  for (const g of groups) {
    let smallest = 0;
    for (let f = 1; f < k; f++) if (valid[f].length < valid[smallest].length) smallest = f;
    for (const r of members.get(g)!) valid[smallest].push(r); // not push(...spread): a large group would overflow the stack
  }
  return valid.map((v) => ({ train: withoutRows(rows, v), valid: v.sort(ascending) }));
}

/** Shuffled (or, with `strata`, stratified) k-fold over a subset of the rows. */
export function randomFolds(rows: readonly number[], k: number, seed: number, strata?: Int32Array): Split[] {
  const sub = strata ? Int32Array.from(rows, (r) => strata[r]) : undefined;
  return kFolds(rows.length, k, seed, sub).map((f) => {
    const valid = f.map((i) => rows[i]);
    return { train: withoutRows(rows, valid), valid };
  });
}
