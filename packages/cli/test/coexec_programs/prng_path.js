// A path chosen per iteration by a seeded JS PRNG: one of two model branches, and on some iterations
// an extra regularization term (from step 20 on, an L1 term on rare iterations). A plain tfjs program.
const tf = require('@tensorflow/tfjs');

let seed = 2024;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const f = (v) => v.toFixed(6);

const N = 16, D = 12, H = 16;
const x = tf.tensor2d(Array.from({ length: N * D }, () => 2 * rand() - 1), [N, D]);
const y = tf.tensor2d(Array.from({ length: N }, () => (rand() > 0.5 ? 1 : 0)), [N, 1]);
const init = (shape) => tf.variable(tf.tensor(Array.from({ length: shape[0] * shape[1] }, () => (rand() - 0.5) * 0.6), shape));
const w1 = init([D, H]);
const w2a = init([H, 1]);
const w2b = init([H, 1]);
const optimizer = tf.train.adam(0.02);

let pathSeed = 99;
const pathRand = () => ((pathSeed = (Math.imul(pathSeed, 22695477) + 1) >>> 0) / 4294967296);

for (let step = 0; step < 60; step++) {
  const useA = pathRand() < 0.5;
  const l2 = pathRand() < 0.3;
  const l1 = step >= 20 && pathRand() < 0.15;
  const loss = optimizer.minimize(() => {
    const h = tf.matMul(x, w1);
    const logits = useA ? tf.matMul(tf.relu(h), w2a) : tf.matMul(tf.tanh(h), w2b);
    let l = tf.losses.sigmoidCrossEntropy(y, logits);
    if (l2) l = tf.add(l, tf.mul(0.01, tf.sum(tf.square(w1))));
    if (l1) l = tf.add(l, tf.mul(0.001, tf.sum(tf.abs(w1))));
    return l;
  }, true);
  console.log(`step ${step} ${useA ? 'A' : 'B'}${l2 ? ' l2' : ''}${l1 ? ' l1' : ''} loss ${f(loss.dataSync()[0])}`);
  loss.dispose();
}
const acc = tf.tidy(() => {
  const p = tf.sigmoid(tf.matMul(tf.relu(tf.matMul(x, w1)), w2a));
  return tf.mean(tf.cast(tf.equal(tf.greater(p, 0.5), tf.cast(y, 'bool')), 'float32'));
});
console.log(`acc ${f(acc.dataSync()[0])}`);
for (const [name, v] of [['w1', w1], ['w2a', w2a], ['w2b', w2b]]) {
  const d = v.dataSync();
  console.log(`${name} sum ${f(d.reduce((a, b) => a + b, 0))} first ${f(d[0])} last ${f(d[d.length - 1])}`);
}
