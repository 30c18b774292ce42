import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { CODE_EXT } from '../../config/app-root.js';
import { buildHistogram } from './hist-kernel.js';

/** Words of the control block shared with the helper thread. */
export const C = { state: 0, ready: 1, small: 2, large: 3, start: 4, m: 5, jLo: 6, jHi: 7, nFeats: 8 } as const;
export const State = { idle: 0, begin: 1, work: 2, done: 3, exit: 4 } as const;

/** The buffers of one fit, shared with the helper thread once at the fit's first parallel tree. */
export interface Session {
  rm: Uint8Array; F: number; grad: Float64Array; hess: Float64Array; rows: Int32Array; feats: Int32Array;
  slab: SharedArrayBuffer; histSize: number; capacity: number;
}

let policy: () => boolean = () => false;
/** Row × feature updates from which a histogram is worth splitting with the helper. */
const MIN_SHARED_WORK = 200_000;
/** Histograms built together with the helper thread, since this thread started (for tests and benchmarks). */
let sharedBuilds = 0;

/**
 * Decides whether fits that were not given a thread count may use a helper thread, asked before each tree.
 * The training pool sets it to "a core is idle", so helpers never add to two folds already fitting on two cores.
 */
export function setHelperPolicy(p: () => boolean) { policy = p; }

interface Helper { ctl: Int32Array; port: MessagePort; worker: Worker; session: Session | null }
let helper: Helper | null = null;

/** Starts this thread's helper ahead of the first fit that may use it (starting takes a moment; fits do not wait). */
export function startHelper() { readyHelper(); }

/** Whether this thread's helper is up, and how many histograms it has helped build. */
export function helperStats(): { ready: boolean; builds: number } { return { ready: helper !== null && Atomics.load(helper.ctl, C.ready) === 1, builds: sharedBuilds }; }

/** The helper thread of this thread, started on first request; null until it is up (fits do not wait for it). */
function readyHelper(): Helper | null {
  if (!helper) {
    const ctl = new Int32Array(new SharedArrayBuffer(16 * 4));
    const { port1, port2 } = new MessageChannel();
    const entry = new URL(`./hist-thread${CODE_EXT}`, import.meta.url).href;
    const worker = new Worker(new URL('./thread-boot.mjs', import.meta.url), { workerData: { entry, ctl, port: port2 }, transferList: [port2] });
    worker.unref();
    worker.on('error', () => { helper = null; });
    helper = { ctl, port: port1, worker, session: null };
  }
  return Atomics.load(helper.ctl, C.ready) === 1 ? helper : null;
}

/** Blocks until the helper has finished the current request. */
function waitDone(ctl: Int32Array) {
  for (let spin = 0; spin < 2000; spin++) if (Atomics.load(ctl, C.state) === State.done) break;
  while (Atomics.load(ctl, C.state) !== State.done) Atomics.wait(ctl, C.state, State.work, 50);
  Atomics.store(ctl, C.state, State.idle);
}

/**
 * Histogram building for the trees of one fit, over buffers shared with a helper thread: each histogram's
 * features are split in two halves, one built here and one by the helper, into disjoint parts of the same
 * buffer, so the sums (and the trees) are exactly those of one thread.
 */
export class SharedHistograms {
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  readonly rows: Int32Array;
  private readonly feats: Int32Array;
  private readonly session: Session;
  private readonly views: Float64Array[];
  private readonly free: Float64Array[];
  private nFeats: number;
  private active: Helper | null = null;

  /** `threads` 2 uses the helper whenever it is up; undefined leaves it to the policy set by the training pool. */
  constructor(rm: Uint8Array, F: number, n: number, rowCapacity: number, capacity: number, private readonly threads?: number) {
    const histSize = F * 256 * 3;
    const slab = new SharedArrayBuffer(capacity * histSize * 8);
    this.grad = new Float64Array(new SharedArrayBuffer(n * 8));
    this.hess = new Float64Array(new SharedArrayBuffer(n * 8));
    this.rows = new Int32Array(new SharedArrayBuffer(rowCapacity * 4));
    this.feats = new Int32Array(new SharedArrayBuffer(F * 4));
    for (let f = 0; f < F; f++) this.feats[f] = f;
    this.nFeats = F;
    this.session = { rm, F, grad: this.grad, hess: this.hess, rows: this.rows, feats: this.feats, slab, histSize, capacity };
    this.views = Array.from({ length: capacity }, (_, i) => new Float64Array(slab, i * histSize * 8, histSize));
    this.free = [...this.views].reverse();
  }

  /** Whether parallel fits are possible at all here (else the caller need not share its buffers). */
  static wanted(threads?: number): boolean { return threads === undefined ? policy() : threads > 1; }

  /** Called before each tree: the features it may use, and whether the helper takes part in it. */
  startTree(features: number[]) {
    this.nFeats = features.length;
    for (let j = 0; j < features.length; j++) this.feats[j] = features[j];
    const allowed = this.threads === undefined ? policy() : this.threads > 1;
    const h = allowed ? readyHelper() : null;
    if (h && h.session !== this.session) {
      h.port.postMessage(this.session);
      Atomics.store(h.ctl, C.state, State.begin);
      Atomics.notify(h.ctl, C.state);
      waitDone(h.ctl);
      h.session = this.session;
    }
    this.active = h;
  }

  take(): Float64Array { return this.free.pop() ?? new Float64Array(this.session.histSize); }
  give(h: Float64Array) { if (this.views.includes(h)) this.free.push(h); }

  /** Fills `hist` from `rows[start, start + m)` and, with `large`, turns the parent's histogram into the sibling's. */
  build(hist: Float64Array, large: Float64Array | null, start: number, m: number) {
    const s = this.session, h = this.active, nf = this.nFeats;
    const small = this.views.indexOf(hist), big = large ? this.views.indexOf(large) : -1;
    // Waking the helper costs tens of microseconds (far more on a loaded machine): small nodes are built here alone.
    if (!h || small < 0 || (large && big < 0) || nf < 2 || m * nf < MIN_SHARED_WORK) {
      buildHistogram(hist, large, s.rm, s.F, this.feats.subarray(0, nf), 0, nf, s.rows, start, m, s.grad, s.hess);
      return;
    }
    const half = nf >> 1;
    const c = h.ctl;
    c[C.small] = small; c[C.large] = big; c[C.start] = start; c[C.m] = m; c[C.jLo] = half; c[C.jHi] = nf; c[C.nFeats] = nf;
    Atomics.store(c, C.state, State.work);
    Atomics.notify(c, C.state);
    buildHistogram(hist, large, s.rm, s.F, this.feats.subarray(0, nf), 0, half, s.rows, start, m, s.grad, s.hess);
    waitDone(c);
    sharedBuilds++;
  }
}
