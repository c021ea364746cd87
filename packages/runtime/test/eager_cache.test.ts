import * as tf from '@tensorflow/tfjs-core';
import { cachedSessions } from '@terrajs/runtime';
import { expectParity, rand } from './parity/harness';
import { eagerExecutor } from '../src/eager/eager_executor';
import { loweringFor } from '../src/lowering/registry';

describe('eager session cache', () => {
  beforeAll(async () => {
    await tf.setBackend('terra');
  });

  function sessionsAfter(fn: () => void): number {
    const before = cachedSessions();
    tf.tidy(fn);
    return cachedSessions() - before;
  }

  it('keys by kernel, attrs, dtypes and rank, not by shape', () => {
    expect(sessionsAfter(() => tf.add(rand([2, 3], 'float32', { seed: 1 }), rand([2, 3], 'float32', { seed: 2 })))).toBe(1);
    expect(sessionsAfter(() => tf.add(rand([5, 7]), rand([5, 7])))).toBe(0);
    expect(sessionsAfter(() => tf.add(rand([5, 7, 1]), rand([5, 7, 1])))).toBe(1);
    expect(sessionsAfter(() => tf.add(rand([4], 'int32'), rand([4], 'int32')))).toBe(1);
  });

  it('feeds Slice its begin and size: one session for every offset of a sliding window, values as tfjs cpu', () => {
    const x = rand([40, 3], 'float32', { seed: 3 });
    const rows = (begin: number, size = 4) => tf.slice(x, [begin, 0], [size, 3]);
    expect(sessionsAfter(() => rows(0))).toBe(1);
    // Other offsets and sizes: the same session, fed other numbers.
    expect(sessionsAfter(() => { for (let b = 1; b < 30; b++) rows(b, 1 + (b % 5)); })).toBe(0);
    // A size that runs to the end is another structure; a begin shorter than the rank keeps its numbers in
    // (the fed form the lowering declined is remembered as such: a second entry, no second attempt).
    expect(sessionsAfter(() => tf.slice(x, [3, 0], [-1, 3]))).toBe(1);
    expect(sessionsAfter(() => tf.slice(x, [5], [2]))).toBe(2);
    expect(sessionsAfter(() => tf.slice(x, [5], [2]))).toBe(0);
    for (const [begin, size] of [[0, 4], [17, 5], [36, 4], [3, -1]] as const) {
      expectParity(() => tf.slice(x, [begin, 1], [size, 2]), { onOrt: ['Slice'] });
    }
    x.dispose();
  });

  it('gives another thread the model a call runs on: the cached one, compiled once (kernel programs)', () => {
    const compiled: string[] = [];
    const unsubscribe = eagerExecutor.onCompile((key) => compiled.push(key));
    try {
      const a = { name: 'a', dtype: 'float32' as const, shape: [2, 3] };
      const b = { name: 'b', dtype: 'float32' as const, shape: [1, 3] };
      const before = cachedSessions();
      const first = eagerExecutor.kernelModel(loweringFor('Sub')!, [a, b], '{}')!;
      expect(cachedSessions() - before).toBe(1);
      expect(compiled).toEqual([first.key]);
      // What run() then uses, from the cache: no new session, and the same model for any shape of the same rank.
      expect(sessionsAfter(() => tf.sub(rand([4, 5]), rand([1, 5])))).toBe(0);
      const again = eagerExecutor.kernelModel(loweringFor('Sub')!, [{ ...a, shape: [7, 1] }, b], '{}')!;
      expect(again.key).toBe(first.key);
      expect(again.model).toBe(first.model);
      expect(again.order).toEqual([0, 1]);
      expect(compiled).toHaveLength(1);
      // A dtype ORT does not hold for tfjs: no model (the call runs on the cpu backend).
      expect(eagerExecutor.kernelModel(loweringFor('Sub')!, [{ ...a, dtype: 'complex64' }, b], '{}')).toBeUndefined();
    } finally {
      unsubscribe();
    }
  });

  it('keeps attrs with non-finite values apart (a fill or pad value of Infinity, NaN, -Infinity)', () => {
    // Plain JSON writes all three as null: one cached session would then serve them all.
    for (const value of [Infinity, NaN, -Infinity, 0]) {
      expect(Array.from(tf.fill([2], value).dataSync())).toEqual([value, value]);
      expect(Array.from(tf.pad(tf.tensor1d([1, 2]), [[1, 0]], value).dataSync())).toEqual([value, 1, 2]);
    }
  });

  it('reuses a conv session across batch sizes (an uneven last batch) with exact results', () => {
    const filter = () => rand([3, 3, 2, 4], 'float32', { seed: 3 });
    expect(sessionsAfter(() => tf.conv2d(rand([4, 9, 9, 2]) as tf.Tensor4D, filter() as tf.Tensor4D, 2, 'same'))).toBe(1);
    expect(sessionsAfter(() => tf.conv2d(rand([3, 9, 9, 2]) as tf.Tensor4D, filter() as tf.Tensor4D, 2, 'same'))).toBe(0);
    expect(sessionsAfter(() => tf.maxPool(rand([4, 9, 9, 2]) as tf.Tensor4D, 3, 2, 'same'))).toBe(1);
    expect(sessionsAfter(() => tf.maxPool(rand([1, 9, 9, 2]) as tf.Tensor4D, 3, 2, 'same'))).toBe(0);
    // Spatial sizes still specialize: tfjs's 'same' padding depends on them.
    expect(sessionsAfter(() => tf.conv2d(rand([3, 10, 9, 2]) as tf.Tensor4D, filter() as tf.Tensor4D, 2, 'same'))).toBe(1);
    for (const batch of [4, 3, 1]) {
      expectParity(() => tf.conv2d(rand([batch, 9, 9, 2], 'float32', { seed: batch }) as tf.Tensor4D,
        filter() as tf.Tensor4D, 2, 'same'), { onOrt: ['Conv2D'] });
      expectParity(() => tf.maxPool(rand([batch, 9, 9, 2], 'float32', { seed: batch }) as tf.Tensor4D, 3, 2, 'same'),
        { onOrt: ['MaxPool'] });
    }
    expectParity(() => tf.conv2d(rand([0, 9, 9, 2]) as tf.Tensor4D, filter() as tf.Tensor4D, 2, 'same'));
  });

  it('reuses pool-gradient and filter-gradient sessions across batch sizes with exact results', () => {
    const t4 = (shape: number[], seed: number) => rand(shape, 'float32', { seed }) as tf.Tensor4D;
    const t5 = (shape: number[], seed: number) => rand(shape, 'float32', { seed }) as tf.Tensor5D;
    // Each case: the gradient for a batch, and the kernel that computes it.
    const cases: Array<[string, (batch: number) => tf.Tensor]> = [
      ['MaxPoolGrad', (n) => tf.grad((x: tf.Tensor4D) => tf.maxPool(x, 3, 2, 'same'))(t4([n, 9, 9, 2], n), t4([n, 5, 5, 2], 10 + n))],
      ['AvgPoolGrad', (n) => tf.grad((x: tf.Tensor4D) => tf.avgPool(x, 3, 2, 'same'))(t4([n, 9, 9, 2], n), t4([n, 5, 5, 2], 10 + n))],
      ['Conv2DBackpropFilter', (n) => tf.grad((f: tf.Tensor4D) => tf.conv2d(t4([n, 9, 9, 2], n), f, 2, 'same'))(
        t4([3, 3, 2, 4], 3), t4([n, 5, 5, 4], 10 + n))],
      ['DepthwiseConv2dNativeBackpropFilter', (n) => tf.grad((f: tf.Tensor4D) => tf.depthwiseConv2d(t4([n, 9, 9, 2], n), f, 2, 'same'))(
        t4([3, 3, 2, 2], 3), t4([n, 5, 5, 4], 10 + n))],
      ['MaxPool3DGrad', (n) => tf.grad((x: tf.Tensor5D) => tf.maxPool3d(x, 3, 2, 'same'))(t5([n, 5, 5, 5, 2], n), t5([n, 3, 3, 3, 2], 10 + n))],
      ['AvgPool3DGrad', (n) => tf.grad((x: tf.Tensor5D) => tf.avgPool3d(x, 3, 2, 'same'))(t5([n, 5, 5, 5, 2], n), t5([n, 3, 3, 3, 2], 10 + n))],
    ];
    for (const [kernel, gradient] of cases) {
      sessionsAfter(() => gradient(4));
      expect([kernel, sessionsAfter(() => gradient(3))]).toEqual([kernel, 0]);
      expect([kernel, sessionsAfter(() => gradient(1))]).toEqual([kernel, 0]);
      for (const batch of [4, 3, 1]) expectParity(() => gradient(batch), { onOrt: [kernel] });
    }
  });
});
