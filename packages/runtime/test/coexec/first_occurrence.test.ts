/**
 * A new segment's first occurrence: by default it runs as the segment, queued in the GraphRunner's worker
 * behind the session's creation (JS goes on). With an optimizer (segments optimized), whose answer the
 * session must wait for, the GraphRunner runs its kernels one by one on the single-kernel sessions eager
 * execution uses, and later occurrences wait for the optimizer if it has not answered yet. Which
 * occurrence runs where does not depend on timing, so the counts below are exact. With firstOccurrence
 * 'host' the first occurrence runs on the host; with 'wait' it waits for the optimizer.
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

test('by default, every co-executed step runs as the segment, the first queued behind its session', async () => {
  const r = await differential(training());
  expectAgreement(r);
  const co = r.stats.iterations.coexecuted;
  expect(co).toBeGreaterThan(2);
  expect(r.stats.segments.compiled).toBe(1);
  expect(r.stats.segments.kernelPrograms).toBe(0);
  expect(r.stats.kernels.whileCompiling + r.stats.kernels.kernelByKernel).toBe(0);
  expect(r.stats.runAhead.stretches).toBe(co);
  expect(r.stats.segments.runs).toBe(co);
  expect(r.stats.kernels.delegated).toBe(r.stats.runAhead.kernels);
});

test('with an optimizer, the first co-executed step runs kernel by kernel in the GraphRunner while the optimizer works; every later step as the segment', async () => {
  const r = await differential(training(), { segmentOptimization: 'basic' });
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
  const optimized = { segmentOptimization: 'basic' } as const;
  const once = await differential(training(traced + 1), optimized);
  expect(once.stats.iterations.coexecuted).toBe(1);
  expect(once.stats.kernels.kernelByKernel).toBeGreaterThan(0);
  expect(once.coexec).toEqual(once.eager);
  // And a longer run gives the same values whether its first occurrence ran in the GraphRunner or on the host.
  const [kernels, host] = [await differential(training(), optimized), await differential(training(), { ...optimized, firstOccurrence: 'host' })];
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

describe('a batch first seen once co-execution is under way', () => {
  // Training every step; at the steps listed, an evaluation pass too, read back: a path of its own that
  // the steady steps never take (an evaluation every few epochs, a branch taken on a rare value).
  const withEvaluations = (evaluations: number[]) => async (log: (...v: Array<number | ArrayLike<number>>) => void): Promise<void> => {
    const w = tf.variable(data(81, [32, 32], 0.1));
    const x = data(91, [16, 32]);
    const held = data(92, [4, 32]);
    const opt = tf.train.sgd(0.05);
    for (let step = 0; step < 30; step++) {
      if (evaluations.includes(step)) log(tf.tidy(() => tf.sigmoid(tf.matMul(tf.matMul(held, w), w)).sum().dataSync()[0]));
      const loss = opt.minimize(() => tf.mean(tf.square(tf.tanh(tf.matMul(x, w)))) as tf.Scalar, true)!;
      log(loss.dataSync()[0]);
      loss.dispose();
    }
    log(w.dataSync());
    tf.dispose([x, held]);
  };

  test('runs kernel by kernel without a compile; the steady path compiled at once', async () => {
    const steady = await differential(withEvaluations([]));
    expectAgreement(steady);
    expect(steady.stats.segments.deferred).toBe(0);
    expect(steady.stats.segments.compiled).toBe(1);
    // The evaluation at step 14 is a divergence: a new path, traced. The next step's batches are cut
    // where JS writes its scalars (no stretch runs ahead of a path just learned), into pieces no steady
    // step has: each runs kernel by kernel, and only the steady step's segment is compiled.
    const learned = await differential(withEvaluations([14]));
    expectAgreement(learned);
    expect(learned.stats.segments.deferred).toBeGreaterThan(0);
    expect(learned.stats.segments.compiled).toBe(1);
  });

  test('is compiled when it comes again', async () => {
    const learned = await differential(withEvaluations([14]));
    // At step 20 the evaluation co-executes, and the step after it is cut into the same pieces again.
    const again = await differential(withEvaluations([14, 20]));
    expectAgreement(again);
    expect(again.stats.segments.compiled).toBeGreaterThan(learned.stats.segments.compiled);
  });
});
