/** A symmetric matrix over named columns (null where undefined). */
export interface NamedMatrix { columns: string[]; matrix: (number | null)[][] }

/**
 * Every pair above the diagonal that has a value, in matrix order.
 * @example matrixPairs(eda.correlations)[0] // { i: 0, j: 1, a: 'x', b: 'y', v: 0.97 }
 */
export function matrixPairs(m: NamedMatrix): { i: number; j: number; a: string; b: string; v: number }[] {
  const out: { i: number; j: number; a: string; b: string; v: number }[] = [];
  for (let i = 0; i < m.columns.length; i++) for (let j = i + 1; j < m.columns.length; j++) {
    const v = m.matrix[i][j];
    if (v !== null) out.push({ i, j, a: m.columns[i], b: m.columns[j], v });
  }
  return out;
}

/** Pairs sorted by strength (largest |value| first; ties keep their order). */
export const strongestFirst = <T extends { v: number }>(pairs: T[]): T[] => [...pairs].sort((x, y) => Math.abs(y.v) - Math.abs(x.v));
