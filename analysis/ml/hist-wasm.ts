// The histogram kernel (and the row partition) of single-output trees as small WebAssembly functions. In JavaScript every typed-array
// access is bounds-checked and a bin's gradient and hessian are two separate read-modify-writes; here a row's
// (gradient, hessian) pair is one 128-bit load and each bin's pair one f64x2 add. The sums are the same IEEE
// additions in the same row order as `hist-kernel.ts`, so histograms (and trees) are bit-identical to it.
// The module is assembled below from its instructions (no toolchain needed); the text form is in the comments.
import type { BinnedData } from './binning.js';
import { BINS, SLOTS } from './hist-kernel.js';

/** Unsigned / signed LEB128, as the binary format writes sizes, indices and constants. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f; n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(s.length), ...Buffer.from(s, 'utf8')];

// Parameters, then locals (indices as the function body uses them).
const P = { rm: 0, F: 1, gh: 2, rows: 3, m: 4, hist: 5, feats: 6, nFeats: 7, large: 8 } as const;
const L = { i: 9, r: 10, rb: 11, j: 12, addr: 13, f: 14, v: 15 } as const;
const FEATURE_BYTES = BINS * SLOTS * 8;
const I32 = 0x7f, V128 = 0x7b;
const get = (i: number) => [0x20, i], set = (i: number) => [0x21, i], tee = (i: number) => [0x22, i];
const i32c = (n: number) => [0x41, ...sleb(n)];
const add = [0x6a], mul = [0x6c], shl = [0x74], geU = [0x4f], gtU = [0x4b], ltS = [0x48];
/** `if (cond) return` */
const brIfOut = [0x04, 0x40, 0x0f, 0x0b];
const load32 = [0x28, 2, 0], i32load = (off: number) => [0x28, 2, ...uleb(off)], load8u = [0x2d, 0, 0];
const f64load = (off: number) => [0x2b, 3, ...uleb(off)], f64store = (off: number) => [0x39, 3, ...uleb(off)];
const f64one = [0x44, ...new Uint8Array(new Float64Array([1]).buffer)], f64add = [0xa0];
const v128load = [0xfd, 0x00, 3, 0], v128store = [0xfd, 0x0b, 3, 0], f64x2add = [0xfd, ...uleb(0xf0)], f64x2sub = [0xfd, ...uleb(0xf1)];
const block = [0x02, 0x40], loop = [0x03, 0x40], end = [0x0b], br = (d: number) => [0x0c, d], brIf = (d: number) => [0x0d, d];

/** Adds the row to the bin of feature `feats[j + k/4]` (k: byte offset into the feature list). */
const update = (k: number) => [
  ...get(P.feats), ...get(L.j), ...i32c(2), ...shl, ...add, ...i32load(k), ...set(L.f),
  ...get(L.f), ...i32c(8), ...shl, ...get(L.rb), ...get(L.f), ...add, ...load8u, ...add, ...i32c(8 * SLOTS), ...mul, ...get(P.hist), ...add, ...tee(L.addr),
  ...get(L.addr), ...v128load, ...get(L.v), ...f64x2add, ...v128store,
  ...get(L.addr), ...get(L.addr), ...f64load(16), ...f64one, ...f64add, ...f64store(16),
];

/**
 * (func $hist (param $rm $F $gh $rows $m $hist $feats $nFeats $large i32)
 *   for i in 0..m: r = rows[i]; rb = rm + r*F; v = v128.load(gh + 16r)          ;; (g, h) of the row
 *     for j in 0..nFeats: f = feats[j]; addr = hist + ((f << 8) + u8[rb + f]) * 24
 *       v128.store(addr, f64x2.add(v128.load(addr), v)); f64[addr + 16] += 1     ;; (g, h) and count of the bin
 *   if large >= 0: for j in 0..nFeats: for each 16 bytes at a of feature feats[j]:
 *       v128.store(large + a, f64x2.sub(v128.load(large + a), v128.load(hist + a)))
 */
