// `if` and `while` on values read with dataSync/arraySync, and an early `break` out of the training loop
// once the loss falls below a threshold. A plain tfjs program.
const tf = require('@tensorflow/tfjs');

let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const f = (v) => v.toFixed(6);

const N = 16, D = 8;
const xs = Array.from({ length: N * D }, () => 2 * rand() - 1);
const trueW = Array.from({ length: D }, () => 2 * rand() - 1);
const ys = [];
for (let i = 0; i < N; i++) {
  let t = 0.3;
  for (let j = 0; j < D; j++) t += xs[i * D + j] * trueW[j];
  ys.push(t);
}
const x = tf.tensor2d(xs, [N, D]);
const y = tf.tensor2d(ys, [N, 1]);
const w = tf.variable(tf.zeros([D, 1]), true, 'w');
const b = tf.variable(tf.zeros([1]), true, 'b');
const optimizer = tf.train.sgd(0.08);

let steps = 0;
for (let step = 0; step < 80; step++) {
  const loss = optimizer.minimize(() => tf.losses.meanSquaredError(y, tf.add(tf.matMul(x, w), b)), true);
  const l = loss.dataSync()[0];
  loss.dispose();
  steps++;
  console.log(`step ${step} loss ${f(l)}`);
  if (l > 0.05) {
    // Far from the optimum: read the predictions and print the worst residual.
    const res = tf.tidy(() => tf.abs(tf.sub(tf.add(tf.matMul(x, w), b), y)));
    const arr = res.arraySync();
    res.dispose();
    let worst = 0;
    for (let i = 1; i < N; i++) if (arr[i][0] > arr[worst][0]) worst = i;
    console.log(`  worst ${worst} ${f(arr[worst][0])}`);
  } else {
    const bias = b.dataSync()[0];
    console.log(`  bias ${f(bias)}`);
  }
  // Shrink the weights while their largest magnitude exceeds a bound.
  let shrinks = 0;
  for (;;) {
    const m = tf.tidy(() => tf.max(tf.abs(w)));
    const mv = m.dataSync()[0];
    m.dispose();
    if (!(mv > 0.7 && shrinks < 3)) break;
    w.assign(tf.tidy(() => tf.mul(w, 0.97)));
    shrinks++;
  }
  let k = 0;
  while (k < shrinks) k++;
  if (shrinks > 0) console.log(`  shrinks ${k}`);
  if (l < 0.04) {
    console.log(`break at ${step}`);
    break;
  }
}
console.log(`steps ${steps}`);
console.log(`w ${Array.from(w.dataSync()).map(f).join(' ')}`);
console.log(`b ${f(b.dataSync()[0])}`);
