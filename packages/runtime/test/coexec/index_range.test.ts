import { canonicalAttrs } from '../../src/lowering/attrs';
import { provenIndexBound } from '../../src/coexec/index_range';
import type { Provenance, TracedKernel } from '../../src/trace/trace';

/** A trace's kernel as the recorder makes it: name, attrs, and inputs by provenance and shape. */
function kernel(index: number, kernelName: string, attrs: Record<string, unknown>,
  inputs: Array<{ from: Provenance; shape: number[] }>, path: TracedKernel['path'] = 'lazy'): TracedKernel {
  return {
    index, writes: 0, sitePath: [], ordinal: index, kernelName, attrs: canonicalAttrs(attrs as never),
    inputs: inputs.map((i, k) => ({ name: `in${k}`, from: i.from, dtype: 'float32', shape: i.shape })), outputs: [], path,
  };
}

const op = (n: number, output = 0): Provenance => ({ kind: 'op', op: n, output });
const feed: Provenance = { kind: 'feed', feed: 1 };

describe('provenIndexBound: what a trace bounds an index tensor to without reading it', () => {
  const trace = [
    kernel(0, 'ArgMax', { axis: -1 }, [{ from: feed, shape: [3, 7] }]),
    kernel(1, 'Cast', { dtype: 'int32' }, [{ from: op(0), shape: [3] }]),
    kernel(2, 'ExpandDims', { dim: 0 }, [{ from: op(1), shape: [3] }]),
    kernel(3, 'TopK', { k: 2, sorted: true }, [{ from: feed, shape: [4, 9] }]),
    kernel(4, 'Concat', { axis: 0 }, [{ from: op(0), shape: [3] }, { from: op(3, 1), shape: [4, 2] }]),
    kernel(5, 'Add', {}, [{ from: op(0), shape: [3] }, { from: feed, shape: [] }]),
    kernel(6, 'Cast', { dtype: 'float32' }, [{ from: op(0), shape: [3] }]),
    kernel(7, 'Concat', { axis: 0 }, [{ from: op(0), shape: [3] }, { from: op(5), shape: [3] }]),
    kernel(8, 'ArgMin', { axis: 1 }, [{ from: feed, shape: [2, 5, 6] }], 'threw'),
  ];
  const written = [new Int32Array([4, 0, 2]), new Float32Array([0.5, 1]), new Int32Array([3, -1])];
  const at = { kernelAt: (n: number) => trace[n], feedValues: (n: number) => written[n] };

  test('an argMax\'s positions lie along the axis it reduced, through casts to int32 and reshapes', () => {
    expect(provenIndexBound(op(0), at)).toBe(7);
    expect(provenIndexBound(op(2), at)).toBe(7);
  });

  test('TopK bounds its indices (its second output), not its values', () => {
    expect(provenIndexBound(op(3, 1), at)).toBe(9);
    expect(provenIndexBound(op(3, 0), at)).toBeUndefined();
  });

  test('a concat is bounded by the largest of its inputs, when each is bounded', () => {
    expect(provenIndexBound(op(4), at)).toBe(9);
    expect(provenIndexBound(op(7), at)).toBeUndefined();
  });

  test('values JS wrote bound themselves: ids reshaped on the worker need no read', () => {
    expect(provenIndexBound({ kind: 'feed', feed: 0 }, at)).toBe(5);
    const reshaped = [kernel(0, 'ExpandDims', { dim: 0 }, [{ from: { kind: 'feed', feed: 0 }, shape: [3] }])];
    expect(provenIndexBound(op(0), { ...at, kernelAt: (n) => reshaped[n] })).toBe(5);
    expect(provenIndexBound({ kind: 'feed', feed: 2 }, at)).toBeUndefined();
  });

  test('tf.range, fills and zerosLike bound their values by their attrs', () => {
    const made = [
      kernel(0, 'Range', { start: 2, stop: 11, step: 3, dtype: 'int32' }, []),
      kernel(1, 'Range', { start: 5, stop: -1, step: -2, dtype: 'int32' }, []),
      kernel(2, 'Range', { start: -3, stop: 3, step: 1, dtype: 'int32' }, []),
      kernel(3, 'Fill', { shape: [4], value: 6, dtype: 'int32' }, []),
      kernel(4, 'ZerosLike', {}, [{ from: feed, shape: [2] }]),
    ];
    const trace = { ...at, kernelAt: (n: number) => made[n] };
    // 2, 5, 8: below 9. 5, 3, 1: below 6. -3 is no index.
    expect([0, 1, 2, 3, 4].map((n) => provenIndexBound(op(n), trace))).toEqual([9, 6, undefined, 7, 1]);
  });

  test('offsets, clips, minimums and the floor modulo carry an argMax\'s range through', () => {
    const k = (n: number, name: string, attrs: Record<string, unknown>, ...from: Provenance[]) =>
      kernel(n, name, attrs, from.map((f) => ({ from: f, shape: [3] })));
    const w = (n: number): Provenance => ({ kind: 'feed', feed: n });
    // Feeds: 0 holds [4, 0, 2]; 3 holds [2]; 4 holds [-3].
    const values = [new Int32Array([4, 0, 2]), undefined, undefined, new Int32Array([2]), new Int32Array([-3])];
    const made = [
      kernel(0, 'ArgMax', { axis: 0 }, [{ from: feed, shape: [6, 3] }]), // [0, 5]
      k(1, 'Add', {}, op(0), w(3)), // [2, 7]
      k(2, 'Sub', {}, op(0), w(3)), // [-2, 3]: may be negative
      k(3, 'ClipByValue', { clipValueMin: 0, clipValueMax: 4 }, op(2)), // [0, 3]
      k(4, 'Mod', {}, op(2), w(3)), // [0, 1]
      k(5, 'Minimum', {}, op(1), w(0)), // [0, 4]
      k(6, 'Add', {}, op(0), w(4)), // [-3, 2]
      k(7, 'ClipByValue', { clipValueMin: 0.5, clipValueMax: 4 }, op(0)),
    ];
    const trace = { kernelAt: (n: number) => made[n], feedValues: (n: number) => values[n] };
    expect(made.map((_, n) => provenIndexBound(op(n), trace))).toEqual([6, 8, undefined, 4, 2, 5, undefined, undefined]);
  });

  test('arithmetic, a cast to float, fractional values, a call that threw or a kernel not in the trace: no bound', () => {
    expect(provenIndexBound(op(5), at)).toBeUndefined();
    expect(provenIndexBound(op(6), at)).toBeUndefined();
    expect(provenIndexBound(feed, at)).toBeUndefined();
    expect(provenIndexBound(op(8), at)).toBeUndefined();
    expect(provenIndexBound(op(42), at)).toBeUndefined();
  });
});
