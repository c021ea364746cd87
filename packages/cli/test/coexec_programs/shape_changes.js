// Shapes that change: an uneven last batch (50 examples, batch size 16: 16, 16, 16, 2) and sequence
// lengths that grow every 3 epochs (an unrolled RNN over 3, 4, 5, then 6 steps). A plain tfjs program.
const tf = require('@tensorflow/tfjs');

let seed = 6006;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const f = (v) => v.toFixed(6);
const randn = (n, scale = 1) => Array.from({ length: n }, () => (2 * rand() - 1) * scale);

const N = 50, T = 6, F = 4, H = 12, B = 16;
const seqs = randn(N * T * F);
const wx = tf.variable(tf.tensor2d(randn(F * H, 0.4), [F, H]), true, 'wx');
const wh = tf.variable(tf.tensor2d(randn(H * H, 0.2), [H, H]), true, 'wh');
const wo = tf.variable(tf.tensor2d(randn(H, 0.4), [H, 1]), true, 'wo');
const optimizer = tf.train.adam(0.02);

function batch(start, len) {
  const n = Math.min(B, N - start);
  const xs = [];
  const ys = [];
  for (let i = start; i < start + n; i++) {
    let target = 0;
    for (let t = 0; t < len; t++) {
      for (let k = 0; k < F; k++) xs.push(seqs[(i * T + t) * F + k]);
      target += 0.5 * seqs[(i * T + t) * F];
    }
    ys.push(target);
  }
  return { x: tf.tensor3d(xs, [n, len, F]), y: tf.tensor2d(ys, [n, 1]), n };
}

function forward(x, len) {
  let h = tf.zeros([x.shape[0], H]);
  const steps = tf.unstack(x, 1);
  for (let t = 0; t < len; t++) h = tf.tanh(tf.add(tf.matMul(steps[t], wx), tf.matMul(h, wh)));
  return tf.matMul(h, wo);
}

let step = 0;
for (let epoch = 0; epoch < 10; epoch++) {
  const len = 3 + Math.floor(epoch / 3);
  let sum = 0;
  for (let start = 0; start < N; start += B) {
    const { x, y, n } = batch(start, len);
    const loss = optimizer.minimize(() => tf.losses.meanSquaredError(y, forward(x, len)), true);
    const l = loss.dataSync()[0];
    sum += l * n;
    console.log(`epoch ${epoch} len ${len} batch ${n} loss ${f(l)}`);
    tf.dispose([x, y, loss]);
    step++;
  }
  console.log(`epoch ${epoch} mean ${f(sum / N)}`);
}
const { x } = batch(N - 2, 6);
const pred = tf.tidy(() => forward(x, 6));
console.log(`pred ${Array.from(pred.dataSync()).map(f).join(' ')}`);
for (const [n, v] of [['wx', wx], ['wh', wh], ['wo', wo]]) console.log(`${n} sum ${f(v.sum().dataSync()[0])}`);
