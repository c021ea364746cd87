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
});
