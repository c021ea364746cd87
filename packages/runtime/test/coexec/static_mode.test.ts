/**
 * Static mode (the tf.function-style baseline) replays one recorded iteration by position. Its answers
 * may be wrong on dynamic programs, but a replay that stops matching must fall back, not crash.
 */
import { hookState } from '../../src/hooks';
import { data, differential, expectAgreement, tf } from './harness';

test('static mode: a kernel that differs mid-iteration from the recording runs eagerly and is reported', async () => {
  // Two optimizers: the recorded iteration is a G step, so every D step replays it and differs after a
  // few kernels (both begin with a matmul; the next kernel differs).
  const r = await differential((log) => {
    const g = tf.variable(data(1, [4, 4], 0.3));
    const d = tf.variable(data(2, [4, 4], 0.3));
    const optG = tf.train.sgd(0.05);
    const optD = tf.train.sgd(0.05);
    const real = data(3, [6, 4]);
    const noise = data(4, [6, 4]);
    for (let step = 0; step < 6; step++) {
      const lossD = optD.minimize(() => tf.mean(tf.sigmoid(tf.matMul(real, d))) as tf.Scalar, true, [d])!;
      const lossG = optG.minimize(() => tf.mean(tf.tanh(tf.matMul(noise, g))) as tf.Scalar, true, [g])!;
      log(lossD.dataSync()[0], lossG.dataSync()[0]);
      tf.dispose([lossD, lossG]);
    }
  }, { mode: 'static' });
  expect(r.coexec.length).toBe(r.eager.length);
  expect(r.stats.divergenceCount).toBeGreaterThan(0);
  const mid = r.stats.divergences.find((v) => v.index > 0);
  expect(mid).toBeDefined();
  expect(mid!.expected.length).toBe(1);
  expect(mid!.expected[0]).not.toBe(mid!.kernel);
});

test('static mode: when a loop inside the first step ended an iteration, a whole optimizer step is recorded', async () => {
  // The inner loop issues kernels in each iteration, so the boundary finder takes it for the training
  // loop during the first step, until that step completes; the iteration it cut off is not a whole step.
  const loopIteration = hookState();
  const r = await differential((log) => {
    const w = tf.variable(data(1, [4, 4], 0.3));
    const opt = tf.train.sgd(0.05);
    const x = data(2, [3, 4]);
    for (let step = 0; step < 6; step++) {
      const loss = opt.minimize(() => {
        let h = tf.matMul(x, w);
        for (let k = 0; k < 2; k++) {
          if (loopIteration.on) loopIteration.it('inner');
          h = tf.tanh(tf.matMul(h, w));
        }
        return tf.mean(h) as tf.Scalar;
      }, true)!;
      log(loss.dataSync()[0]);
      loss.dispose();
    }
  }, { mode: 'static' });
  expect(r.stats.iterations.byCause.loop).toBe(1);
  expect(r.stats.divergenceCount).toBe(0);
  expectAgreement(r);
});

test('static mode: a call with the recorded kernel name but other input shapes is not replayed (it ran with the recorded shapes and crashed)', async () => {
  // After some steps, an evaluation on one example: its first kernel is a Reshape like the step's,
  // to another shape; replayed with the recorded output shape, the gather after it failed in ORT.
  const r = await differential((log) => {
    const w = tf.variable(data(1, [6, 3], 0.3));
    const opt = tf.train.sgd(0.1);
    for (let step = 0; step < 5; step++) {
      const ids = tf.tensor1d([0, 1, 2, 3, 4, 5, 0, 1], 'int32');
      const loss = opt.minimize(() => tf.gather(w, ids.reshape([8])).sum() as tf.Scalar, true)!;
      log(loss.dataSync()[0]);
      tf.dispose([loss, ids]);
      if (step === 3) {
        const one = tf.tensor2d([[2]], [1, 1], 'int32');
        const picked = tf.tidy(() => tf.gather(w, one.reshape([1])).sum());
        log(picked.dataSync()[0]);
        tf.dispose([one, picked]);
      }
    }
  }, { mode: 'static' });
  expectAgreement(r);
  expect(r.stats.divergences.some((d) => d.kernel === 'Reshape' && d.index === 0)).toBe(true);
});
