/**
 * A seeded synthetic regression table as CSV: `cols` uniform features and a target `y` that depends on the
 * first few, non-linearly. Big enough tables keep the trees busy for as long as a test needs a run in `train`.
 */
export function regressionCsv(rows: number, cols: number, seed = 7): string {
  let state = seed;
  const rnd = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const lines = [[...Array.from({ length: cols }, (_, i) => `x${i}`), 'y'].join(',')];
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: cols }, rnd);
    lines.push([...x.map((v) => v.toFixed(4)), (x[0] * 3 + Math.sin(x[1] * 6) + x[2] * x[3] + rnd()).toFixed(4)].join(','));
  }
  return lines.join('\n');
}
