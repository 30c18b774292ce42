// Distribution functions the drift tests need, written out so the service needs no statistics package.
// Reference values in test/analysis/compare/stats.test.ts come from scipy 1.x (scipy.special.gammaincc, chi2.sf, kolmogorov).

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 significant digits). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x); // reflection
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-15;
const TINY = 1e-300;
const MAX_ITER = 10_000;

/** Lower regularized gamma P(a, x) by its power series; converges fast for x < a + 1. */
function gammaPSeries(a: number, x: number): number {
  let sum = 1 / a, term = sum, ap = a;
  for (let n = 0; n < MAX_ITER; n++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
}

/** Upper regularized gamma Q(a, x) by its continued fraction (modified Lentz); converges fast for x ≥ a + 1. */
function gammaQFraction(a: number, x: number): number {
  let b = x + 1 - a, c = 1 / TINY, d = 1 / b, h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
}

/**
 * The upper regularized incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a). Each branch computes its own tail
 * directly (never 1 − P where P ≈ 1), so tiny p-values keep their relative accuracy.
 * @example gammaQ(1, 2) // e^-2 = 0.1353…
 */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQFraction(a, x);
}

/**
 * Survival function of the χ² distribution with `dof` degrees of freedom: P(X ≥ x) = Q(dof/2, x/2).
 * @example chiSquareSf(3.841458820694124, 1) // 0.05
 */
export function chiSquareSf(x: number, dof: number): number {
  return gammaQ(dof / 2, x / 2);
}

/**
 * Survival function of the Kolmogorov distribution (the limit of √n·Dₙ), scipy's `kolmogorov(λ)`. Two series:
 * the alternating one converges in a few terms for λ ≥ 1, the Jacobi-theta form for small λ.
 * @example kolmogorovSf(1.3580986393225505) // 0.05
 */
export function kolmogorovSf(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1) {
    // 1 − (√(2π)/λ) Σ exp(−(2j−1)² π² / (8λ²))
    const k = -(Math.PI ** 2) / (8 * lambda * lambda);
    let s = 0;
    for (let j = 1; j <= 50; j++) {
      const term = Math.exp((2 * j - 1) ** 2 * k);
      s += term;
      if (term < 1e-17 * s) break;
    }
    return Math.max(0, Math.min(1, 1 - (Math.sqrt(2 * Math.PI) / lambda) * s));
  }
  // 2 Σ (−1)^(j−1) exp(−2 j² λ²)
  let s = 0;
  for (let j = 1; j <= 100; j++) {
    const term = Math.exp(-2 * j * j * lambda * lambda);
    s += (j % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-17 * Math.abs(s) || term === 0) break;
  }
  return Math.max(0, Math.min(1, 2 * s));
}

/**
 * Asymptotic p-value of the two-sample Kolmogorov–Smirnov statistic `d` for samples of `n` and `m` values, with
 * Stephens' small-sample correction λ = (√nₑ + 0.12 + 0.11/√nₑ)·D, nₑ = nm/(n+m) (Numerical Recipes' `kstwo`).
 * Close to scipy's `ks_2samp(method='asymp')` (which uses the finite-n `kstwo(round(nₑ))`) for nₑ past a few dozen.
 */
export function ksPValue(d: number, n: number, m: number): number {
  if (n === 0 || m === 0) return 1;
  const ne = Math.sqrt((n * m) / (n + m));
  return kolmogorovSf((ne + 0.12 + 0.11 / ne) * d);
}

/** Pearson's χ² test of independence on a 2 × k table (A's and B's counts per category). */
export interface ChiSquareResult { statistic: number; dof: number; p_value: number; cramers_v: number }

/**
 * χ² test of independence between "which table" and the category, on counts per category. Categories empty in
 * both tables are left out; with fewer than two categories left the tables cannot differ (statistic 0, p 1).
 * Cramér's V (√(χ²/n) for two rows) is the effect size, comparable across table sizes.
 * @example chiSquare2xK([10, 20], [20, 10]) // { statistic: 6.67, dof: 1, p_value: 0.0098, cramers_v: 0.333 }
 */
export function chiSquare2xK(a: number[], b: number[]): ChiSquareResult {
  const keep = a.map((_, i) => i).filter((i) => a[i] + b[i] > 0);
  const na = keep.reduce((s, i) => s + a[i], 0), nb = keep.reduce((s, i) => s + b[i], 0), n = na + nb;
  if (keep.length < 2 || na === 0 || nb === 0) return { statistic: 0, dof: Math.max(0, keep.length - 1), p_value: 1, cramers_v: 0 };
  let stat = 0;
  for (const i of keep) {
    const col = a[i] + b[i];
    const ea = (na * col) / n, eb = (nb * col) / n;
    stat += (a[i] - ea) ** 2 / ea + (b[i] - eb) ** 2 / eb;
  }
  const dof = keep.length - 1;
  return { statistic: stat, dof, p_value: chiSquareSf(stat, dof), cramers_v: Math.sqrt(stat / n) };
}

/**
 * Smallest share a bin may have in the PSI sum: an empty bin would make ln(actual/expected) infinite. 1e-4 is the
 * clip Evidently's PSI stattest applies (`np.clip(percents, 0.0001, None)`).
 */
export const PSI_EPSILON = 1e-4;

/**
 * Population stability index of B's shares against A's over the same bins: Σ (b − a)·ln(b / a), each share
 * clipped below at `PSI_EPSILON`. Bins empty in both tables contribute nothing.
 * @example psi([50, 50], [50, 50]) // 0
 */
export function psi(countsA: number[], countsB: number[]): number {
  const na = countsA.reduce((s, x) => s + x, 0), nb = countsB.reduce((s, x) => s + x, 0);
  if (na === 0 || nb === 0) return 0;
  let sum = 0;
  for (let i = 0; i < countsA.length; i++) {
    if (countsA[i] === 0 && countsB[i] === 0) continue;
    const pa = Math.max(countsA[i] / na, PSI_EPSILON), pb = Math.max(countsB[i] / nb, PSI_EPSILON);
    sum += (pb - pa) * Math.log(pb / pa);
  }
  return sum;
}