const body = [
  ...vec([[6, I32], [1, V128]]),
  ...block, ...loop,
  ...get(L.i), ...get(P.m), ...geU, ...brIf(1),
  ...get(P.rows), ...get(L.i), ...i32c(2), ...shl, ...add, ...load32, ...set(L.r),
  ...get(L.r), ...get(P.F), ...mul, ...get(P.rm), ...add, ...set(L.rb),
  ...get(L.r), ...i32c(4), ...shl, ...get(P.gh), ...add, ...v128load, ...set(L.v),
  ...i32c(0), ...set(L.j),
  // Four features per step while four remain (independent updates the CPU overlaps), then one at a time.
  ...block, ...loop,
  ...get(L.j), ...i32c(4), ...add, ...get(P.nFeats), ...gtU, ...brIf(1),
  ...update(0), ...update(4), ...update(8), ...update(12),
  ...get(L.j), ...i32c(4), ...add, ...set(L.j),
  ...br(0), ...end, ...end,
  ...block, ...loop,
  ...get(L.j), ...get(P.nFeats), ...geU, ...brIf(1),
  ...update(0),
  ...get(L.j), ...i32c(1), ...add, ...set(L.j),
  ...br(0), ...end, ...end,
  ...get(L.i), ...i32c(1), ...add, ...set(L.i),
  ...br(0), ...end, ...end,
  // With a parent histogram ($large ≥ 0), it becomes the sibling's: parent − this child, feature by feature.
  ...get(P.large), ...i32c(0), ...ltS, ...brIfOut,
  ...i32c(0), ...set(L.j),
  ...block, ...loop,
  ...get(L.j), ...get(P.nFeats), ...geU, ...brIf(1),
  ...get(P.feats), ...get(L.j), ...i32c(2), ...shl, ...add, ...load32, ...i32c(FEATURE_BYTES), ...mul, ...tee(L.addr),
  ...i32c(FEATURE_BYTES), ...add, ...set(L.r),
  ...block, ...loop,
  ...get(L.addr), ...get(L.r), ...geU, ...brIf(1),
  ...get(P.large), ...get(L.addr), ...add,
  ...get(P.large), ...get(L.addr), ...add, ...v128load,
  ...get(P.hist), ...get(L.addr), ...add, ...v128load,
  ...f64x2sub, ...v128store,
  ...get(L.addr), ...i32c(16), ...add, ...set(L.addr),
  ...br(0), ...end, ...end,
  ...get(L.j), ...i32c(1), ...add, ...set(L.j),
  ...br(0), ...end, ...end,
  ...end,
];
// The partition of a node's rows by a split: (func $part (param $rows $m $col $table $gh $tmp $out i32) (result i32)).
const Q = { rows: 0, m: 1, col: 2, table: 3, gh: 4, tmp: 5, out: 6 } as const;
const M = { i: 7, r: 8, l: 9, t: 10, left: 11, acc: 12 } as const;
const sub = [0x6b], store32 = [0x36, 2, 0], f64FromU32 = [0xb8], f64x2splat = [0xfd, ...uleb(0x14)], f64x2mul = [0xfd, ...uleb(0xf2)];
const memoryCopy = [0xfc, ...uleb(10), 0, 0];
/**
 *   for i in 0..m: r = rows[i]; left = table[col[r]]                 ;; 1 when the row goes left
 *     rows[l] = r; tmp[t] = r; l += left; t += 1 − left                ;; stable, without a branch
 *     acc += v128.load(gh + 16r) × splat(left)                         ;; the left child's (g, h) totals
 *   memory.copy(rows + 4l, tmp, 4t); v128.store(out, acc); return l
 * The totals are the same additions, in the same order, as the JavaScript partition's.
 */
const partBody = [
  ...vec([[5, I32], [1, V128]]),
  ...block, ...loop,
  ...get(M.i), ...get(Q.m), ...geU, ...brIf(1),
  ...get(Q.rows), ...get(M.i), ...i32c(2), ...shl, ...add, ...load32, ...set(M.r),
  ...get(Q.table), ...get(Q.col), ...get(M.r), ...add, ...load8u, ...add, ...load8u, ...set(M.left),
  ...get(Q.rows), ...get(M.l), ...i32c(2), ...shl, ...add, ...get(M.r), ...store32,
  ...get(Q.tmp), ...get(M.t), ...i32c(2), ...shl, ...add, ...get(M.r), ...store32,
  ...get(M.l), ...get(M.left), ...add, ...set(M.l),
  ...get(M.t), ...i32c(1), ...get(M.left), ...sub, ...add, ...set(M.t),
  ...get(M.acc), ...get(Q.gh), ...get(M.r), ...i32c(4), ...shl, ...add, ...v128load, ...get(M.left), ...f64FromU32, ...f64x2splat, ...f64x2mul, ...f64x2add, ...set(M.acc),
  ...get(M.i), ...i32c(1), ...add, ...set(M.i),
  ...br(0), ...end, ...end,
  ...get(Q.rows), ...get(M.l), ...i32c(2), ...shl, ...add, ...get(Q.tmp), ...get(M.t), ...i32c(2), ...shl, ...memoryCopy,
  ...get(Q.out), ...get(M.acc), ...v128store,
  ...get(M.l),
  ...end,
];

const moduleBytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, vec([[0x60, ...vec(Array.from({ length: 9 }, () => [I32])), 0], [0x60, ...vec(Array.from({ length: 7 }, () => [I32])), ...vec([[I32]])]])),
  ...section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x00, 1]])),
  ...section(3, vec([[0], [1]])),
  ...section(7, vec([[...name('hist'), 0x00, 0], [...name('part'), 0x00, 1]])),
  ...section(10, vec([[...uleb(body.length), ...body], [...uleb(partBody.length), ...partBody]])),
]);

let compiled: WebAssembly.Module | null | undefined;
/** The compiled module, or null where WebAssembly SIMD is unavailable (the JavaScript kernel is used then). */
function wasmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try { compiled = process.env.ASSAY_HIST_WASM === '0' ? null : new WebAssembly.Module(moduleBytes); } catch { compiled = null; }
  }
  return compiled;
}

