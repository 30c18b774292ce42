// A frame's numeric columns as typed arrays in shared memory, for handing a table to the training threads. A JS
// array of numbers is copied value by value when posted and rebuilt in the receiving isolate: on the 100k × 21 bench
// table that took 0.26 s in a fresh thread before it could start preparing. Shared arrays are not copied at all, and
// rebuilding the plain arrays from them is a tight loop.
import type { Frame } from './load-frame.js';

/** A column as posted: numbers (NaN where `nulls` marks a null) in shared memory, or the values as they were. */
export type PackedColumn = { numbers: Float64Array; nulls: Uint8Array | null } | { values: unknown[] };
export interface PackedFrame { rows: number; columns: Record<string, PackedColumn> }

/** Packs every column whose values are all numbers or null; others (text, dates as strings) go as they are. */
export function packFrame(frame: Frame): PackedFrame {
  const columns: Record<string, PackedColumn> = {};
  for (const [name, values] of Object.entries(frame.columns)) columns[name] = packColumn(values);
  return { rows: frame.rows, columns };
}

function packColumn(values: unknown[]): PackedColumn {
  const n = values.length;
  // A text or date column shows it at its first value: no shared buffer is allocated for it.
  const first = values.find((v) => v !== null);
  if (first !== undefined && typeof first !== 'number') return { values };
  const numbers = new Float64Array(new SharedArrayBuffer(n * 8));
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'number') numbers[i] = v;
    else if (v === null) { nulls ??= new Uint8Array(new SharedArrayBuffer(n)); nulls[i] = 1; numbers[i] = NaN; }
    else return { values }; // undefined, strings, booleans, bigints and objects keep their exact values
  }
  return { numbers, nulls };
}

/** The frame again, with plain arrays equal to the packed ones (numbers, and null where there was null). */
export function unpackFrame(p: PackedFrame): Frame {
  const columns: Record<string, unknown[]> = {};
  for (const [name, c] of Object.entries(p.columns)) {
    if ('values' in c) { columns[name] = c.values; continue; }
    const { numbers, nulls } = c, out: unknown[] = [];
    // Pushed in order, so V8 keeps a packed array (doubles, unless there are nulls), as the loaded frame had.
    if (nulls) for (let i = 0; i < numbers.length; i++) out.push(nulls[i] ? null : numbers[i]);
    else for (let i = 0; i < numbers.length; i++) out.push(numbers[i]);
    columns[name] = out;
  }
  return { rows: p.rows, columns };
}
