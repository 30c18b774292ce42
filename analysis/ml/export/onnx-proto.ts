/**
 * A protobuf writer for the few ONNX messages an exported model needs (ModelProto, GraphProto, NodeProto,
 * AttributeProto, TensorProto, ValueInfoProto), written straight to the wire format. Field numbers are those
 * of onnx/onnx.proto; repeated numbers are written packed, which every protobuf parser accepts.
 * Hand-written rather than protobufjs + a vendored onnx.proto: about a hundred lines, no runtime dependency,
 * and onnxruntime itself (in the parity tests) is the check that the bytes are a valid model.
 */

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7, STRING: 8, BOOL: 9 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

export type AttributeValue =
  | { f: number } | { i: number } | { s: string } | { floats: number[] } | { ints: number[] } | { strings: string[] } | { t: Tensor };

export interface Node { op: string; domain?: string; name?: string; inputs: string[]; outputs: string[]; attributes?: Record<string, AttributeValue | undefined> }
export interface Tensor { name?: string; type: DataTypeCode; dims: number[]; floats?: number[]; int64s?: number[]; strings?: string[] }
/** A graph input or output: a tensor of `type` whose dims are sizes or symbolic names (`'N'`). */
export interface ValueInfo { name: string; type: DataTypeCode; dims: (number | string)[] }
export interface Graph { name: string; nodes: Node[]; initializers: Tensor[]; inputs: ValueInfo[]; outputs: ValueInfo[]; doc?: string }
export interface Model {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producer: { name: string; version: string };
  graph: Graph;
  metadata: Record<string, string>;
  doc?: string;
}

const utf8 = new TextEncoder();

/** Growable byte buffer with the protobuf primitives. */
class Out {
  private buf = new Uint8Array(256);
  private len = 0;
  private ensure(n: number) {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size); next.set(this.buf.subarray(0, this.len)); this.buf = next;
  }
  byte(b: number) { this.ensure(1); this.buf[this.len++] = b; }
  bytes(b: Uint8Array) { this.ensure(b.length); this.buf.set(b, this.len); this.len += b.length; }
  /** Varint of a non-negative or negative integer (negatives as 64-bit two's complement, ten bytes). */
  varint(v: number) {
    if (!Number.isSafeInteger(v)) throw new RangeError(`varint: ${v} is not a safe integer`);
    if (v >= 0 && v < 2 ** 31) { while (v > 0x7f) { this.byte((v & 0x7f) | 0x80); v >>>= 7; } this.byte(v); return; }
    let big = BigInt.asUintN(64, BigInt(v));
    while (big > 0x7fn) { this.byte(Number(big & 0x7fn) | 0x80); big >>= 7n; }
    this.byte(Number(big));
  }
  tag(field: number, wire: number) { this.varint((field << 3) | wire); }
  float32(v: number) { this.ensure(4); new DataView(this.buf.buffer).setFloat32(this.len, v, true); this.len += 4; }
  done() { return this.buf.slice(0, this.len); }
}

/** A message under construction: fields appended in any order. */
class Msg {
  readonly o = new Out();
  int(field: number, v: number | undefined) { if (v === undefined) return this; this.o.tag(field, 0); this.o.varint(v); return this; }
  float(field: number, v: number) { this.o.tag(field, 5); this.o.float32(v); return this; }
  bytes(field: number, b: Uint8Array) { this.o.tag(field, 2); this.o.varint(b.length); this.o.bytes(b); return this; }
  str(field: number, s: string | undefined) { return s === undefined ? this : this.bytes(field, utf8.encode(s)); }
  msg(field: number, m: Msg) { return this.bytes(field, m.o.done()); }
  packedFloats(field: number, vs: number[]) { if (!vs.length) return this; const p = new Out(); for (const v of vs) p.float32(v); return this.bytes(field, p.done()); }
  packedInts(field: number, vs: number[]) { if (!vs.length) return this; const p = new Out(); for (const v of vs) p.varint(v); return this.bytes(field, p.done()); }
}

const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

function tensorMsg(t: Tensor): Msg {
  const m = new Msg().packedInts(1, t.dims).int(2, t.type);
  if (t.floats) m.packedFloats(4, t.floats);
  if (t.strings) for (const s of t.strings) m.str(6, s);
  if (t.int64s) m.packedInts(7, t.int64s);
  return m.str(8, t.name);
}

function attributeMsg(name: string, a: AttributeValue): Msg {
  const m = new Msg().str(1, name);
  if ('f' in a) return m.float(2, a.f).int(20, AttributeType.FLOAT);
  if ('i' in a) return m.int(3, a.i).int(20, AttributeType.INT);
  if ('s' in a) return m.str(4, a.s).int(20, AttributeType.STRING);
  if ('t' in a) return m.msg(5, tensorMsg(a.t)).int(20, AttributeType.TENSOR);
  if ('floats' in a) return m.packedFloats(7, a.floats).int(20, AttributeType.FLOATS);
  if ('ints' in a) return m.packedInts(8, a.ints).int(20, AttributeType.INTS);
  for (const s of a.strings) m.str(9, s);
  return m.int(20, AttributeType.STRINGS);
}

function nodeMsg(n: Node): Msg {
  const m = new Msg();
  for (const i of n.inputs) m.str(1, i);
  for (const o of n.outputs) m.str(2, o);
  m.str(3, n.name).str(4, n.op);
  for (const [k, v] of Object.entries(n.attributes ?? {})) if (v !== undefined) m.msg(5, attributeMsg(k, v));
  return m.str(7, n.domain);
}

function valueInfoMsg(v: ValueInfo): Msg {
  const shape = new Msg();
  for (const d of v.dims) shape.msg(1, typeof d === 'number' ? new Msg().int(1, d) : new Msg().str(2, d));
  const tensorType = new Msg().int(1, v.type).msg(2, shape);
  return new Msg().str(1, v.name).msg(2, new Msg().msg(1, tensorType));
}

/** Serialises a model to the bytes of an `.onnx` file. */
export function encodeModel(model: Model): Uint8Array {
  const g = new Msg();
  for (const n of model.graph.nodes) g.msg(1, nodeMsg(n));
  g.str(2, model.graph.name);
  for (const t of model.graph.initializers) g.msg(5, tensorMsg(t));
  g.str(10, model.graph.doc);
  for (const v of model.graph.inputs) g.msg(11, valueInfoMsg(v));
  for (const v of model.graph.outputs) g.msg(12, valueInfoMsg(v));
  const m = new Msg().int(1, model.irVersion).str(2, model.producer.name).str(3, model.producer.version).str(6, model.doc).msg(7, g);
  for (const o of model.opsets) m.msg(8, new Msg().str(1, o.domain).int(2, o.version));
  for (const [key, value] of Object.entries(model.metadata)) m.msg(14, new Msg().str(1, key).str(2, value));
  return m.o.done();
}
