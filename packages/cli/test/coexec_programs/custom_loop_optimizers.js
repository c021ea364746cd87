// A custom training loop computing gradients with tf.variableGrads, tf.grads, tf.valueAndGrads and
// tf.customGrad, applying them with sgd, momentum, adamax, adagrad and adadelta (one variable set
// each). A plain tfjs program.
const tf = require('@tensorflow/tfjs');

let seed = 16180;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const f = (v) => v.toFixed(6);
const randn = (n, scale = 1) => Array.from({ length: n }, () => (2 * rand() - 1) * scale);

const N = 12, D = 8;
const x = tf.tensor2d(randn(N * D), [N, D]);
const y = tf.tensor2d(randn(N, 0.7), [N, 1]);
const mk = (name) => ({ w: tf.variable(tf.tensor2d(randn(D, 0.3), [D, 1]), true, `${name}_w`), b: tf.variable(tf.scalar(0), true, `${name}_b`) });
const sets = { sgd: mk('sgd'), momentum: mk('momentum'), adamax: mk('adamax'), adagrad: mk('adagrad'), adadelta: mk('adadelta') };
const opts = {
  sgd: tf.train.sgd(0.05),
  momentum: tf.train.momentum(0.02, 0.9, true),
  adamax: tf.train.adamax(0.05),
  adagrad: tf.train.adagrad(0.2),
  adadelta: tf.train.adadelta(0.1),
};
const predict = (s, input) => tf.add(tf.matMul(input, s.w), s.b);
const mse = (p) => tf.mean(tf.square(tf.sub(p, y)));

// A clipped identity: forward unchanged, gradient clipped to [-0.5, 0.5].
const clipGrad = tf.customGrad((a, save) => {
  save([a]);
  return { value: tf.clone(a), gradFunc: (dy) => tf.clipByValue(dy, -0.5, 0.5) };
});

for (let step = 0; step < 30; step++) {
  const line = [];
  // sgd: tf.variableGrads
  {
    const { value, grads } = tf.variableGrads(() => mse(predict(sets.sgd, x)), [sets.sgd.w, sets.sgd.b]);
    opts.sgd.applyGradients(grads);
    line.push(value.dataSync()[0]);
    tf.dispose([value, grads]);
  }
  // momentum: tf.grads with respect to the weights' values
  {
    const s = sets.momentum;
    const [gw, gb] = tf.grads((w, b) => mse(tf.add(tf.matMul(x, w), b)))([s.w, s.b]);
    opts.momentum.applyGradients([{ name: s.w.name, tensor: gw }, { name: s.b.name, tensor: gb }]);
    const l = tf.tidy(() => mse(predict(s, x)));
    line.push(l.dataSync()[0]);
    tf.dispose([gw, gb, l]);
  }
  // adamax: tf.valueAndGrads
  {
    const s = sets.adamax;
    const { value, grads } = tf.valueAndGrads((w, b) => mse(tf.add(tf.matMul(x, w), b)))([s.w, s.b]);
    opts.adamax.applyGradients({ [s.w.name]: grads[0], [s.b.name]: grads[1] });
    line.push(value.dataSync()[0]);
    tf.dispose([value, ...grads]);
  }
  // adagrad: tf.customGrad inside the loss, gradients by tf.variableGrads
  {
    const s = sets.adagrad;
    const { value, grads } = tf.variableGrads(() => mse(clipGrad(predict(s, x))), [s.w, s.b]);
    opts.adagrad.applyGradients(grads);
    line.push(value.dataSync()[0]);
    tf.dispose([value, grads]);
  }
  // adadelta: minimize
  {
    const s = sets.adadelta;
    const value = opts.adadelta.minimize(() => mse(predict(s, x)), true, [s.w, s.b]);
    line.push(value.dataSync()[0]);
    value.dispose();
  }
  console.log(`step ${step} ${line.map(f).join(' ')}`);
}
for (const [name, s] of Object.entries(sets)) {
  console.log(`${name} w ${Array.from(s.w.dataSync().slice(0, 3)).map(f).join(' ')} sum ${f(s.w.sum().dataSync()[0])} b ${f(s.b.dataSync()[0])}`);
}
