import { describe, expect, test } from 'vitest';
import { chiSquare2xK, chiSquareSf, gammaQ, kolmogorovSf, ksPValue, psi } from '../../../analysis/compare/stats.js';

// Reference values from scipy 1.17.1: scipy.special.gammaincc, scipy.stats.chi2.sf, scipy.special.kolmogorov,
// scipy.stats.chi2_contingency(correction=False), scipy.stats.ks_2samp(method='asymp').
const rel = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

describe('gammaQ (upper regularized incomplete gamma)', () => {
  test.each([
    [0.5, 0.1, 0.6547208460185768], [1, 2, 0.1353352832366127], [2.5, 1, 0.8491450360846096], [3, 10, 0.0027693957155115775],
    [10, 3, 0.9988975118698845], [50, 60, 0.08440668109369177], [0.5, 30, 9.485737571073857e-15], [100, 200, 1.8438936497115418e-15],
    [5, 0.01, 0.9999999999991735],
  ])('Q(%d, %d) = scipy gammaincc', (a, x, want) => {
    expect(rel(gammaQ(a, x), want)).toBeLessThan(1e-10);
  });
  test('edges: Q(a, 0) = 1, Q(a, ∞) = 0, a ≤ 0 is NaN', () => {
    expect(gammaQ(2, 0)).toBe(1);
    expect(gammaQ(2, Infinity)).toBe(0);
    expect(gammaQ(0, 1)).toBeNaN();
  });
});

describe('chiSquareSf', () => {
  test.each([
    [3.841458820694124, 1, 0.04999999999999989], [10, 3, 0.01856613546304325], [0.5, 2, 0.7788007830714049], [100, 40, 4.791357300338064e-07],
    [200, 10, 1.6139305336977317e-37], [1000, 50, 7.188706215514871e-177], [7.5, 7, 0.37873690604821353], [25, 1, 5.733031437583875e-07],
  ])('sf(%d; %d dof) = scipy chi2.sf, tails keep their relative accuracy', (x, k, want) => {
    expect(rel(chiSquareSf(x, k), want)).toBeLessThan(1e-9);
  });
});

describe('kolmogorovSf', () => {
  test.each([
    [0.3, 0.9999906941986655], [0.5, 0.9639452436648751], [0.8, 0.5441424115741981], [1.0, 0.26999967167735456], [1.2, 0.11224966667072497],
    [1.3580986393225505, 0.050000000000000024], [2, 0.0006709252557796953], [3, 3.045995948942526e-08], [5, 3.8574996959278356e-22],
  ])('Q_KS(%d) = scipy kolmogorov', (lambda, want) => {
    expect(rel(kolmogorovSf(lambda), want)).toBeLessThan(1e-10);
  });
  test('ksPValue is within 0.005 of scipy ks_2samp(method=asymp) at n = 300, m = 250', () => {
    expect(Math.abs(ksPValue(0.084, 300, 250) - 0.27675611989707477)).toBeLessThan(0.005);
  });
});

describe('chiSquare2xK', () => {
  test('matches scipy chi2_contingency without continuity correction', () => {
    const r = chiSquare2xK([10, 20], [20, 10]);
    expect(r.statistic).toBeCloseTo(6.666666666666667, 12);
    expect(r.dof).toBe(1);
    expect(rel(r.p_value, 0.009823274507519235)).toBeLessThan(1e-9);
    expect(r.cramers_v).toBeCloseTo(Math.sqrt(6.666666666666667 / 60), 12);
    const r2 = chiSquare2xK([30, 50, 20, 0], [40, 40, 25, 5]);
    expect(r2.statistic).toBeCloseTo(7.6363636363636385, 10);
    expect(r2.dof).toBe(3);
    expect(rel(r2.p_value, 0.054156289594104505)).toBeLessThan(1e-9);
  });
  test('categories empty in both tables are left out; one category left means no difference', () => {
    expect(chiSquare2xK([10, 0, 20], [20, 0, 10]).dof).toBe(1);
    expect(chiSquare2xK([5, 0], [7, 0])).toEqual({ statistic: 0, dof: 0, p_value: 1, cramers_v: 0 });
  });
});

describe('psi', () => {
  test('identical shares give 0; a hand-computed shift; an empty bin stays finite through the epsilon', () => {
    expect(psi([10, 20, 30], [20, 40, 60])).toBe(0);
    expect(psi([50, 50], [40, 60])).toBeCloseTo(-0.1 * Math.log(0.8) + 0.1 * Math.log(1.2), 12);
    const p = psi([100, 0], [50, 50]);
    expect(p).toBeCloseTo(-0.5 * Math.log(0.5) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4), 12);
    expect(psi([0, 0], [1, 1])).toBe(0); // nothing in A: no reference to compare with
  });
});
