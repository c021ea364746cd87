// Inference only, no optimizer: a hand-written forward pass and a tfjs-layers model.predict in a
// `for` loop over fresh inputs, reading decisions every iteration. A plain tfjs program.
const tf = require('@tensorflow/tfjs');

let seed = 4040;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const f = (v) => v.toFixed(6);
const randn = (n, scale = 1) => Array.from({ length: n }, () => (2 * rand() - 1) * scale);

const B = 8, D = 16, H = 32, C = 5;
const w1 = tf.tensor2d(randn(D * H, 0.3), [D, H]);
const b1 = tf.tensor1d(randn(H, 0.1));
const w2 = tf.tensor2d(randn(H * C, 0.3), [H, C]);
const init = (s) => tf.initializers.glorotUniform({ seed: s });
const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [D], units: 24, activation: 'relu', kernelInitializer: init(11) }),
    tf.layers.dense({ units: C, activation: 'softmax', kernelInitializer: init(12) }),
  ],
});

let total = tf.zeros([C]);
const counts = new Array(C).fill(0);
for (let step = 0; step < 40; step++) {
  const x = tf.tensor2d(randn(B * D), [B, D]);
  const probs = tf.tidy(() => tf.softmax(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2)));
  const decisions = tf.tidy(() => tf.argMax(probs, 1));
  const other = model.predict(x);
  const agree = tf.tidy(() => tf.sum(tf.cast(tf.equal(decisions, tf.argMax(other, 1)), 'int32')));
  const d = decisions.dataSync();
  for (const c of d) counts[c]++;
  const next = tf.add(total, tf.sum(probs, 0));
  total.dispose();
  total = next;
  console.log(`step ${step} decisions ${Array.from(d).join('')} top ${f(probs.max().dataSync()[0])} agree ${agree.dataSync()[0]} p00 ${f(other.dataSync()[0])}`);
  tf.dispose([x, probs, decisions, other, agree]);
}
console.log(`counts ${counts.join(' ')}`);
console.log(`total ${Array.from(total.dataSync()).map(f).join(' ')}`);
console.log(`tensors ${tf.memory().numTensors}`);
