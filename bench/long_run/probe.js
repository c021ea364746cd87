// Preloaded after @terrajs/cli/register by bench/long_run.js (`node -r ... -r probe.js fixture steps`):
// samples memory, tensors, co-execution's footprint and time per step every LONG_RUN_EVERY optimizer
// steps of an unmodified fixture, and writes the samples to LONG_RUN_OUT at exit.
const fs = require('fs');
const tf = require('@tensorflow/tfjs');
const { coexecution } = require('@terrajs/runtime');
const { sampler } = require('./sampler');

const every = Number(process.env.LONG_RUN_EVERY || 500);
const sample = sampler(tf, coexecution);
const minimize = tf.Optimizer.prototype.minimize;
let steps = 0;
tf.Optimizer.prototype.minimize = function (...args) {
  const out = minimize.apply(this, args);
  if (++steps % every === 0) sample(steps);
  return out;
};
process.on('exit', () => {
  fs.writeFileSync(process.env.LONG_RUN_OUT, JSON.stringify({ steps, samples: sample.samples, stats: coexecution.stats() }));
});
