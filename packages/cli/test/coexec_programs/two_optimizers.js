// Two optimizers alternating on two sets of variables, GAN-style: a discriminator (sgd) and a
// generator (adam) on 1-D data. A plain tfjs program.
const tf = require('@tensorflow/tfjs');

let seed = 9001;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const f = (v) => v.toFixed(6);
const randn = (n, scale = 1) => Array.from({ length: n }, () => (2 * rand() - 1) * scale);

const B = 16, Z = 4, H = 16;
const v = (shape, scale, name) => tf.variable(tf.tensor(randn(shape[0] * shape[1], scale), shape), true, name);
const G = { w1: v([Z, H], 0.4, 'g1'), w2: v([H, 1], 0.4, 'g2') };
const Dn = { w1: v([1, H], 0.4, 'd1'), w2: v([H, 1], 0.4, 'd2') };
const gen = (z) => tf.matMul(tf.tanh(tf.matMul(z, G.w1)), G.w2);
const disc = (x) => tf.matMul(tf.relu(tf.matMul(x, Dn.w1)), Dn.w2);
const dOpt = tf.train.sgd(0.05);
const gOpt = tf.train.adam(0.01);
const bce = (labels, logits) => tf.losses.sigmoidCrossEntropy(labels, logits);

for (let step = 0; step < 35; step++) {
  const real = tf.tensor2d(randn(B).map((u) => 2 + 0.5 * u), [B, 1]);
  const z = tf.tensor2d(randn(B * Z), [B, Z]);
  const ones = tf.ones([B, 1]);
  const zeros = tf.zeros([B, 1]);
  const dLoss = dOpt.minimize(() => tf.add(bce(ones, disc(real)), bce(zeros, disc(gen(z)))), true, [Dn.w1, Dn.w2]);
  const gLoss = gOpt.minimize(() => bce(ones, disc(gen(z))), true, [G.w1, G.w2]);
  const sample = tf.tidy(() => tf.mean(gen(z)));
  console.log(`step ${step} d ${f(dLoss.dataSync()[0])} g ${f(gLoss.dataSync()[0])} mean ${f(sample.dataSync()[0])}`);
  tf.dispose([real, z, ones, zeros, dLoss, gLoss, sample]);
}
for (const [n, t] of Object.entries({ ...G, ...{ d1: Dn.w1, d2: Dn.w2 } })) console.log(`${n} sum ${f(t.sum().dataSync()[0])}`);
