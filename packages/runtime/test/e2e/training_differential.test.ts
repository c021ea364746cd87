/**
 * Real tfjs training programs (tfjs-layers models and a hand-written transformer block), run on
 * tfjs-backend-cpu and on terra: the losses must agree and terra must run every computing kernel on
 * ONNX Runtime (dense, convolutional, recurrent and transformer training, forward and backward).
 */
import * as tf from '@tensorflow/tfjs';
import { resetStats, stats } from '@terrajs/runtime';
import { prng } from '../parity/harness';

function data(seed: number, shape: number[]): tf.Tensor {
  const next = prng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, () => next() * 2 - 1), shape);
}

function labels(seed: number, n: number, classes: number): tf.Tensor {
  const next = prng(seed);
  return tf.oneHot(tf.tensor1d(Array.from({ length: n }, () => Math.floor(next() * classes)), 'int32'), classes);
}

async function train(backend: string, build: () => Promise<number[]>): Promise<number[]> {
  await tf.setBackend(backend);
  return build();
}

async function differential(build: () => Promise<number[]>): Promise<void> {
  const expected = await train('cpu', build);
  resetStats();
  const actual = await train('terra', build);
  const s = stats();
  const onCpu = Object.entries(s.byKernel).filter(([, v]) => v.cpu > 0).map(([k]) => k);
  expect(onCpu).toEqual([]);
  expect(s.total.ort).toBeGreaterThan(0);
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(expected[i])));
}

async function fitLosses(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, optimizer: tf.Optimizer): Promise<number[]> {
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const h = await model.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
  return h.history.loss as number[];
}

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

describe('training differential: cpu vs terra', () => {
  it('conv net with batch norm and pooling (tfjs-layers fit, adam)', async () => {
    await differential(() => {
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 6, kernelSize: 3, padding: 'same', kernelInitializer: init(1) }),
          tf.layers.batchNormalization(),
          tf.layers.activation({ activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.depthwiseConv2d({ kernelSize: 3, depthwiseInitializer: init(2) }),
          tf.layers.averagePooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: init(3) }),
        ],
      });
      return fitLosses(model, data(1, [24, 12, 12, 3]), labels(2, 24, 4), tf.train.adam(0.01));
    });
  });

  it('LSTM and GRU sequence classifier (tfjs-layers fit, rmsprop)', async () => {
    await differential(() => {
      const model = tf.sequential({
        layers: [
          tf.layers.lstm({ inputShape: [5, 3], units: 8, returnSequences: true, kernelInitializer: init(4), recurrentInitializer: init(5) }),
          tf.layers.gru({ units: 6, kernelInitializer: init(6), recurrentInitializer: init(7) }),
          tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(8) }),
        ],
      });
      return fitLosses(model, data(3, [16, 5, 3]), labels(4, 16, 3), tf.train.rmsprop(0.01));
    });
  });

  it('embedding and a self-attention block with layer norm (custom loop, variableGrads, sgd)', async () => {
    await differential(async () => {
      const [vocab, seq, dim, batch] = [11, 6, 8, 4];
      const v = (seed: number, shape: number[]) => tf.variable(data(seed, shape).mul(0.3));
      const params = {
        emb: v(10, [vocab, dim]), wq: v(11, [dim, dim]), wk: v(12, [dim, dim]), wv: v(13, [dim, dim]),
        w1: v(14, [dim, 2 * dim]), w2: v(15, [2 * dim, dim]), out: v(16, [dim, 3]),
      };
      const next = prng(17);
      const tokens = tf.tensor2d(Array.from({ length: batch * seq }, () => Math.floor(next() * vocab)), [batch, seq], 'int32');
      const y = labels(18, batch, 3);
      const layerNorm = (x: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, -1, true);
        return x.sub(mean).div(variance.add(1e-5).sqrt());
      };
      const loss = () => {
        const x = tf.gather(params.emb, tokens);
        const q = tf.matMul(x.reshape([-1, dim]), params.wq).reshape([batch, seq, dim]);
        const k = tf.matMul(x.reshape([-1, dim]), params.wk).reshape([batch, seq, dim]);
        const val = tf.matMul(x.reshape([-1, dim]), params.wv).reshape([batch, seq, dim]);
        const att = tf.softmax(tf.matMul(q, k, false, true).div(Math.sqrt(dim)));
        const h = layerNorm(x.add(tf.matMul(att, val)));
        const ff = tf.matMul(tf.relu(tf.matMul(h.reshape([-1, dim]), params.w1)), params.w2).reshape([batch, seq, dim]);
        const pooled = layerNorm(h.add(ff)).mean(1);
        return tf.losses.softmaxCrossEntropy(y, tf.matMul(pooled, params.out)) as tf.Scalar;
      };
      const optimizer = tf.train.sgd(0.1);
      const losses: number[] = [];
      for (let step = 0; step < 5; step++) {
        const l = optimizer.minimize(loss, true)!;
        losses.push((await l.data())[0]);
        l.dispose();
      }
      return losses;
    });
  });
});
