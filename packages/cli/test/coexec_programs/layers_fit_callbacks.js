// A tfjs-layers model trained with model.fit and callbacks (onBatchEnd, onEpochEnd printing logs),
// then predict and evaluate. A plain tfjs program.
const tf = require('@tensorflow/tfjs');

let seed = 2718;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const f = (v) => v.toFixed(6);

const N = 64, D = 8, C = 3;
const xs = [];
const ys = [];
for (let i = 0; i < N; i++) {
  const label = Math.floor(rand() * C);
  for (let j = 0; j < D; j++) xs.push(2 * rand() - 1 + (j % C === label ? 0.8 : 0));
  ys.push(label);
}
const x = tf.tensor2d(xs, [N, D]);
const y = tf.oneHot(tf.tensor1d(ys, 'int32'), C);
const xVal = x.slice([0, 0], [16, D]);
const yVal = y.slice([0, 0], [16, C]);

const init = (s) => tf.initializers.glorotUniform({ seed: s });
const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [D], units: 16, activation: 'relu', kernelInitializer: init(1) }),
    tf.layers.dense({ units: 16, activation: 'tanh', kernelInitializer: init(2) }),
    tf.layers.dense({ units: C, activation: 'softmax', kernelInitializer: init(3) }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

async function main() {
  const history = await model.fit(x, y, {
    epochs: 8,
    batchSize: 16,
    shuffle: false,
    validationData: [xVal, yVal],
    verbose: 0,
    callbacks: {
      onBatchEnd: async (batch, logs) => console.log(`batch ${batch} loss ${f(logs.loss)} acc ${f(logs.acc)}`),
      onEpochEnd: async (epoch, logs) => console.log(`epoch ${epoch} loss ${f(logs.loss)} val_loss ${f(logs.val_loss)} val_acc ${f(logs.val_acc)}`),
    },
  });
  console.log(`history ${history.history.loss.map(f).join(' ')}`);
  const pred = model.predict(xVal);
  const classes = pred.argMax(1).dataSync();
  console.log(`pred ${Array.from(classes).join('')} p0 ${Array.from(pred.dataSync().slice(0, 3)).map(f).join(' ')}`);
  const [loss, acc] = model.evaluate(x, y, { batchSize: 32 });
  console.log(`evaluate loss ${f(loss.dataSync()[0])} acc ${f(acc.dataSync()[0])}`);
  for (const w of model.getWeights()) console.log(`${w.shape.join('x')} sum ${f(w.sum().dataSync()[0])}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
