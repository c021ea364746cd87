// Nested tf.tidy scopes with tf.keep and explicit dispose inside a training loop. A plain tfjs program.
const tf = require('@tensorflow/tfjs');

let seed = 1111;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const f = (v) => v.toFixed(6);
const randn = (n, scale = 1) => Array.from({ length: n }, () => (2 * rand() - 1) * scale);

const N = 16, D = 10, H = 24;
const x = tf.tensor2d(randn(N * D), [N, D]);
const y = tf.tensor2d(randn(N, 0.5), [N, 1]);
const w1 = tf.variable(tf.tensor2d(randn(D * H, 0.3), [D, H]), true, 'w1');
const w2 = tf.variable(tf.tensor2d(randn(H, 0.3), [H, 1]), true, 'w2');
const optimizer = tf.train.adagrad(0.1);
let kept = [];

for (let step = 0; step < 45; step++) {
  let normKept;
  const out = tf.tidy(() => {
    const features = tf.tidy(() => {
      const centered = tf.sub(x, tf.mean(x, 0));
      const scaled = tf.div(centered, tf.add(tf.sqrt(tf.mean(tf.square(centered), 0)), 1e-3));
      normKept = tf.keep(tf.norm(scaled)); // survives both scopes
      return scaled;
    });
    const inner = tf.tidy(() => {
      const h = tf.relu(tf.matMul(features, w1));
      const stats = tf.tidy(() => tf.stack([tf.mean(h), tf.max(h)]));
      return { h, stats };
    });
    const loss = optimizer.minimize(() => tf.losses.meanSquaredError(y, tf.matMul(tf.relu(tf.matMul(features, w1)), w2)), true);
    const pred = tf.matMul(inner.h, w2);
    const scratch = tf.square(pred);
    const scratchSum = tf.sum(scratch);
    scratch.dispose(); // explicit dispose inside the scope
    return { loss, stats: inner.stats, scratchSum };
  });
  const stats = out.stats.dataSync();
  console.log(`step ${step} loss ${f(out.loss.dataSync()[0])} mean ${f(stats[0])} max ${f(stats[1])} sq ${f(out.scratchSum.dataSync()[0])} norm ${f(normKept.dataSync()[0])}`);
  tf.dispose(out);
  kept.push(normKept);
  if (kept.length > 3) kept.shift().dispose();
}
kept.forEach((t) => t.dispose());
console.log(`w1 sum ${f(w1.sum().dataSync()[0])} w2 ${Array.from(w2.dataSync().slice(0, 4)).map(f).join(' ')}`);
console.log(`tensors ${tf.memory().numTensors}`);
