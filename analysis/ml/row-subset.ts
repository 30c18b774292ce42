// Which rows a stage uses when it cannot use them all: the search's subset and the finish's.
import { seededRandom } from './random.js';

/**
 * `n` of `rows`, drawn without replacement from `seed` (ascending): the same rows for the same seed and rows,
 * whatever the timing, so a resumed stage rebuilds the same folds. With `strata` (class per row) each class keeps
 * its share, and at least one row, so a rare class never drops out of the search.
 * @example seededSubset([0, 1, 2, 3, 4, 5], 3, 7) // three of the six, ascending
 */
export function seededSubset(rows: ArrayLike<number>, n: number, seed: number, strata?: Int32Array): Int32Array {
  if (n >= rows.length) return Int32Array.from(rows).sort();
  const rand = seededRandom(seed);
  const draw = (from: Int32Array, k: number) => {
    // Partial Fisher–Yates on a typed copy: cheap for millions of rows.
    for (let i = 0; i < k; i++) { const j = i + Math.floor(rand() * (from.length - i)); const x = from[i]; from[i] = from[j]; from[j] = x; }
    return from.subarray(0, k);
  };
  if (!strata) return Int32Array.from(draw(Int32Array.from(rows), Math.max(0, Math.floor(n)))).sort();
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < rows.length; i++) { const c = strata[rows[i]]; let list = byClass.get(c); if (!list) byClass.set(c, list = []); list.push(rows[i]); }
  const share = n / rows.length;
  const out: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = byClass.get(c)!;
    for (const r of draw(Int32Array.from(list), Math.min(list.length, Math.max(1, Math.round(list.length * share))))) out.push(r);
  }
  return Int32Array.from(out).sort();
}

/** The last `n` of `oldestFirst` (rows in time order), ascending by row index: the most recent history. */
export function latestRows(oldestFirst: ArrayLike<number>, n: number): Int32Array {
  const from = Math.max(0, oldestFirst.length - Math.max(0, Math.floor(n)));
  return Int32Array.from({ length: oldestFirst.length - from }, (_, i) => oldestFirst[from + i]).sort();
}

/** `rows` restricted to the members of `keep` (a 0/1 mask by row), in their order. */
export function within(rows: ArrayLike<number>, keep: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) if (keep[rows[i]]) out.push(rows[i]);
  return out;
}
