// An exception thrown and caught mid-iteration: kernels before the throw take effect, later ones do
// not. Also errors thrown by tfjs itself (a shape mismatch before any kernel; a kernel's, on an index out of
// range) and a throw inside tf.tidy. A plain tfjs program.
const tf = require('@tensorflow/tfjs');

let seed = 555;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const f = (v) => v.toFixed(6);
const randn = (n, scale = 1) => Array.from({ length: n }, () => (2 * rand() - 1) * scale);

const N = 16, D = 8;
const x = tf.tensor2d(randn(N * D), [N, D]);
const y = tf.tensor2d(randn(N), [N, 1]);
const w = tf.variable(tf.tensor2d(randn(D, 0.3), [D, 1]), true, 'w');
const counter = tf.variable(tf.scalar(1), false, 'counter');
const optimizer = tf.train.sgd(0.05);

class Skip extends Error {}

function postStep(step) {
  counter.assign(tf.add(counter, 1));            // takes effect even when the step throws below
  if (step % 6 === 4) throw new Skip(`skip ${step}`);
  counter.assign(tf.mul(counter, 0.5));          // skipped when thrown
}

for (let step = 0; step < 50; step++) {
  const loss = optimizer.minimize(() => tf.losses.meanSquaredError(y, tf.matMul(x, w)), true);
  try {
    postStep(step);
  } catch (e) {
    if (!(e instanceof Skip)) throw e;
    console.log(`caught ${e.message}`);
  }
  if (step % 10 === 7) {
    // tfjs throws before issuing the kernel; the tidy scope is unwound.
    try {
      tf.tidy(() => {
        const a = tf.mul(w, 2);
        return tf.matMul(a, tf.ones([3, 3]));
      });
    } catch (e) {
      console.log(`tfjs error at ${step}: ${e.message.split(':')[0]}`);
    }
  }
  // The gather's kernel throws on the index's value every fifth step (first after co-execution started).
  try {
    const row = tf.tidy(() => tf.gather(w, tf.tensor1d([step % 5 === 3 ? D + step : step % D], 'int32')).dataSync()[0]);
    console.log(`row ${f(row)}`);
  } catch (e) {
    console.log(`kernel error at ${step}: ${e.message}`);
  }
  let thrown = false;
  try {
    tf.tidy(() => {
      const z = tf.sum(tf.square(w));
      if (z.dataSync()[0] > 0.4) throw new RangeError('norm');
      return z;
    }).dispose();
  } catch (e) {
    thrown = e instanceof RangeError;
  }
  console.log(`step ${step} loss ${f(loss.dataSync()[0])} counter ${f(counter.dataSync()[0])} big ${thrown}`);
  loss.dispose();
}
console.log(`w ${Array.from(w.dataSync()).map(f).join(' ')}`);
console.log(`counter ${f(counter.dataSync()[0])} tensors ${tf.memory().numTensors}`);
