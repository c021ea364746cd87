// Tensors held in plain objects and in a Map, mutated across iterations: entries replaced (the old
// tensor disposed), added, deleted. A plain tfjs program.
const tf = require('@tensorflow/tfjs');

let seed = 4242;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const f = (v) => v.toFixed(6);
const randn = (n) => Array.from({ length: n }, () => 2 * rand() - 1);

const N = 12, D = 10, H = 8;
const data = { x: tf.tensor2d(randn(N * D), [N, D]), y: tf.tensor2d(randn(N), [N, 1]) };
const params = {
  w1: tf.variable(tf.tensor2d(randn(D * H).map((v) => v * 0.3), [D, H]), true, 'w1'),
  w2: tf.variable(tf.tensor2d(randn(H).map((v) => v * 0.3), [H, 1]), true, 'w2'),
};
const optimizer = tf.train.momentum(0.05, 0.9);
const cache = new Map();   // name -> tensor, replaced every iteration
const stats = { ema: tf.keep(tf.scalar(0)), best: null };

for (let step = 0; step < 50; step++) {
  const loss = optimizer.minimize(() => {
    const h = tf.relu(tf.matMul(data.x, params.w1));
    return tf.losses.meanSquaredError(data.y, tf.matMul(h, params.w2));
  }, true);
  // Replace cached tensors, disposing the old ones.
  const hidden = tf.tidy(() => tf.relu(tf.matMul(data.x, params.w1)));
  if (cache.has('hidden')) cache.get('hidden').dispose();
  cache.set('hidden', hidden);
  const old = cache.get('loss');
  cache.set('loss', loss);
  if (old) old.dispose();
  // The EMA object field is replaced by a new tensor.
  const ema = tf.tidy(() => tf.add(tf.mul(stats.ema, 0.8), tf.mul(loss, 0.2)));
  stats.ema.dispose();
  stats.ema = ema;
  // Every 8 steps a snapshot entry is added to the Map; the oldest snapshot is removed when there are 3.
  if (step % 8 === 0) {
    cache.set(`snap${step}`, tf.clone(params.w2));
    const snaps = [...cache.keys()].filter((k) => k.startsWith('snap'));
    if (snaps.length > 2) {
      cache.get(snaps[0]).dispose();
      cache.delete(snaps[0]);
    }
  }
  const l = loss.dataSync()[0];
  if (stats.best === null || l < stats.best.value) {
    if (stats.best) stats.best.w.dispose();
    stats.best = { value: l, w: tf.clone(params.w1), step };
  }
  const activeUnits = tf.tidy(() => tf.sum(tf.cast(tf.greater(cache.get('hidden'), 0), 'float32'))).dataSync()[0];
  console.log(`step ${step} loss ${f(l)} ema ${f(stats.ema.dataSync()[0])} active ${activeUnits} entries ${cache.size}`);
}
for (const [k, t] of cache) console.log(`${k} sum ${f(t.sum().dataSync()[0])}`);
console.log(`best step ${stats.best.step} value ${f(stats.best.value)} w sum ${f(stats.best.w.sum().dataSync()[0])}`);
console.log(`w1 sum ${f(params.w1.sum().dataSync()[0])} w2 ${Array.from(params.w2.dataSync()).map(f).join(' ')}`);
console.log(`tensors ${tf.memory().numTensors}`);
