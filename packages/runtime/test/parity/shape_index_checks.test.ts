/**
 * The lowerings' value checks (KernelLowering.valueCheck) against tfjs-backend-cpu, the oracle: on random
 * indices, in range and out of it, a check must say "fails" wherever the cpu kernel throws. (It may also
 * say so where the cpu kernel does not throw: that costs a graph break, never a wrong value.)
 */
import { loweringFor } from '../../src/lowering/registry';
import { prng, tf } from './harness';

interface Case {
  name: string;
  kernel: string;
  /** Runs the op on the cpu backend with these index values. */
  op: (indices: number[]) => tf.Tensor;
  indexShape: number[];
  shapes: Record<string, number[]>;
  attrs?: Record<string, unknown>;
  /** Range the random index components are drawn from. */
  range: [number, number];
}

const CASES: Case[] = [
  {
    name: 'gather, axis 1', kernel: 'GatherV2', indexShape: [3], range: [-2, 6],
    shapes: { x: [2, 4, 3], indices: [3] }, attrs: { axis: 1 },
    op: (i) => tf.gather(tf.ones([2, 4, 3]), tf.tensor1d(i, 'int32'), 1),
  },
  {
    name: 'gather, axis -1', kernel: 'GatherV2', indexShape: [2, 2], range: [-1, 4],
    shapes: { x: [5, 3], indices: [2, 2] }, attrs: { axis: -1 },
    op: (i) => tf.gather(tf.ones([5, 3]), tf.tensor2d(i, [2, 2], 'int32'), -1),
  },
  {
    name: 'gatherND, tuples of 2', kernel: 'GatherNd', indexShape: [3, 2], range: [-1, 3],
    shapes: { params: [3, 4, 2], indices: [3, 2] },
    op: (i) => tf.gatherND(tf.ones([3, 4, 2]), tf.tensor2d(i, [3, 2], 'int32')),
  },
  {
    name: 'scatterND, tuples of 1', kernel: 'ScatterNd', indexShape: [4, 1], range: [-1, 7],
    shapes: { indices: [4, 1], updates: [4, 2] }, attrs: { shape: [5, 2] },
    op: (i) => tf.scatterND(tf.tensor2d(i, [4, 1], 'int32'), tf.ones([4, 2]), [5, 2]),
  },
  {
    name: 'tensorScatterUpdate, tuples of 2', kernel: 'TensorScatterUpdate', indexShape: [2, 2], range: [-1, 5],
    shapes: { tensor: [3, 3], indices: [2, 2], updates: [2] },
    op: (i) => tf.tensorScatterUpdate(tf.zeros([3, 3]), tf.tensor2d(i, [2, 2], 'int32'), tf.ones([2])),
  },
];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(CASES)('$name: the check fails wherever tfjs cpu throws', (c) => {
  test('on 200 random index sets', () => {
    const check = loweringFor(c.kernel)!.valueCheck!;
    expect(check).toBeDefined();
    const next = prng(c.name.length * 7919);
    const n = c.indexShape.reduce((a, b) => a * b, 1);
    let thrown = 0;
    let agreed = 0;
    for (let trial = 0; trial < 200; trial++) {
      const indices = Array.from({ length: n }, () => c.range[0] + Math.floor(next() * (c.range[1] - c.range[0] + 1)));
      let throws = false;
      try {
        tf.tidy(() => c.op(indices).dataSync());
      } catch {
        throws = true;
      }
      const fails = check.fails(Int32Array.from(indices), c.shapes, (c.attrs ?? {}) as never);
      if (throws) {
        thrown++;
        expect({ indices, fails }).toEqual({ indices, fails: true });
      }
      if (throws === fails) agreed++;
    }
    // Both outcomes occur, and the check is not "always fails".
    expect(thrown).toBeGreaterThan(10);
    expect(thrown).toBeLessThan(190);
    expect(agreed).toBe(200);
  });
});
