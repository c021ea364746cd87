import { canonicalAttrs, parseAttrs } from '../src/lowering/attrs';
import { sameValues } from '../src/trace/same_values';

describe('canonical attrs', () => {
  it('give equal strings for equal attrs whatever their key order or undefined members', () => {
    expect(canonicalAttrs({ strides: [1, 2], pad: 'same', dimRoundingMode: undefined } as never))
      .toBe(canonicalAttrs({ pad: 'same', strides: [1, 2] }));
    expect(canonicalAttrs({ nested: { b: 1, a: 2 }, u: undefined } as never)).toBe(canonicalAttrs({ nested: { a: 2, b: 1 } } as never));
    expect(canonicalAttrs({ shape: new Int32Array([2, 3]) } as never)).toBe(canonicalAttrs({ shape: [2, 3] }));
  });

  it('tell apart every number JSON would merge, and parse back to them', () => {
    const values = [0, -0, NaN, Infinity, -Infinity, 1.5];
    const keys = values.map((value) => canonicalAttrs({ value }));
    expect(new Set(keys).size).toBe(values.length);
    keys.forEach((key, i) => expect(Object.is(parseAttrs(key).value, values[i])).toBe(true));
    const inArray = parseAttrs(canonicalAttrs({ pads: [-0, 0, NaN] })).pads as number[];
    expect(inArray.map((v) => Object.is(v, -0))).toEqual([true, false, false]);
    expect(Number.isNaN(inArray[2])).toBe(true);
  });

  it('keep strings and booleans as JSON', () => {
    const attrs = { s: 'a"b', t: true, f: false, n: null };
    expect(parseAttrs(canonicalAttrs(attrs as never))).toEqual(attrs);
  });
});

describe('sameValues', () => {
  for (const n of [1, 8, 64, 65, 4096]) {
    it(`compares ${n} values by content, at either side of the element-wise threshold`, () => {
      const a = new Float32Array(n).map((_, i) => i / 7);
      expect(sameValues(a, a.slice())).toBe(true);
      const b = a.slice();
      b[n - 1] += 1;
      expect(sameValues(a, b)).toBe(false);
      expect(sameValues(a, new Float32Array(n + 1))).toBe(false);
      expect(sameValues(a, new Int32Array(n))).toBe(false);
      const zeros = new Float32Array(n);
      expect(sameValues(zeros, new Float32Array(n).fill(-0))).toBe(false);
    });
  }

  it('compares a view by its own elements, not its whole buffer', () => {
    const buffer = new Float32Array([1, 2, 3, 4]);
    expect(sameValues(buffer.subarray(1, 3), new Float32Array([2, 3]))).toBe(true);
  });
});