/**
 * One instance per binned table (and thread): its row-major bins, the rows' (g, h) pairs, a row list, a feature
 * list and a pool of histograms, all in the module's memory so the kernel reads and writes them in place.
 */
export interface WasmHist {
  /** Interleaved (gradient, hessian) per row: `gh[2r]`, `gh[2r + 1]`. */
  gh: Float64Array;
  rows: Int32Array;
  feats: Int32Array;
  /** A cleared-by-caller histogram in the module's memory (layout of `hist-kernel.ts`), or a plain array once the pool is spent. */
  take(): Float64Array;
  give(h: Float64Array): void;
  /** Whether `h` lives in the module's memory (only those can be passed to {@link WasmHist.run}). */
  owns(h: Float64Array): boolean;
  /** Adds rows `rows[0, m)` of features `feats[0, nFeats)` to `hist` (cleared by the caller); with `large`, turns it into parent − hist. */
  run(hist: Float64Array, large: Float64Array | null, m: number, nFeats: number): void;
  /** The go-left table of a split (1 per bin sent left), read by {@link WasmHist.partition}. */
  table: Uint8Array;
  /**
   * Moves rows `rows[0, m)` going left on `feature` (by `table`) ahead of the others, both in their order, and
   * returns how many went left; `sums` then holds their (gradient, hessian) totals.
   */
  partition(m: number, feature: number): number;
  sums: Float64Array;
}

const MAX_BYTES = 2 ** 31;
/** Histograms kept in the module's memory: enough for best-first growth with up to ~60 open leaves, capped in bytes. */
const POOL = 64, POOL_BYTES = 64 * 2 ** 20;
const instances = new WeakMap<Uint8Array, WasmHist | null>();
const align = (n: number) => Math.ceil(n / 16) * 16;

let enabled = true;
/** Turns the WebAssembly kernel off (trees are then built by `hist-kernel.ts`) or back on: for tests and benchmarks. */
export function setHistWasm(on: boolean) { enabled = on; }

/** The kernel's instance for `data` (made once per table and thread), or null without WebAssembly SIMD, for a table too large, or when turned off. */
export function wasmHistFor(data: BinnedData): WasmHist | null {
  if (!enabled) return null;
  let w = instances.get(data.bins);
  if (w !== undefined) return w;
  w = null;
  const mod = wasmModule();
  const n = data.rows, F = data.features, histBytes = F * FEATURE_BYTES;
  const capacity = Math.max(2, Math.min(POOL, Math.floor(POOL_BYTES / histBytes)));
  // Row-major bins (histograms read a row's features together), column-major bins (the partition reads one feature),
  // (g, h) pairs, the row list and its partition scratch, the feature list, a split's table and totals, histograms.
  const rmAt = 0, binsAt = align(n * F), ghAt = align(binsAt + n * F), rowsAt = ghAt + 16 * n, tmpAt = rowsAt + 4 * n, featsAt = align(tmpAt + 4 * n);
  const tableAt = align(featsAt + 4 * F), sumsAt = tableAt + BINS, histAt = sumsAt + 16;
  const bytes = histAt + capacity * histBytes;
  if (mod && bytes < MAX_BYTES) {
    const mem = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
    const { hist: fn, part } = new WebAssembly.Instance(mod, { env: { mem } }).exports as { hist: (...a: number[]) => void; part: (...a: number[]) => number };
    // Transposed straight into the module's memory: the JavaScript kernel's row-major copy is only made if it is needed.
    const rm = new Uint8Array(mem.buffer, rmAt, n * F), { bins } = data;
    for (let f = 0; f < F; f++) for (let r = 0, c = f * n; r < n; r++) rm[r * F + f] = bins[c + r];
    new Uint8Array(mem.buffer, binsAt, n * F).set(data.bins);
    const views = Array.from({ length: capacity }, (_, i) => new Float64Array(mem.buffer, histAt + i * histBytes, F * BINS * SLOTS));
    const free: Float64Array[] = [...views].reverse();
    const owns = (h: Float64Array) => h.buffer === mem.buffer;
    w = {
      gh: new Float64Array(mem.buffer, ghAt, 2 * n), rows: new Int32Array(mem.buffer, rowsAt, n), feats: new Int32Array(mem.buffer, featsAt, F),
      take: () => free.pop() ?? new Float64Array(F * BINS * SLOTS),
      give: (h) => { if (owns(h)) free.push(h); },
      owns,
      run: (hist, large, m, nFeats) => fn(rmAt, F, ghAt, rowsAt, m, hist.byteOffset, featsAt, nFeats, large ? large.byteOffset : -1),
      table: new Uint8Array(mem.buffer, tableAt, BINS), sums: new Float64Array(mem.buffer, sumsAt, 2),
      partition: (m, feature) => part(rowsAt, m, binsAt + feature * n, tableAt, ghAt, tmpAt, sumsAt),
    };
  }
  instances.set(data.bins, w);
  return w;
}
