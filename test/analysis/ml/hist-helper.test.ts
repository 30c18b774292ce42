import { describe, expect, test } from 'vitest';
import { applyBinner, fitBinner } from '../../../analysis/ml/binning.js';
import { fitGbdt, predictGbdt, type Objective } from '../../../analysis/ml/gbdt.js';
import { helperStats, startHelper } from '../../../analysis/ml/hist-helper.js';
import { seededRandom } from '../../../analysis/ml/random.js';

function table(rows: number) {
  const rand = seededRandom(11);
  const cols: Record<string, unknown[]> = { a: [], b: [], c: [], d: [], e: [], n1: [], n2: [], n3: [], n4: [], n5: [] };
  const y: number[] = [], cls: number[] = [];
  for (let i = 0; i < rows; i++) {
    const a = rand() * 10, b = rand() < 0.1 ? null : rand() * 10, c = ['x', 'y', 'z'][Math.floor(rand() * 3)], d = rand(), e = rand() * 3;
    cols.a.push(a); cols.b.push(b); cols.c.push(c); cols.d.push(d); cols.e.push(e);
    for (const k of ['n1', 'n2', 'n3', 'n4', 'n5']) cols[k].push(rand());
    const v = a + (b ?? 5) * d + (c === 'y' ? 3 : 0) + rand();
    y.push(v); cls.push(v > 9 ? (v > 12 ? 2 : 1) : 0);
  }
  const inputs = [{ name: 'a', type: 'float' as const }, { name: 'b', type: 'float' as const }, { name: 'c', type: 'categorical' as const },
    { name: 'd', type: 'float' as const }, { name: 'e', type: 'float' as const },
    ...['n1', 'n2', 'n3', 'n4', 'n5'].map((name) => ({ name, type: 'float' as const }))];
  return { data: applyBinner(fitBinner(cols, inputs, 1), cols, rows), yNum: Float64Array.from(y), yCls: Int32Array.from(cls) };
}

describe('histograms split with a helper thread', () => {
  test('grow exactly the trees of one thread (every objective, with row and column subsampling), and the helper took part', async () => {
    // Large enough that the root histograms are worth splitting (the helper skips small nodes).
    const { data, yNum, yCls } = table(40_000);
    startHelper();
    for (let i = 0; i < 200 && !helperStats().ready; i++) await new Promise((r) => setTimeout(r, 50));
    expect(helperStats().ready).toBe(true);
    const rows = Int32Array.from({ length: 35_000 }, (_, i) => i), held = Array.from({ length: 5000 }, (_, i) => 35_000 + i);
    const cases: [Objective, number][] = [['squared_error', 1], ['binary', 2], ['multiclass', 3], ['absolute_error', 1]];
    for (const [obj, classes] of cases) {
      const y = { yNum, yCls: obj === 'binary' ? Int32Array.from(yCls, (c) => (c > 0 ? 1 : 0)) : yCls, classes };
      const params = { maxIter: 15, subsample: 0.8, colsample: 0.8, earlyStopping: false };
      const before = helperStats().builds;
      const one = fitGbdt(data, y, rows, obj, params, 5, { threads: 1 });
      expect(helperStats().builds).toBe(before);
      const two = fitGbdt(data, y, rows, obj, params, 5, { threads: 2 });
      expect(helperStats().builds).toBeGreaterThan(before);
      expect(JSON.stringify(two)).toBe(JSON.stringify(one));
      expect(Array.from(predictGbdt(two, data, held))).toEqual(Array.from(predictGbdt(one, data, held)));
    }
  });
});
