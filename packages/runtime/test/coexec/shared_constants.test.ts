/**
 * Small constants JS writes every step (the scalars tfjs makes of number operands, an optimizer's
 * hyperparameters) are uploaded to the worker once each and shared, however many a program has; a value
 * that changes every step is uploaded every step and never held twice.
 */
import { Program, data, differential, expectAgreement, tf } from './harness';

const STEPS = 30;

const manyScalars: Program = (log) => {
  const w = tf.variable(data(1, [8, 4], 0.3));
  const x = data(2, [5, 8], 1);
  const opt = tf.train.adam(0.01);
  for (let step = 0; step < STEPS; step++) {
    const loss = opt.minimize(() => {
      // Ten number operands, each a scalar tensor written from JS in every step.
      let h = tf.matMul(x, w).mul(0.5).add(0.001).mul(0.999).sub(1e-7).add(-0.0002);
      h = tf.maximum(h.mul(0.2), h).mul(128).div(512).sub(-0.5).mul(2);
      // One that changes every step.
      return tf.mean(tf.square(h)).mul(1 + step / 1000) as tf.Scalar;
    }, true)!;
    log(loss.dataSync()[0]);
    loss.dispose();
  }
  log(w.dataSync());
};

test('recurring scalars are fed once each, a changing one every step, with the values eager execution gives', async () => {
  const r = await differential(manyScalars);
  expectAgreement(r);
  const { feeds, iterations } = r.stats;
  expect(iterations.coexecuted).toBeGreaterThanOrEqual(STEPS - 6);
  // About 20 constants (the program's ten, Adam's, tfjs's own), each fed twice (its first sighting is its
  // tensor's own upload), the changing scalar once per step, and a few values produced on the host: about
  // 64. Fed every step, the constants alone would be over 500; the changing scalar fed again by each batch
  // that uses it, 90.
  expect(feeds).toBeLessThan(2 * STEPS + 10);
});
