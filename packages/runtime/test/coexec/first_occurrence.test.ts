/**
 * A new segment's first occurrence: by default the GraphRunner runs its kernels one by one on the
 * single-kernel sessions eager execution uses, while the optimizer worker creates the session (nothing
 * waits for a compile); later occurrences run as the segment, waiting for the session if it is not ready
 * yet. Which occurrence runs where does not depend on timing, so the counts below are exact. With
 * firstOccurrence 'host' the first occurrence runs on the host; with 'wait' it waits for the session.
 */
import { data, differential, expectAgreement, tf } from './harness';

const STEPS = 8;

const training = (steps = STEPS) => async (log: (...v: Array<number | ArrayLike<number>>) => void): Promise<void> => {
  const w = [0, 1].map((i) => tf.variable(data(80 + i, [32, 32], 0.1)));
  const x = data(90, [16, 32]);
  const opt = tf.train.adam(0.01);
  for (let step = 0; step < steps; step++) {
    const loss = opt.minimize(() => tf.mean(tf.square(tf.tanh(tf.matMul(tf.tanh(tf.matMul(x, w[0])), w[1])))) as tf.Scalar, true)!;
    log(loss.dataSync()[0]);
    loss.dispose();
  }
  log(w[0].dataSync(), w[1].dataSync());
  x.dispose();
};

test('by default, the first co-executed step runs kernel by kernel in the GraphRunner while its segment compiles; every later step as the segment', async () => {
  const r = await differential(training());
  expectAgreement(r);
  const co = r.stats.iterations.coexecuted;
  expect(co).toBeGreaterThan(2);
  expect(r.stats.segments.compiled).toBe(1);
  expect(r.stats.segments.kernelPrograms).toBe(1);
  // Every co-executed step ran ahead: the first as the kernel program, JS never computing its kernels.
  expect(r.stats.kernels.whileCompiling).toBe(0);
  expect(r.stats.runAhead.stretches).toBe(co);
  expect(r.stats.segments.runs).toBe(co);
  expect(r.stats.kernels.delegated + r.stats.kernels.kernelByKernel).toBe(r.stats.runAhead.kernels);
  expect(r.stats.kernels.delegated / (co - 1)).toBe(r.stats.kernels.kernelByKernel);
});

test('a kernel program computes what the host does, bit for bit', async () => {
  const traced = (await differential(training())).stats.iterations.traced;
  // One co-executed step, its segment's first occurrence: every logged value is eager execution's exactly.
  const once = await differential(training(traced + 1));
  expect(once.stats.iterations.coexecuted).toBe(1);
  expect(once.stats.kernels.kernelByKernel).toBeGreaterThan(0);
  expect(once.coexec).toEqual(once.eager);
  // And a longer run gives the same values whether its first occurrence ran in the GraphRunner or on the host.
  const [kernels, host] = [await differential(training()), await differential(training(), { firstOccurrence: 'host' })];
  expect(kernels.coexec).toEqual(host.coexec);
});

test("with firstOccurrence 'host', the first co-executed step runs on the host while its segment compiles; every later step runs ahead as the segment", async () => {
  const r = await differential(training(), { firstOccurrence: 'host' });
  expectAgreement(r);
  const co = r.stats.iterations.coexecuted;
  expect(co).toBeGreaterThan(2);
  expect(r.stats.segments.compiled).toBe(1);
  // The step's stretch was met first in the first co-executed step: all its kernels ran on the host.
  expect(r.stats.kernels.whileCompiling).toBeGreaterThan(0);
  expect(r.stats.runAhead.stretches).toBe(co - 1);
  expect(r.stats.segments.runs).toBe(co - 1);
  expect(r.stats.kernels.delegated).toBe(r.stats.runAhead.kernels);
  expect(r.stats.kernels.delegated / (co - 1)).toBe(r.stats.kernels.whileCompiling);
});

test("with firstOccurrence 'wait', every co-executed step runs as the segment", async () => {
  const r = await differential(training(), { firstOccurrence: 'wait' });
  expectAgreement(r);
  const co = r.stats.iterations.coexecuted;
  expect(r.stats.kernels.whileCompiling).toBe(0);
  expect(r.stats.kernels.kernelByKernel).toBe(0);
  expect(r.stats.runAhead.stretches).toBe(co);
  expect(r.stats.segments.runs).toBe(co);
});
