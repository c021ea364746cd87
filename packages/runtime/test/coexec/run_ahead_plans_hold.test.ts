/**
 * A run-ahead plan holds while the TraceGraph nodes it was read from stay as they were: a new path that
 * leaves the graph elsewhere does not make the plans of the paths it does not touch be built again.
 * The program reads a value in the middle of each step (a sync point) and chooses what follows from it:
 * a region of interest of k rows, where new lengths k keep coming. The step's first stretch, up to the
 * read, is the same on every path and is planned once.
 */
import { Program, data, differential, expectAgreement, prng, tf } from './harness';

/** SGD steps whose second half takes k rows, k drawn from `lengths(step)`, after reading the first half's loss. */
const readThenChoose = (steps: number, lengths: (step: number) => number[]): Program => (log) => {
  const w1 = tf.variable(data(1, [6, 4], 0.4));
  const w2 = tf.variable(data(2, [4], 0.4));
  const x = data(3, [8, 6]);
  const opt = tf.train.sgd(0.02);
  const rand = prng(11);
  for (let step = 0; step < steps; step++) {
    const choices = lengths(step);
    const k = choices[Math.floor(rand() * choices.length)];
    const loss = opt.minimize(() => {
      const hidden = tf.tanh(tf.matMul(x, w1));
      const first = tf.mean(tf.square(hidden));
      const seen = first.dataSync()[0];
      // Written after the read, of the same shape on every path: where the first stretch stops.
      const scale = tf.tensor1d([1, 0.5, 0.25, seen]);
      const gate = tf.mul(scale, w2);
      const rows = tf.tensor2d(Array.from({ length: k * 4 }, (_, i) => Math.sin(i + seen)), [k, 4]);
      return tf.add(first, tf.mean(tf.square(tf.mul(rows, gate)))) as tf.Scalar;
    }, true)!;
    log(loss.dataSync()[0]);
    loss.dispose();
  }
  log(w1.dataSync(), w2.dataSync());
};

test('new paths after a read leave the plans before it standing', async () => {
  // Two lengths for the first steps, then a new length every few steps.
  const steps = 36;
  const lengths = (step: number) => (step < 12 ? [2, 3] : [2, 3, 2 + Math.floor(step / 4)]);
  const r = await differential(readThenChoose(steps, lengths));
  expectAgreement(r);
  const { runAhead, iterations } = r.stats;
  expect(iterations.diverged).toBeGreaterThan(3);
  expect(runAhead.stretches).toBeGreaterThan(iterations.coexecuted);
  // Each new length adds a path, and plans of its own second half (the step's first kernel after the
  // read is where the paths branch: its plan follows the latest path); the first half's plan is built
  // once. 24 plans here; 52 when every change to the graph had every plan built again.
  expect(runAhead.plans).toBeLessThanOrEqual(30);
});
