// Tensors carried across iterations outside variables: an RNN-like hidden state and an exponential
// moving average of the weights, each kept with tf.keep and disposed when replaced. A plain tfjs program.
const tf = require('@tensorflow/tfjs');

let seed = 31337;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const f = (v) => v.toFixed(6);
const randn = (n, scale = 1) => Array.from({ length: n }, () => (2 * rand() - 1) * scale);

const B = 8, D = 6, H = 16;
const wx = tf.variable(tf.tensor2d(randn(D * H, 0.4), [D, H]), true, 'wx');
const wh = tf.variable(tf.tensor2d(randn(H * H, 0.2), [H, H]), true, 'wh');
const wo = tf.variable(tf.tensor2d(randn(H, 0.4), [H, 1]), true, 'wo');
const optimizer = tf.train.rmsprop(0.01);
// A fixed stream of inputs; the target is a running sum of the first input feature.
const inputs = [];
const targets = [];
let acc = new Array(B).fill(0);
for (let t = 0; t < 50; t++) {
  const xs = randn(B * D);
  acc = acc.map((a, i) => 0.7 * a + xs[i * D]);
  inputs.push(xs);
  targets.push(acc.slice());
}

let h = tf.keep(tf.zeros([B, H]));          // the carried hidden state
let ema = tf.keep(tf.clone(wo));            // the carried moving average of wo
for (let t = 0; t < 50; t++) {
  const x = tf.tensor2d(inputs[t], [B, D]);
  const y = tf.tensor2d(targets[t], [B, 1]);
  const hPrev = h;
  const loss = optimizer.minimize(() => {
    const hNew = tf.tanh(tf.add(tf.matMul(x, wx), tf.matMul(hPrev, wh)));
    return tf.losses.meanSquaredError(y, tf.matMul(hNew, wo));
  }, true);
  // Advance the state with the updated weights (truncated backprop: the state is a constant above).
  h = tf.tidy(() => tf.keep(tf.tanh(tf.add(tf.matMul(x, wx), tf.matMul(hPrev, wh)))));
  hPrev.dispose();
  const emaNew = tf.tidy(() => tf.add(tf.mul(ema, 0.9), tf.mul(wo, 0.1)));
  ema.dispose();
  ema = tf.keep(emaNew);
  x.dispose();
  y.dispose();
  const hMean = tf.tidy(() => tf.mean(tf.abs(h)));
  console.log(`t ${t} loss ${f(loss.dataSync()[0])} |h| ${f(hMean.dataSync()[0])}`);
  hMean.dispose();
  loss.dispose();
}
console.log(`h ${Array.from(h.dataSync().slice(0, 4)).map(f).join(' ')}`);
console.log(`ema ${Array.from(ema.dataSync().slice(0, 4)).map(f).join(' ')}`);
for (const [n, v] of [['wx', wx], ['wh', wh], ['wo', wo]]) console.log(`${n} sum ${f(v.sum().dataSync()[0])}`);
console.log(`tensors ${tf.memory().numTensors}`);
