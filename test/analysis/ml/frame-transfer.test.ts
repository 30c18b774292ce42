import { describe, expect, test } from 'vitest';
import { packFrame, unpackFrame } from '../../../analysis/ml/frame-transfer.js';

describe('frame transfer to training threads', () => {
  test('numeric columns travel as shared typed arrays and come back equal, nulls and NaN kept apart', () => {
    const frame = {
      rows: 4,
      columns: {
        x: [1.5, -0, 3, 1e300],
        withNulls: [null, 2, NaN, null],
        text: ['a', null, 'c', 'd'],
        mixed: [1, '2', 3, null],
        flags: [true, false, null, true],
        missing: [1, undefined, 3, 4],
      },
    };
    const packed = packFrame(frame);
    const x = packed.columns.x;
    expect('numbers' in x && x.numbers.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect('numbers' in x && x.nulls).toBeNull();
    for (const name of ['text', 'mixed', 'flags', 'missing']) expect(packed.columns[name]).toEqual({ values: frame.columns[name as keyof typeof frame.columns] });
    const back = unpackFrame(structuredClone(packed));
    expect(back).toEqual(frame);
    expect(Object.is(back.columns.x[1], -0)).toBe(true);
    expect(back.columns.withNulls[0]).toBeNull();
    expect(Number.isNaN(back.columns.withNulls[2])).toBe(true);
  });
});
