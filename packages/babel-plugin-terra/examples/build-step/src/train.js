// A tiny linear regression written for plain tfjs; nothing in it knows about Terra.
const tf = require('@tensorflow/tfjs');

function data(n) {
  const xs = [];
  const ys = [];
  for (let i = 0; i < n; i++) {
    const x = i / n;
    xs.push(x);
    ys.push(3 * x - 1);
  }
  return { x: tf.tensor2d(xs, [n, 1]), y: tf.tensor2d(ys, [n, 1]) };
}

function main() {
  const { x, y } = data(32);
  const w = tf.variable(tf.scalar(0));
  const b = tf.variable(tf.scalar(0));
  const optimizer = tf.train.sgd(0.5);
  for (let step = 0; step < 200; step++) {
    const loss = optimizer.minimize(() => tf.losses.meanSquaredError(y, x.mul(w).add(b)), true);
    if (step % 50 === 0) console.log(`step ${step} loss ${loss.dataSync()[0].toFixed(5)}`);
    loss.dispose();
  }
  console.log(`backend ${tf.getBackend()} w ${w.dataSync()[0].toFixed(3)} b ${b.dataSync()[0].toFixed(3)}`);
}

main();
