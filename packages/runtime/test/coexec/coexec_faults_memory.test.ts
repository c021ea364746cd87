/**
 * Co-execution under faults and over long runs: a run that fails in the worker is recomputed eagerly
 * with no state lost, and thousands of iterations leave every structure the same size.
 */
import { coexecution } from '@terrajs/runtime';
import { activeCoexecutor } from '../../src/coexec/session';
import { data, differential, expectAgreement, tf } from './harness';

describe('faults', () => {
  test.each([1, 5, 9])('a segment run that fails at step %i is replayed eagerly; results equal eager execution', async (failAt) => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const r = await differential((log) => {
        const w = tf.variable(data(1, [4, 3], 0.5));
        const x = data(2, [6, 4]);
        const opt = tf.train.adam(0.05);
        for (let step = 0; step < 14; step++) {
          if (activeCoexecutor() && step === failAt + 4) activeCoexecutor()!._faultForTests('fail-next-run');
          const loss = opt.minimize(() => tf.mean(tf.square(tf.matMul(x, w))) as tf.Scalar, true)!;
          // Reading only every third step: the failure is found by a later dispatch, not by the read.
          if (step % 3 === 0) log(loss.dataSync()[0]);
          loss.dispose();
        }
        log(w.dataSync());
      });
      expectAgreement(r);
      expect(r.stats.segments.recovered).toBeGreaterThan(0);
      const said = stderr.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('recomputed eagerly'));
      expect(said.length).toBe(1);
    } finally {
      stderr.mockRestore();
    }
  });
});

test('a worker that dies mid-run: the next read stops the program with one clear error', async () => {
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  await tf.setBackend('terra');
  coexecution.start();
  try {
    const w = tf.variable(data(7, [3, 3], 0.5));
    const x = data(8, [2, 3]);
    const opt = tf.train.sgd(0.1);
    let caught: Error | undefined;
    for (let step = 0; step < 12 && !caught; step++) {
      const loss = opt.minimize(() => tf.sum(tf.square(tf.matMul(x, w))) as tf.Scalar, true)!;
      if (step === 8) activeCoexecutor()!._faultForTests('exit');
      try {
        loss.dataSync();
      } catch (e) {
        caught = e as Error;
      }
      loss.dispose();
    }
    expect(caught?.message).toMatch(/^terra: the GraphRunner worker stopped \(.*\); the tensors it held, variables among them, are lost/);
    expect(stderr.mock.calls.filter((c) => String(c[0]).includes('GraphRunner worker stopped')).length).toBe(1);
    x.dispose();
  } finally {
    await coexecution.stop();
    tf.disposeVariables();
    stderr.mockRestore();
  }
});

describe('memory', () => {
  test('3000 co-executed training iterations: tensors, worker values and co-execution state stay flat', async () => {
    await tf.setBackend('terra');
    coexecution.start();
    try {
      const w1 = tf.variable(data(3, [8, 16], 0.3));
      const w2 = tf.variable(data(4, [16, 2], 0.3));
      const x = data(5, [4, 8]);
      const y = data(6, [4, 2]);
      const opt = tf.train.adam(0.01);
      const samples: Array<{ step: number; tensors: number; buffers: number; footprint: ReturnType<typeof coexecution.footprint> }> = [];
      for (let step = 1; step <= 3000; step++) {
        const batch = tf.add(x, step % 7); // a fresh JS-side tensor every step (a feed)
        const loss = opt.minimize(() => tf.losses.meanSquaredError(y, tf.matMul(tf.relu(tf.matMul(batch, w1)), w2)) as tf.Scalar, true)!;
        if (step % 50 === 0) loss.dataSync();
        loss.dispose();
        batch.dispose();
        if (step === 500 || step === 3000) {
          samples.push({ step, tensors: tf.memory().numTensors, buffers: tf.memory().numDataBuffers, footprint: coexecution.footprint() });
        }
      }
      const [early, late] = samples;
      expect(late.tensors).toBe(early.tensors);
      expect(late.buffers).toBe(early.buffers);
      expect(late.footprint).toEqual(early.footprint);
      expect(coexecution.stats()!.iterations.coexecuted).toBeGreaterThan(2900);
      tf.dispose([x, y]);
      opt.dispose();
    } finally {
      await coexecution.stop();
      tf.disposeVariables();
    }
  });
});

test('a program with no iteration boundary: traces are dropped at the cap, memory stays bounded, results equal eager', async () => {
  const r = await differential((log) => {
    let h = data(30, [1, 4]);
    const w = data(31, [4, 4], 0.4);
    for (let i = 0; i < 300; i++) {
      const next = tf.tidy(() => tf.tanh(tf.matMul(h, w)));
      h.dispose();
      h = next;
      if (i % 50 === 0) log(h.dataSync());
    }
    log(h.dataSync());
    tf.dispose([h, w]);
  }, { maxTraceKernels: 100, boundaries: { loops: false } });
  expect(r.coexec).toEqual(r.eager);
  expect(r.stats.iterations.total).toBe(0);
  expect(r.stats.iterations.discarded).toBeGreaterThan(3);
});
