import type { ModelName, Task } from './candidates.js';
import { seededRandom } from './random.js';
import { decode, defaultTrial, encode, GBDT_LOW_COST, gbdtSpace, interleaved, lightTrials, trialKey, type Dimension, type TrialSpec } from './search-space.js';

/** Step size of the direct search in the unit cube at the start, and the size at which it has converged. */
const FIRST_STEP = 0.25;
const LAST_STEP = 0.02;
/** The search has stalled after this many GBDT trials (per dimension) without improving the best by MIN_GAIN. */
const STALL_PER_DIMENSION = 2;
/** A gain smaller than this (in the metric's units) is noise, not progress. */
const MIN_GAIN = 1e-4;
/** Light (forest, linear) trials are interleaved one per this many GBDT trials. */
const GBDT_PER_LIGHT = 3;

/**
 * Proposes trials one at a time from the scores of the finished ones, deterministically (same scores, same
 * proposals), so a restarted search replays its past trials from their saved fold scores and goes on.
 *
 * First every family's defaults (GBDT preceded by FLAML's low-cost point), then FLAML's CFO for the GBDT:
 * from the incumbent x, try x + s·u and x − s·u for a random unit direction u; move on improvement; after
 * d failed directions halve s; stop at a small s, or after 2·d trials in a row that gained nothing (a search
 * that no longer pays). The forest and linear variants are interleaved.
 */
export class Searcher {
  private readonly space: Dimension[];
  private readonly rand: () => number;
  private readonly queue: TrialSpec[] = [];
  private readonly light: TrialSpec[];
  private readonly tried = new Set<string>();
  private readonly better: (a: number, b: number) => boolean;
  private incumbent: { x: number[]; score: number } | null = null;
  private pending: { key: string; x: number[]; mirror: number[] | null } | null = null;
  private step = FIRST_STEP;
  private failures = 0;
  private gbdtSinceLight = 0;
  private stalled = 0;
  private readonly search: boolean;

  /**
   * @param o.search whether to go past the defaults (a time budget or a trial cap is set)
   * @param o.higher whether a larger score is better
   */
  constructor(o: { names: ModelName[]; task: Task; rows: number; seed: number; higher: boolean; search: boolean }) {
    this.space = gbdtSpace(o.rows);
    this.rand = seededRandom(o.seed ^ 0x5eed);
    this.better = o.higher ? (a, b) => a > b : (a, b) => a < b;
    this.search = o.search && o.names.includes('gbdt');
    for (const m of o.names) {
      if (m === 'gbdt' && o.search) this.queue.push({ model: 'gbdt', params: decode(this.space, encode(this.space, GBDT_LOW_COST)) });
      this.queue.push(defaultTrial(m));
    }
    this.light = o.search ? interleaved(o.names.map((m) => lightTrials(m, o.task))) : [];
  }

  /** The next trial to score, or null when the search has converged (or only the defaults were asked for). */
  next(): TrialSpec | null {
    const spec = this.queue.shift() ?? this.proposal();
    if (spec) this.tried.add(trialKey(spec));
    return spec;
  }

  /**
   * The trial {@link Searcher.next} will return, when it is already decided: a queued one while no direction is
   * being tried (a report can then not change what comes next). Null when the next depends on scores to come.
   */
  peek(): TrialSpec | null { return this.pending ? null : this.queue[0] ?? null; }

  /** Whether the trial last returned by {@link Searcher.next} is the last one (only the defaults were asked for, and all are out). */
  exhausted(): boolean { return !this.search && this.queue.length === 0 && this.light.length === 0; }

  /** Records a finished trial's cross-validated score. */
  report(spec: TrialSpec, score: number): void {
    if (spec.model !== 'gbdt' || !Number.isFinite(score)) return;
    const x = encode(this.space, spec.params.maxIter === undefined ? DEFAULT_POINT : spec.params);
    const key = trialKey(spec);
    const improved = !this.incumbent || this.better(score, this.incumbent.score);
    const gained = !this.incumbent || Math.abs(score - this.incumbent.score) > MIN_GAIN;
    this.stalled = improved && gained ? 0 : this.stalled + 1;
    if (improved) this.incumbent = { x, score };
    if (this.pending?.key !== key) return;
    const { mirror } = this.pending;
    this.pending = null;
    if (improved) { this.failures = 0; return; }
    // x + s·u did not help: try x − s·u before counting the direction as failed.
    if (mirror) { this.queue.unshift(this.gbdtAt(mirror, null)); return; }
    if (++this.failures >= this.space.length) { this.failures = 0; this.step /= 2; }
  }

  private gbdtAt(x: number[], mirror: number[] | null): TrialSpec {
    const spec: TrialSpec = { model: 'gbdt', params: decode(this.space, x) };
    this.pending = { key: trialKey(spec), x, mirror };
    return spec;
  }

  private proposal(): TrialSpec | null {
    if (this.light.length && (this.gbdtSinceLight >= GBDT_PER_LIGHT || !this.search || !this.incumbent)) {
      this.gbdtSinceLight = 0;
      return this.light.shift()!;
    }
    if (!this.search || !this.incumbent) return null;
    if (this.stalled >= STALL_PER_DIMENSION * this.space.length) return this.light.shift() ?? null;
    for (let attempt = 0; attempt < 20 && this.step >= LAST_STEP; attempt++) {
      const u = this.direction();
      const plus = this.incumbent.x.map((v, i) => v + this.step * u[i]);
      const minus = this.incumbent.x.map((v, i) => v - this.step * u[i]);
      const spec = this.gbdtAt(plus, minus);
      if (this.tried.has(trialKey(spec))) {
        // Rounded onto a point already scored: try the mirror, else count the direction as failed.
        const alt = this.gbdtAt(minus, null);
        if (!this.tried.has(trialKey(alt))) { this.gbdtSinceLight++; return alt; }
        if (++this.failures >= this.space.length) { this.failures = 0; this.step /= 2; }
        continue;
      }
      this.gbdtSinceLight++;
      return spec;
    }
    this.pending = null;
    return this.light.shift() ?? null;
  }

  private direction(): number[] {
    // A uniform direction on the sphere: normalised Gaussians (Box–Muller).
    const g = this.space.map(() => Math.sqrt(-2 * Math.log(1 - this.rand())) * Math.cos(2 * Math.PI * this.rand()));
    const norm = Math.sqrt(g.reduce((s, v) => s + v * v, 0)) || 1;
    return g.map((v) => v / norm);
  }
}

/** Where the GBDT defaults sit in the space (100 rounds of 31 leaves, rate 0.1, no L2), for a search starting from them. */
const DEFAULT_POINT = { maxIter: 100, maxLeaves: 31, minSamplesLeaf: 20, learningRate: 0.1, l2: 0, subsample: 1, colsample: 1 };
