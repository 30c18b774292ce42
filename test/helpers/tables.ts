import type { Frame } from '../../analysis/ml/load-frame.js';
import { seededRandom } from '../../analysis/ml/random.js';

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

/**
 * A seeded three-class table as CSV that no single model family reads whole: classes a and b are split by a linear
 * score of x0..x7 (the linear model's strength), class c is a region of x8 and x9 (the trees'). Their blend beats each.
 */
export function blendCsv(rows: number, seed: number): string {
  const rand = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const lines = [[...Array.from({ length: 10 }, (_, i) => `x${i}`), 'label'].join(',')];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: 10 }, gauss);
    const y = x[8] > 0.3 && x[9] < -0.3 && rand() < 0.9 ? 'c' : x.slice(0, 8).reduce((s, v) => s + v, 0) * 0.5 + gauss() * 0.7 > 0 ? 'a' : 'b';
    lines.push([...x.map((v) => v.toFixed(4)), y].join(','));
  }
  return lines.join('\n');
}

/**
 * Two classes, a sharp function of four features among twelve: a random forest's votes are under-confident on it
 * (calibration's test table and `bench/calibration.ts`'s synthetic one).
 */
export function sharpTable(rows: number, seed: number): { frame: Frame; columns: { name: string; type: 'float' | 'categorical' }[] } {
  const rand = seededRandom(seed);
  const names = ['a', 'b', 'c', 'd', ...Array.from({ length: 8 }, (_, j) => `n${j}`)];
  const cols: Record<string, unknown[]> = Object.fromEntries([...names, 'y'].map((n) => [n, []]));
  for (let i = 0; i < rows; i++) {
    const v = names.map(() => rand() * 2 - 1);
    names.forEach((n, j) => cols[n].push(v[j]));
    cols.y.push(rand() < 1 / (1 + Math.exp(-8 * (v[0] + v[1] + v[2] + v[3]))) ? 'yes' : 'no');
  }
  return { frame: { rows, columns: cols }, columns: [...names.map((name) => ({ name, type: 'float' as const })), { name: 'y', type: 'categorical' as const }] };
}
