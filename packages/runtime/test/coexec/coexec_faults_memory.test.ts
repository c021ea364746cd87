/**
 * Co-execution under faults and over long runs: a run that fails in the worker is recomputed eagerly
 * with no state lost, and thousands of iterations leave every structure the same size.
 */
import { coexecution } from '@terrajs/runtime';
import { activeCoexecutor } from '../../src/coexec/session';
import { CHECKPOINT_RUNS } from '../../src/coexec/lineage';
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

describe('the worker dies', () => {
  // Before any checkpoint (everything replays from the start), and after several (replay from the last).
  test.each([8, 150])('at step %i: values are rebuilt on the host, the program goes on eagerly, results equal eager', async (dieAt) => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const r = await differential((log) => {
        const w1 = tf.variable(data(7, [3, 5], 0.5));
        const w2 = tf.variable(data(8, [5, 2], 0.5));
        const x = data(9, [4, 3]);
        const opt = tf.train.adam(0.02);
        for (let step = 0; step < dieAt + 20; step++) {
          const loss = opt.minimize(() => tf.mean(tf.square(tf.matMul(tf.tanh(tf.matMul(x, w1)), w2))) as tf.Scalar, true)!;
          if (step === dieAt) activeCoexecutor()?._faultForTests('exit');
          if (step % 7 === 0 || step > dieAt) log(loss.dataSync()[0]);
          loss.dispose();
        }
        log(w1.dataSync(), w2.dataSync());
        x.dispose();
      });
      expect(r.coexec.length).toBe(r.eager.length);
      r.eager.forEach((v, i) => expect(Math.abs(v - r.coexec[i])).toBeLessThan(1e-4 * (1 + Math.abs(v))));
      expect(r.stats.workerDied).toBeDefined();
      if (dieAt > 2 * CHECKPOINT_RUNS) expect(r.stats.checkpoints).toBeGreaterThan(0);
      expect(r.stats.iterations.coexecuted).toBeGreaterThan(0);
      const said = stderr.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('GraphRunner worker stopped'));
      expect(said.length).toBe(1);
      expect(said[0]).toContain('no state was lost');
    } finally {
      stderr.mockRestore();
    }
  });
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
      // The lineage holds the runs since the last checkpoint: bounded, not the same at every step.
      const { lineage: earlyRuns, ...earlyRest } = early.footprint!;
      const { lineage: lateRuns, ...lateRest } = late.footprint!;
      expect(lateRest).toEqual(earlyRest);
      expect(Math.max(earlyRuns, lateRuns)).toBeLessThanOrEqual(2 * CHECKPOINT_RUNS);
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
