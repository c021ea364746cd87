// A generator yielding batches, an async generator, and async/await inside the training loop (await
// tensor.data(), await a Promise resolved by setImmediate). A plain tfjs program.
const tf = require('@tensorflow/tfjs');

let seed = 8080;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const f = (v) => v.toFixed(6);
const randn = (n, scale = 1) => Array.from({ length: n }, () => (2 * rand() - 1) * scale);

const N = 64, D = 8, C = 3, B = 16;
const X = randn(N * D);
const labels = Array.from({ length: N }, (_, i) => (X[i * D] > 0.3 ? 0 : X[i * D + 1] > 0 ? 1 : 2));

function* batches(epochs) {
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < N; i += B) {
      const x = tf.tensor2d(X.slice(i * D, (i + B) * D), [B, D]);
      const y = tf.oneHot(tf.tensor1d(labels.slice(i, i + B), 'int32'), C);
      yield { epoch: e, x, y };
    }
  }
}

async function* evalBatches() {
  for (let i = 0; i < N; i += B) {
    await new Promise((resolve) => setImmediate(resolve));
    yield tf.tensor2d(X.slice(i * D, (i + B) * D), [B, D]);
  }
}

const w1 = tf.variable(tf.tensor2d(randn(D * 16, 0.4), [D, 16]), true, 'w1');
const w2 = tf.variable(tf.tensor2d(randn(16 * C, 0.4), [16, C]), true, 'w2');
const model = (x) => tf.matMul(tf.relu(tf.matMul(x, w1)), w2);
const optimizer = tf.train.adam(0.03);

async function main() {
  let step = 0;
  for (const { epoch, x, y } of batches(10)) {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model(x)), true);
    await new Promise((resolve) => setImmediate(resolve));
    const [l] = await loss.data();
    const pred = tf.tidy(() => tf.argMax(model(x), 1));
    const p = await pred.array();
    console.log(`epoch ${epoch} step ${step} loss ${f(l)} pred ${p.slice(0, 8).join('')}`);
    tf.dispose([loss, pred, x, y]);
    step++;
  }
  let correct = 0;
  let i = 0;
  for await (const x of evalBatches()) {
    const pred = tf.tidy(() => tf.argMax(model(x), 1));
    const p = await pred.data();
    for (let j = 0; j < p.length; j++) correct += p[j] === labels[i * B + j] ? 1 : 0;
    tf.dispose([x, pred]);
    i++;
  }
  console.log(`accuracy ${correct}/${N}`);
  console.log(`w1 sum ${f((await w1.sum().data())[0])} w2 sum ${f((await w2.sum().data())[0])}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
