/**
 * Shape-general segments: batches of one structure in other shapes (a proposal count, a sequence length
 * that changes per step) share one session once a third shape shows the sizes keep changing, instead of a
 * compile each; a program alternating between two shapes keeps its specialized segments. The program
 * trains on k rows per step, k drawn from a growing set, through a reshape whose target shape names k:
 * Reshape's shape attr is fed to the general segment per run.
 */
import { coexecution } from '@terrajs/runtime';
import { DifferentialResult, Program, data, differential, expectAgreement, prng, tf } from './harness';

const rowsPerStep = (steps: number, lengths: (step: number) => number[]): Program => (log) => {
  const w = tf.variable(data(1, [6, 4], 0.4));
  const b = tf.variable(data(2, [4], 0.1));
  const opt = tf.train.sgd(0.05);
  const rand = prng(5);
  for (let step = 0; step < steps; step++) {
    const choices = lengths(step);
    const k = choices[Math.floor(rand() * choices.length)];
    const x = tf.tensor2d(Array.from({ length: k * 6 }, (_, i) => Math.sin(i * 0.7 + step)), [k, 6]);
    const loss = opt.minimize(() => {
      const h = tf.tanh(tf.add(tf.matMul(x, w), b));
      // Reshape to a shape naming k, then back through a -1: both attrs change with k.
      const grid = tf.reshape(h, [k, 2, 2]);
      const flat = tf.reshape(tf.mul(grid, grid), [-1, 4]);
      return tf.mean(tf.sum(flat, 1)) as tf.Scalar;
    }, true)!;
    log(loss.dataSync()[0]);
    loss.dispose();
    x.dispose();
  }
  log(w.dataSync(), b.dataSync());
};

/**
 * The run agrees with eager execution and compiled a shape-general segment, with nothing failed: no
 * compile, and no run in the worker replayed eagerly (a recovered run gives the right values too).
 */
function expectGeneralSegments(r: DifferentialResult): DifferentialResult['stats'] {
  expectAgreement(r);
  const { segments } = r.stats;
  expect(segments.failed).toBe(0);
  expect(segments.recovered).toBe(0);
  expect(segments.general).toBeGreaterThanOrEqual(1);
  return r.stats;
}

test('steps in new shapes run on one shape-general segment, with the values eager execution gives', async () => {
  // Two lengths while co-execution starts, then eight, each coming back: a new shape is a new path at
  // first (a divergence); its later steps co-execute, on the general segment.
  const lengths = (step: number) => (step < 10 ? [3, 5] : [3, 4, 5, 6, 7, 8, 9, 10]);
  const r = await differential(rowsPerStep(70, lengths));
  const { segments } = expectGeneralSegments(r);
  // The first two lengths have specialized segments, the third compiles the general one; the other five
  // share it, each of which had a compile of its own before.
  expect(segments.sharedShapes).toBeGreaterThanOrEqual(5);
  expect(segments.compiled).toBeLessThan(segments.sharedShapes);
  // Dumps list each compiled segment once, however many batch keys share it.
  expect(r.segments.map((s) => s.name)).toEqual([...new Set(r.segments.map((s) => s.name))]);
  expect(r.segments).toHaveLength(segments.compiled);
});

test('a program alternating between two shapes keeps a specialized segment for each', async () => {
  const r = await differential(rowsPerStep(40, () => [3, 5]));
  expectAgreement(r);
  expect(r.stats.segments.general).toBe(0);
  expect(r.stats.segments.sharedShapes).toBe(0);
});

test('a program whose shapes never change compiles no shape-general segment', async () => {
  const r = await differential(rowsPerStep(20, () => [4]));
  expectAgreement(r);
  expect(r.stats.segments.general).toBe(0);
  expect(r.stats.segments.sharedShapes).toBe(0);
});

describe("a structure's new shape", () => {
  // Rows are 3 in every step but those listed, which take 5: the first of those is a new path (a
  // divergence, traced); at the next one the path co-executes, in shapes its structure has not run in.
  const program = (fives: number[]) => rowsPerStep(40, (step) => (fives.includes(step) ? [5] : [3]));

  test('runs kernel by kernel without a compile when it is seen once co-executed', async () => {
    const once = await differential(program([20, 26]));
    expectAgreement(once);
    const steady = await differential(program([20]));
    expectAgreement(steady);
    expect(once.stats.segments.deferred).toBeGreaterThanOrEqual(1);
    expect(once.stats.segments.kernelPrograms).toBe(steady.stats.segments.kernelPrograms + once.stats.segments.deferred);
    expect(once.stats.segments.compiled).toBe(steady.stats.segments.compiled);
  });

  test('gets a specialized segment when it comes again', async () => {
    const once = await differential(program([20, 26]));
    const twice = await differential(program([20, 26, 32]));
    expectAgreement(twice);
    expect(once.stats.segments.deferred).toBeGreaterThanOrEqual(1);
    expect(twice.stats.segments.deferred).toBe(once.stats.segments.deferred);
    expect(twice.stats.segments.compiled).toBe(once.stats.segments.compiled + once.stats.segments.deferred);
    expect(twice.stats.segments.general).toBe(0);
  });
});

test("slices whose begin and size follow the length share one shape-general segment (Slice's attrs fed per run)", async () => {
  // A decoder's sampling loop in miniature: each step runs on a window one longer than the last, slicing
  // a position table to its length and reading the last row's logits back.
  const decode: Program = async (log) => {
    const table = data(3, [12, 4], 0.5);
    const w = data(4, [4, 4], 0.3);
    for (let pass = 0; pass < 3; pass++) {
      for (let len = 1; len <= 10; len++) {
        const last = tf.tidy(() => {
          const x = tf.tensor2d(Array.from({ length: len * 4 }, (_, i) => Math.cos(i + pass)), [len, 4]);
          const h = tf.tanh(tf.matMul(x.add(tf.slice(table, [0, 0], [len, 4])), w));
          return tf.slice(h, [len - 1, 0], [1, 4]);
        });
        log(await last.data());
        last.dispose();
        coexecution.markIteration();
      }
    }
  };
  const r = await differential(decode);
  const { segments } = expectGeneralSegments(r);
  // Ten lengths: two specialized at most, one general, and the lengths after the third share it.
  expect(segments.sharedShapes).toBeGreaterThanOrEqual(6);
  expect(segments.compiled).toBeLessThanOrEqual(4);
});
