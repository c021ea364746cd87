import * as tf from '@tensorflow/tfjs-core';
import {
  BACKEND_NAME, TerraBackend, TerraKernelError, checkVersions, loweredKernels, resetStats, stats,
} from '@terrajs/runtime';
import { EagerExecutor } from '../src/eager/eager_executor';
import { loweredKernelFunc } from '../src/backend/register';
import type { KernelLowering } from '../src/lowering/types';

describe('terra backend registration', () => {
  it('registers terra without switching to it', async () => {
    expect(tf.findBackendFactory(BACKEND_NAME)).toBeDefined();
    await tf.ready();
    expect(tf.getBackend()).toBe('cpu');
    await tf.setBackend('terra');
    expect(tf.getBackend()).toBe('terra');
    expect(tf.backend()).toBeInstanceOf(TerraBackend);
  });

  it('lists lowered kernels', () => {
    const names = loweredKernels();
    expect(names).toContain('Exp');
    expect(new Set(names).size).toBe(names.length);
    const cpuKernels = new Set(tf.getKernelsForBackend('cpu').map((k) => k.kernelName));
    for (const n of names) expect(cpuKernels.has(n)).toBe(true);
  });
});

describe('backend contract', () => {
  beforeAll(async () => {
    await tf.setBackend('terra');
  });

  it('write, read, readSync, refCount, move, disposeData', async () => {
    const b = tf.backend() as TerraBackend;
    const before = b.numDataIds();
    const id = b.write(new Float32Array([1, 2, 3]), [3], 'float32');
    expect(b.numDataIds()).toBe(before + 1);
    expect(b.refCount(id)).toBe(1);
    expect(Array.from(b.readSync(id) as Float32Array)).toEqual([1, 2, 3]);
    expect(Array.from((await b.read(id)) as Float32Array)).toEqual([1, 2, 3]);
    expect(b.disposeData(id)).toBe(true);
    expect(b.numDataIds()).toBe(before);
    expect(b.refCount(id)).toBe(0);
    // move: the engine hands over a dataId from another backend, with its refCount.
    const moved = {};
    b.move(moved, new Float32Array([4, 5, 6]), [3], 'float32', 2);
    expect(b.refCount(moved)).toBe(2);
    expect(Array.from(b.readSync(moved) as Float32Array)).toEqual([4, 5, 6]);
    expect(b.disposeData(moved)).toBe(false);
    expect(b.disposeData(moved)).toBe(true);
    expect(b.numDataIds()).toBe(before);
  });

  it('reports memory and time', async () => {
    const m = tf.memory();
    expect(m.numBytes).toBeGreaterThanOrEqual(0);
    const timing = await tf.time(() => tf.exp(tf.ones([8, 8])));
    expect(timing.kernelMs).toBeGreaterThanOrEqual(0);
  });

  it('returns to its numDataIds baseline after tidy', () => {
    const b = tf.backend();
    const base = b.numDataIds();
    const tensorsBefore = tf.memory().numTensors;
    tf.tidy(() => {
      let x = tf.randomNormal([16, 16]);
      for (let i = 0; i < 20; i++) x = tf.tanh(tf.log(tf.exp(tf.add(tf.matMul(x, x), 1))));
      return undefined;
    });
    expect(b.numDataIds()).toBe(base);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('sends dtypes it cannot lower (complex64, string) to the cpu fallback', () => {
    resetStats();
    const c = tf.complex([1, 2], [3, 4]);
    const sum = tf.add(c, c);
    expect(Array.from(tf.real(sum).dataSync())).toEqual([2, 4]);
    const s = tf.tensor(['a', 'b']);
    expect(tf.reshape(s, [2, 1]).shape).toEqual([2, 1]);
    expect(stats().total.cpu).toBeGreaterThan(0);
  });

  it('sends a call whose attrs a lowering declines to the cpu fallback, with cpu\'s answer', async () => {
    // TopK unsorted with k > 1 returns tfjs's selection order, which ONNX cannot reproduce.
    const run = () => tf.tidy(() => (tf.engine().runKernel('TopK',
      { x: tf.tensor1d([3, 1, 4, 1, 5, 9, 2, 6]) }, { k: 3, sorted: false }) as tf.Tensor[])
      .map((t) => Array.from(t.dataSync())));
    await tf.setBackend('cpu');
    let expected;
    try {
      expected = run();
    } finally {
      await tf.setBackend('terra');
    }
    resetStats();
    expect(run()).toEqual(expected);
    expect(stats().byKernel.TopK).toEqual({ ort: 0, cpu: 1, view: 0 });
  });

  it('counts dispatches by path and kernel', () => {
    resetStats();
    tf.tidy(() => tf.exp(tf.tensor([1, 2])));
    const s = stats();
    expect(s.byKernel.Exp).toEqual({ ort: 1, cpu: 0, view: 0 });
    expect(s.total.ort).toBeGreaterThanOrEqual(1);
  });

  it('releases every buffer when the engine disposes the backend', () => {
    const b = new TerraBackend();
    const id = b.write(new Float32Array(4), [4], 'float32');
    expect(b.numDataIds()).toBe(1);
    b.dispose();
    expect(b.refCount(id)).toBe(0);
    expect(b.numDataIds()).toBe(0);
  });

  it('moves tensors between terra and cpu when the backend changes', async () => {
    await tf.setBackend('cpu');
    const onCpu = tf.tensor([1, 2, 3]);
    await tf.setBackend('terra');
    expect(Array.from(tf.exp(onCpu).dataSync()).map((v) => Math.round(v * 100))).toEqual([272, 739, 2009]);
    onCpu.dispose();
  });
});

describe('ORT failures inside a lowered kernel', () => {
  // A lowering that compiles but fails at run time: Reshape to a size that cannot fit.
  const broken: KernelLowering = {
    kernelName: 'Exp',
    inputNames: ['x'],
    lower(g, [x]) {
      return [g.op('Reshape', [x!, g.int64s([7])], {}, { dtype: 'float32', rank: 1 })];
    },
  };

  it('names the kernel, attrs and input shapes', () => {
    const executor = new EagerExecutor();
    const b = new TerraBackend();
    const x = b.makeTensorInfo([2, 3], 'float32', new Float32Array(6));
    let err: unknown;
    try {
      executor.run(broken, { x }, { someAttr: 3 }, b);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TerraKernelError);
    expect(String(err)).toMatch(/kernel Exp failed on ONNX Runtime/);
    expect(String(err)).toMatch(/"someAttr":3/);
    expect(String(err)).toMatch(/\[\[2,3\]\]/);
  });
});

describe('ORT failure policy of a registered kernel', () => {
  const broken: KernelLowering = {
    kernelName: 'BrokenExp',
    inputNames: ['x'],
    lower(g, [x]) {
      return [g.op('Reshape', [x!, g.int64s([7])], {}, { dtype: 'float32', rank: 1 })];
    },
  };

  it('keeps the cpu answer and warns once when only ORT fails', () => {
    const b = new TerraBackend();
    const x = b.makeTensorInfo([2], 'float32', new Float32Array([0, 1]));
    const cpuExp = tf.getKernel('Exp', 'cpu')!.kernelFunc;
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const f = loweredKernelFunc(broken, cpuExp);
    const out = f({ inputs: { x }, attrs: {}, backend: b }) as tf.TensorInfo;
    f({ inputs: { x }, attrs: {}, backend: b });
    expect(Array.from(b.readSync(out.dataId) as Float32Array)).toEqual([1, Math.fround(Math.E)]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/kernel BrokenExp failed on ONNX Runtime/);
    warn.mockRestore();
  });

  it("surfaces tfjs's own error when the cpu kernel fails too", () => {
    const b = new TerraBackend();
    const x = b.makeTensorInfo([2], 'float32', new Float32Array([0, 1]));
    const f = loweredKernelFunc(broken, () => {
      throw new Error('tfjs says the input is invalid');
    });
    expect(() => f({ inputs: { x }, attrs: {}, backend: b })).toThrow('tfjs says the input is invalid');
  });
});

describe('version pinning', () => {
  it('accepts the pinned versions', () => {
    expect(() => checkVersions()).not.toThrow();
  });

  it('rejects a mismatched tfjs-core with a clear message', () => {
    expect(() => checkVersions({ tfjs: '4.21.0', ort: '1.30.0' }))
      .toThrow(/@tensorflow\/tfjs-core 4\.21\.0 is loaded, but @terrajs\/runtime supports exactly 4\.22\.0/);
    expect(() => checkVersions({ tfjs: '4.22.0', ort: '1.29.0' })).toThrow(/onnxruntime-node 1\.29\.0/);
  });
});

test('disposing a buffer twice is a no-op, as on tfjs-backend-cpu', async () => {
  await tf.setBackend('terra');
  const backend = tf.engine().backend;
  const t = tf.tensor1d([1, 2, 3]);
  const dataId = t.dataId;
  t.dispose();
  expect(() => backend.disposeData(dataId, true)).not.toThrow();
});
