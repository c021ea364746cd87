// model.fitDataset on a tf.data pipeline (tf.data.array(...).map().batch() and tf.data.generator),
// then trainOnBatch in a plain loop. A plain tfjs program.
const tf = require('@tensorflow/tfjs');

let seed = 314;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const f = (v) => v.toFixed(6);

const N = 40, D = 6;
const rows = [];
for (let i = 0; i < N; i++) {
  const feats = Array.from({ length: D }, () => 2 * rand() - 1);
  rows.push({ feats, target: feats[0] * 0.8 - feats[2] * 0.5 + 0.1 });
}

const init = (s) => tf.initializers.glorotUniform({ seed: s });
const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [D], units: 16, activation: 'relu', kernelInitializer: init(7) }),
    tf.layers.dense({ units: 1, kernelInitializer: init(8) }),
  ],
});
model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });

async function main() {
  const ds = tf.data.array(rows)
    .map((r) => ({ xs: tf.tensor1d(r.feats), ys: tf.tensor1d([r.target]) }))
    .batch(8);
  await model.fitDataset(ds, {
    epochs: 5,
    verbose: 0,
    callbacks: { onEpochEnd: async (epoch, logs) => console.log(`fitDataset epoch ${epoch} loss ${f(logs.loss)}`) },
  });
  // A generator-backed dataset, a second fitDataset with batchesPerEpoch.
  function* gen() {
    for (let i = 0; ; i++) {
      const r = rows[i % N];
      yield { xs: tf.tensor1d(r.feats), ys: tf.tensor1d([r.target]) };
    }
  }
  await model.fitDataset(tf.data.generator(gen).batch(8), {
    epochs: 2,
    batchesPerEpoch: 5,
    verbose: 0,
    callbacks: { onBatchEnd: async (batch, logs) => console.log(`generator batch ${batch} loss ${f(logs.loss)}`) },
  });
  // trainOnBatch in a plain loop.
  for (let step = 0; step < 20; step++) {
    const start = (step * 8) % N;
    const chunk = rows.slice(start, start + 8);
    const xb = tf.tensor2d(chunk.map((r) => r.feats));
    const yb = tf.tensor2d(chunk.map((r) => [r.target]));
    const loss = await model.trainOnBatch(xb, yb);
    console.log(`trainOnBatch ${step} loss ${f(loss)}`);
    tf.dispose([xb, yb]);
  }
  const test = tf.tensor2d(rows.slice(0, 4).map((r) => r.feats));
  console.log(`predict ${Array.from(model.predict(test).dataSync()).map(f).join(' ')}`);
  for (const w of model.getWeights()) console.log(`${w.shape.join('x')} sum ${f(w.sum().dataSync()[0])}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
