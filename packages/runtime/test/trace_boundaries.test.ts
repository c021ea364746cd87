import * as tf from '@tensorflow/tfjs';
import { trace } from '@terrajs/runtime';
import type { Trace } from '../src/trace';

const signature = (t: Trace) => t.kernels.map((k) => `${k.kernelName}${k.attrs}`).join(' ');

describe('iteration boundaries at optimizer steps', () => {
  beforeAll(async () => {
    await tf.setBackend('terra');
  });
  afterEach(() => {
    trace.endTracing();
  });

  const optimizers: Array<[string, () => tf.Optimizer]> = [
    ['sgd', () => tf.train.sgd(0.1)],
    ['momentum', () => tf.train.momentum(0.1, 0.9)],
    ['adam', () => tf.train.adam(0.01)],
    ['adamax', () => tf.train.adamax(0.01)],
    ['rmsprop', () => tf.train.rmsprop(0.01)],
    ['adagrad', () => tf.train.adagrad(0.1)],
    ['adadelta', () => tf.train.adadelta(0.1)],
  ];
  for (const [name, make] of optimizers) {
    it(`ends one trace per ${name} step, minimize or applyGradients`, () => {
      const w = tf.variable(tf.tensor1d([1, 2, 3]));
      const x = tf.tensor1d([0.5, -1, 2]);
      const opt = make();
      const traces: Trace[] = [];
      trace.beginTracing({ onTrace: (t) => traces.push(t) });
      const loss = () => tf.sum(tf.square(tf.mul(w, x))) as tf.Scalar;
      for (let i = 0; i < 3; i++) opt.minimize(loss);
      const { grads } = tf.variableGrads(loss);
      opt.applyGradients(grads);
      expect(traces).toHaveLength(4);
      // Steady state: the same kernels every step (the first step also creates the optimizer's slots).
      expect(signature(traces[2])).toBe(signature(traces[1]));
      expect(traces[1].kernels.length).toBeGreaterThan(0);
      tf.dispose([w, x]);
      opt.dispose();
    });
  }

  it('splits tfjs-layers fit (an uninstrumented loop) into one trace per batch', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax', kernelInitializer: 'ones' })],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const x = tf.ones([12, 4]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], 'int32'), 3);
    const traces: Trace[] = [];
    trace.beginTracing({ onTrace: (t) => traces.push(t) });
    await model.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
    trace.endTracing();
    expect(traces).toHaveLength(6);
    const steps = traces.slice(1).map((t) => t.kernels.filter((k) => k.kernelName === 'BatchMatMul').length);
    expect(new Set(steps).size).toBe(1);
    expect(steps[0]).toBeGreaterThan(0);
    tf.dispose([x, y]);
  });

  it('stops splitting when tracing ends', () => {
    const w = tf.variable(tf.scalar(1));
    const opt = tf.train.sgd(0.1);
    const traces: Trace[] = [];
    trace.beginTracing({ onTrace: (t) => traces.push(t) });
    trace.endTracing();
    opt.minimize(() => tf.square(w) as tf.Scalar);
    expect(traces).toHaveLength(0);
    w.dispose();
  });
});
