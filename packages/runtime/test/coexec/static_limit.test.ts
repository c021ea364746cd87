/**
 * The static-limit facility: co-execution records the segment runs of one co-executed iteration
 * (profileIteration) and staticLimit() times them back to back on ORT. The recorded inputs must be
 * the values the worker really used: running the recorded segments again gives the loss JS read.
 */
import { coexecution } from '@terrajs/runtime';
import { activeCoexecutor } from '../../src/coexec/session';
import type { ProfiledIteration } from '../../src/coexec/iteration_profile';
import { OrtTensorClass, SyncSession } from '../../src/ort/sync_session';
import { data, tf } from './harness';

const STEPS = 12;

/** An SGD MLP; returns the losses read each step and each variable's values before each step. */
function train(): { losses: number[]; before: Float32Array[][] } {
  const vars = [tf.variable(data(1, [6, 12], 0.3)), tf.variable(data(2, [12, 3], 0.3))];
  const x = data(10, [8, 6]);
  const y = data(11, [8, 3]);
  const opt = tf.train.sgd(0.1);
  const losses: number[] = [];
  const before: Float32Array[][] = [];
  for (let step = 0; step < STEPS; step++) {
    before.push(vars.map((v) => v.dataSync() as Float32Array));
    const loss = opt.minimize(() => tf.losses.meanSquaredError(y, tf.matMul(tf.relu(tf.matMul(x, vars[0])), vars[1])), true)!;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  tf.dispose([x, y]);
  opt.dispose();
  return { losses, before };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((v, i) => Math.abs(v - b[i]) <= 1e-5 * (1 + Math.abs(v)));

beforeAll(async () => {
  await tf.setBackend('terra');
});

afterEach(async () => {
  await coexecution.stop();
  tf.disposeVariables();
});

test('records a whole co-executed iteration with its real inputs, and times it', async () => {
  coexecution.start({ profileIteration: 2 });
  const { losses, before } = train();
  const profile = activeCoexecutor()!.profile!.result() as ProfiledIteration;
  expect('error' in profile).toBe(false);
  const stats = coexecution.stats()!;
  // The second co-executed iteration: iterations are numbered from 1, the first also holding the setup.
  expect(profile.iteration).toBe(stats.iterations.traced + 2);
  expect(profile.runs.length).toBeGreaterThan(0);
  expect(profile.delegated).toBeGreaterThan(0);
  const step = profile.iteration - 1;

  // The weights the iteration started from are among its runs' inputs.
  const inputs = profile.runs.flatMap((r) => r.inputs);
  for (const w of before[step]) expect(inputs.some((v) => close(v.data, w))).toBe(true);
  // Running the recorded segments again on their recorded inputs gives the loss JS read in that step.
  const outputs: number[] = [];
  for (const r of profile.runs) {
    const session = new SyncSession(r.model, profile.sessionOptions);
    for (const t of session.run(r.inputs.map((v) => new OrtTensorClass(v.dtype, v.data, v.shape)))) {
      if (t.size === 1) outputs.push(Number(t.data[0]));
    }
    session.dispose();
  }
  expect(outputs.some((v) => Math.abs(v - losses[step]) <= 1e-5)).toBe(true);

  const limit = coexecution.staticLimit({ repeats: 3, minSampleMs: 1 });
  if ('error' in limit) throw new Error(limit.error);
  expect(limit.samples).toHaveLength(3);
  expect(limit.msPerIteration).toBeGreaterThan(0);
  expect(limit.iteration).toBe(profile.iteration);
  expect(limit.runs.map((r) => r.segment)).toEqual(profile.runs.map((r) => r.segment));
  expect(limit.runs.flatMap((r) => r.inputs.map((i) => i.shape))).toContainEqual([6, 12]);
  expect(limit.inputs).toBe('recorded');
});

test('says why there is nothing to time', async () => {
  coexecution.start();
  expect(coexecution.staticLimit()).toEqual({ error: expect.stringContaining('profileIteration') });
  await coexecution.stop();
  // Two iterations end while the TraceGraph is still being traced: none is co-executed.
  coexecution.start({ profileIteration: 1 });
  const v = tf.variable(tf.ones([3]));
  const opt = tf.train.sgd(0.1);
  for (let i = 0; i < 2; i++) opt.minimize(() => tf.sum(tf.mul(v, v)) as tf.Scalar);
  expect(coexecution.staticLimit()).toEqual({ error: expect.stringContaining('no iteration was co-executed') });
  opt.dispose();
});
