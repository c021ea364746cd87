import * as tf from '@tensorflow/tfjs';
import { trace } from '@terrajs/runtime';
import { buildSegment } from '../src/generation';
import { OrtTensorClass, SyncSession } from '../src/ort/sync_session';
import { Unsupported } from '../src/lowering/types';
import { prng } from './parity/harness';

const seeded = (seed: number, shape: number[]) => {
  const next = prng(seed);
  return tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => next() - 0.5), shape);
};

describe('segment generation from a trace', () => {
  beforeAll(async () => {
    await tf.setBackend('terra');
  });

  it('turns a recorded training step into one ONNX graph that computes what eager execution did', () => {
    const params = [seeded(1, [6, 8]), seeded(2, [8]), seeded(3, [8, 3]), seeded(4, [3])].map((t, i) => tf.variable(t, true, `p${i}`));
    const x = seeded(5, [4, 6]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    const before = new Map(params.map((p) => [p.name, p.dataSync().slice()]));

    trace.beginTracing();
    const eagerReads: number[][] = [];
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const h = tf.relu(tf.add(tf.matMul(x, params[0]), params[1]));
        return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h, params[2]), params[3])) as tf.Scalar;
      }, params);
      eagerReads.push(Array.from(value.dataSync()));
      for (const p of params) {
        p.assign(tf.sub(p, tf.mul(grads[p.name], 0.1)));
        eagerReads.push(Array.from(p.dataSync()));
      }
    });
    const t = trace.endTracing()!;

    const fetched = t.fetches.map((f) => {
      if (f.from.kind !== 'op') throw new Error('fetch of a non-op value');
      return { op: f.from.op, output: f.from.output };
    });
    const segment = buildSegment(t, fetched);
    expect(segment.inputs.map((i) => i.from.kind).sort()).toEqual(
      expect.arrayContaining(['variable', 'variable', 'variable', 'variable', 'feed', 'carried', 'carried']));

    const session = new SyncSession(segment.model, { graphOptimizationLevel: 'all' });
    const feeds = segment.inputs.map((input) => {
      let values: ArrayLike<number>;
      if (input.from.kind === 'variable') values = before.get(input.from.name)!;
      else if (input.from.kind === 'feed') values = t.feeds[input.from.feed].values as Float32Array;
      else values = (input.shape.length === 2 && input.shape[1] === 6 ? x : y).dataSync();
      return new OrtTensorClass(input.dtype as 'float32', values as Float32Array, input.shape as number[]);
    });
    const results = session.run(feeds).map((r) => Array.from(r.data as Float32Array));
    expect(results).toHaveLength(eagerReads.length);
    results.forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(eagerReads[i][j], 5)));
    tf.dispose([...params, x, y]);
  });

  it('builds a shape-general segment that runs another batch size, its reshape dims fed as an input', () => {
    const traced = (x: tf.Tensor) => tf.sum(tf.mul(tf.reshape(x, [x.shape[0], 2, 2]), 3), 2);
    const x3 = seeded(6, [3, 4]);
    trace.beginTracing();
    tf.tidy(() => traced(x3).dataSync());
    const t = trace.endTracing()!;
    const last = t.kernels[t.kernels.length - 1];
    const segment = buildSegment(t, [{ op: last.index, output: 0 }], undefined, true);
    expect(segment.inputs.map((i) => i.from.kind).sort()).toEqual(['attr', 'carried', 'feed']);

    const session = new SyncSession(segment.model, { graphOptimizationLevel: 'all' });
    for (const rows of [3, 5, 1]) {
      const x = seeded(10 + rows, [rows, 4]);
      const feeds = segment.inputs.map((input) => {
        if (input.from.kind === 'attr') return new OrtTensorClass('int32', Int32Array.from([rows, 2, 2]), [3]);
        if (input.from.kind === 'feed') return new OrtTensorClass('float32', t.feeds[input.from.feed].values as Float32Array, []);
        return new OrtTensorClass('float32', x.dataSync() as Float32Array, [rows, 4]);
      });
      const [result] = session.run(feeds);
      expect(result.dims).toEqual([rows, 2]);
      const eager = traced(x).dataSync();
      Array.from(result.data as Float32Array).forEach((v, j) => expect(v).toBeCloseTo(eager[j], 5));
      tf.dispose(x);
    }
    tf.dispose(x3);
  });

  it("builds a shape-general segment whose slices take their begin and size per run, a size of -1 kept", () => {
    // Direct kernel calls: tfjs's slice op resolves a -1 size itself, a kernel call may still pass one.
    const traced = (x: tf.Tensor, begin: number[], size: number[]) =>
      tf.mul(tf.engine().runKernel('Slice', { x }, { begin, size }) as tf.Tensor, 2);
    const at = (rows: number) => ({ begin: [rows - 2, 1], size: [2, -1] });
    const x4 = seeded(7, [4, 5]);
    trace.beginTracing();
    tf.tidy(() => traced(x4, at(4).begin, at(4).size).dataSync());
    const t = trace.endTracing()!;
    const last = t.kernels[t.kernels.length - 1];
    const segment = buildSegment(t, [{ op: last.index, output: 0 }], undefined, true);
    expect(segment.inputs.filter((i) => i.from.kind === 'attr').map((i) => (i.from as { attr: string }).attr).sort()).toEqual(['begin', 'size']);

    const session = new SyncSession(segment.model, { graphOptimizationLevel: 'all' });
    for (const rows of [4, 6, 3]) {
      const x = seeded(20 + rows, [rows, 5]);
      const { begin, size } = at(rows);
      const feeds = segment.inputs.map((input) => {
        if (input.from.kind === 'attr') return new OrtTensorClass('int32', Int32Array.from(input.from.attr === 'begin' ? begin : size), [2]);
        if (input.from.kind === 'feed') return new OrtTensorClass('float32', t.feeds[input.from.feed].values as Float32Array, []);
        return new OrtTensorClass('float32', x.dataSync() as Float32Array, [rows, 5]);
      });
      const [result] = session.run(feeds);
      expect(result.dims).toEqual([2, 4]);
      expect(Array.from(result.data as Float32Array)).toEqual(Array.from(traced(x, begin, size).dataSync()));
      tf.dispose(x);
    }
    tf.dispose(x4);
  });

  it('reports a kernel with no lowering as a graph break', () => {
    trace.beginTracing();
    tf.tidy(() => tf.unique(tf.tensor1d([1, 2, 1])).values.dataSync());
    const t = trace.endTracing()!;
    expect(() => buildSegment(t, [])).toThrow(Unsupported);
    expect(() => buildSegment(t, [])).toThrow(/Unique has no lowering/);
  });
});
