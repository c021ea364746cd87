/**
 * The static-limit facility: co-execution records the segment runs of one co-executed iteration
 * (profileIteration) and staticLimit() times them back to back on ORT. The recorded inputs must be
 * the values the worker really used: running the recorded segments again gives the loss JS read.
 */
import { coexecution } from '@terrajs/runtime';
import { activeCoexecutor } from '../../src/coexec/session';
import { IterationProfile, ProfiledIteration } from '../../src/coexec/iteration_profile';
import type { CoexecCounters } from '../../src/coexec/counters';
import type { HostValue } from '../../src/graph_runner/protocol';
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

describe('which iteration is kept', () => {
  const counters = (total: number, coexecuted: number) =>
    ({ iterations: { total, coexecuted }, kernels: { delegated: 10 * total, kernelByKernel: total, breaks: 0 } }) as unknown as CoexecCounters;
  const value = (x: number): HostValue => ({ dtype: 'float32', shape: [1], data: new Float32Array([x]) });
  const model = new Uint8Array(0);

  test('the latest whole one among the first n co-executed iterations', () => {
    const p = new IterationProfile(2, {});
    p.boundary(counters(3, 0), true); // iterations 1-3 traced; 4 is co-executed
    p.run('s0', model, [1], () => value(4));
    p.boundary(counters(4, 1), true);
    p.run('s0', model, [1], () => value(5));
    p.boundary(counters(5, 2), true);
    p.run('s0', model, [1], () => value(6)); // the third is not recorded
    p.boundary(counters(6, 3), true);
    const r = p.result() as ProfiledIteration;
    expect(r.iteration).toBe(5);
    expect(r.runs.map((run) => run.inputs[0].data[0])).toEqual([5]);
    // In segments, and kernel by kernel (a segment's first occurrence, recorded as the segment's run).
    expect(r.delegated).toBe(11);
  });

  test('iterations that diverged are not kept, and recording goes on until one runs whole', () => {
    const p = new IterationProfile(1, {});
    p.boundary(counters(3, 0), true);
    p.run('s0', model, [1], () => value(4));
    p.boundary(counters(4, 0), true); // iteration 4 diverged
    p.run('s1', model, [1], () => value(5));
    p.boundary(counters(5, 0), true); // so did 5
    p.run('s0', model, [1], () => value(6));
    p.boundary(counters(6, 1), true);
    p.run('s0', model, [1], () => value(7));
    p.boundary(counters(7, 2), true);
    expect((p.result() as ProfiledIteration).iteration).toBe(6);
  });

  test('a read that fails stops the profile, saying why', () => {
    const p = new IterationProfile(1, {});
    p.boundary(counters(3, 0), true);
    p.run('s0', model, [1], () => { throw new Error('value 1 is not held'); });
    p.boundary(counters(4, 1), true);
    expect(p.result()).toEqual({ error: expect.stringContaining('value 1 is not held') });
  });
});
