import { canonicalAttrs, parseAttrs } from '../src/lowering/attrs';
import { isFill, sameValues } from '../src/trace/same_values';
import { SharedConstants } from '../src/coexec/shared_constants';

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

describe('isFill', () => {
  for (const n of [1, 2, 64, 65, 100_000]) {
    it(`tells ${n} copies of one value from buffers with one other value, at either side of the byte-wise threshold`, () => {
      expect(isFill(new Float32Array(n).fill(1))).toBe(true);
      expect(isFill(new Int32Array(n).fill(-3))).toBe(true);
      expect(isFill(new Uint8Array(n).fill(1))).toBe(true);
      if (n === 1) return;
      for (const at of [0, n >> 1, n - 1]) {
        const v = new Float32Array(n).fill(1);
        v[at] = 2;
        expect(isFill(v)).toBe(false);
      }
      const zeros = new Float32Array(n);
      zeros[n - 1] = -0;
      expect(isFill(zeros)).toBe(false);
    });
  }

  it('looks at a view\'s own elements only', () => {
    const buffer = new Float32Array(1000).fill(7);
    buffer[0] = 1;
    buffer[999] = 1;
    expect(isFill(buffer.subarray(1, 999))).toBe(true);
    expect(isFill(buffer.subarray(0, 999))).toBe(false);
  });
});

describe('SharedConstants', () => {
  const big = (v: number) => new Float32Array(4096).fill(v);

  it('shares a large fill by signature and value, without a copy of it', () => {
    const shared = new SharedConstants();
    expect(SharedConstants.kind(big(1))).toBe('fill');
    expect(shared.add('fill', 'float32', [64, 64], big(1), 11)).toBe(true);
    expect(shared.find('fill', 'float32', [64, 64], big(1))).toBe(11);
    expect(shared.find('fill', 'float32', [64, 64], big(0.5))).toBeUndefined();
    expect(shared.find('fill', 'float32', [4096], big(1))).toBeUndefined();
    expect(shared.find('fill', 'int32', [64, 64], new Int32Array(4096).fill(1))).toBeUndefined();
    expect(shared.add('fill', 'float32', [64, 64], big(0), 12)).toBe(true);
    expect(shared.find('fill', 'float32', [64, 64], big(-0))).toBeUndefined();
    expect(shared.find('fill', 'float32', [64, 64], big(0))).toBe(12);
  });

  it('shares small values by content and leaves large ones of several values alone', () => {
    expect(SharedConstants.kind(new Float32Array([1, 2, 3]))).toBe('small');
    const mixed = big(1);
    mixed[5] = 2;
    expect(SharedConstants.kind(mixed)).toBeUndefined();
    expect(SharedConstants.kind(new Float32Array(1 << 19).fill(1))).toBeUndefined();
  });

  it('shares a small value from the second time its content is uploaded, however many values recur', () => {
    const shared = new SharedConstants();
    const scalar = (v: number) => new Float32Array([v]);
    // Twelve constants of one signature (an optimizer's betas, epsilons, a layer's scalars) come every step.
    const constants = [0.5, 0.001, 0.999, 1e-7, -0.0002, 0, 0.2, 128, -0.5, -1, 2, 512];
    let id = 0;
    for (const v of constants) {
      expect(shared.find('small', 'float32', [], scalar(v))).toBeUndefined();
      expect(shared.add('small', 'float32', [], scalar(v), id++)).toBe(false);
    }
    for (const v of constants) expect(shared.add('small', 'float32', [], scalar(v), id++)).toBe(true);
    constants.forEach((v, i) => expect(shared.find('small', 'float32', [], scalar(v))).toBe(constants.length + i));
    expect(shared.find('small', 'float32', [], scalar(-0))).toBeUndefined();
    expect(shared.find('small', 'float32', [1], scalar(0.5))).toBeUndefined();
    expect(shared.find('small', 'int32', [], new Int32Array([2]))).toBeUndefined();
    expect(shared.size).toBe(constants.length);
    // One buffer under two shapes (a reshape shares its values): each shape is a value of its own.
    const buffer = new Float32Array([7, 8]);
    shared.add('small', 'float32', [2], buffer, 100);
    expect(shared.add('small', 'float32', [2], buffer, 101)).toBe(true);
    expect(shared.find('small', 'float32', [2], buffer)).toBe(101);
    expect(shared.find('small', 'float32', [1, 2], buffer)).toBeUndefined();
  });

  it('never shares a small value that changes every time', () => {
    const shared = new SharedConstants();
    for (let step = 0; step < 5000; step++) expect(shared.add('small', 'float32', [], new Float32Array([step]), step)).toBe(false);
    expect(shared.size).toBe(0);
    // The oldest sightings are forgotten: a value from long ago is a first sighting again.
    expect(shared.add('small', 'float32', [], new Float32Array([0]), 1)).toBe(false);
    expect(shared.add('small', 'float32', [], new Float32Array([4999]), 2)).toBe(true);
  });

  it('holds at most 64 MB of fills in the worker', () => {
    const shared = new SharedConstants();
    let added = 0;
    for (let i = 0; i < 80; i++) if (shared.add('fill', 'float32', [1 << 18], new Float32Array(1 << 18).fill(i), i)) added++;
    expect(added).toBe(64);
  });
});
