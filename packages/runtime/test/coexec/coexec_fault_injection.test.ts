/**
 * Faults injected into co-execution, beyond coexec_faults_memory.test.ts (a failed run at one step, the
 * worker exiting): the worker killed while a segment runs, sessions that cannot be created, runs that
 * fail while JS awaits them, every run failing from some step on (the way an exhausted allocator
 * fails in ONNX Runtime: session.run throws), and exceptions thrown by the program in the middle of
 * a step that was already dispatched ahead. In each, every value read and every variable at the end
 * (the optimizers' slot variables included) equals eager execution: no update is lost or half made.
 */
import { activeCoexecutor } from '../../src/coexec/session';
import { data, differential, expectAgreement, tf } from './harness';

type Fault = 'fail-next-run' | 'exit' | 'throw' | 'terminate';

function inject(fault: Fault): void {
  // 'throw' and 'terminate' are GraphRunner crash kinds the co-executor passes through unchanged.
  activeCoexecutor()?._faultForTests(fault as 'exit');
}

/** Every registered variable (model weights and optimizer slots), in registration order. */
function allVariables(log: (...v: Array<ArrayLike<number>>) => void): void {
  for (const v of Object.values(tf.engine().registeredVariables)) log(v.dataSync());
}

/** Captures terra's one-line notices on stderr. */
async function withNotices<T>(f: () => Promise<T>): Promise<{ result: T; notices: string[] }> {
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const result = await f();
    return { result, notices: spy.mock.calls.map((c) => String(c[0])).filter((m) => m.startsWith('terra: ')) };
  } finally {
    spy.mockRestore();
  }
}

/** A training loop heavy enough (3 layers of 96x96, batch 32) that a step's segment runs for a while. */
function heavyLoop(steps: number, during: (step: number) => void, async = false) {
  return async (log: (...v: Array<number | ArrayLike<number>>) => void) => {
    const w = [0, 1, 2].map((i) => tf.variable(data(40 + i, [96, 96], 0.1)));
    const x = data(50, [32, 96]);
    const opt = tf.train.adam(0.01);
    for (let step = 0; step < steps; step++) {
      const loss = opt.minimize(() => {
        let h: tf.Tensor = tf.matMul(x, w[0]);
        // The step's stretch was dispatched at its first kernel: this is inside the running segment.
        during(step);
        h = tf.tanh(h);
        for (const wi of w.slice(1)) h = tf.tanh(tf.matMul(h, wi));
        return tf.mean(tf.square(h)) as tf.Scalar;
      }, true)!;
      log(async ? (await loss.data())[0] : loss.dataSync()[0]);
      loss.dispose();
    }
    allVariables(log);
    x.dispose();
  };
}

describe('the worker killed while a segment runs', () => {
  test.each(['terminate', 'throw'] as const)('%s: every value is rebuilt on the host, the run goes on eagerly, all variables equal eager', async (how) => {
    const { result: r, notices } = await withNotices(() => differential(heavyLoop(18, (step) => {
      if (step === 11) inject(how);
    })));
    expect(r.coexec).toHaveLength(r.eager.length);
    r.eager.forEach((v, i) => expect(Math.abs(v - r.coexec[i])).toBeLessThan(1e-4 * (1 + Math.abs(v))));
    expect(r.stats.workerDied).toBeDefined();
    expect(r.stats.iterations.coexecuted).toBeGreaterThan(0);
    expect(notices.filter((m) => m.includes('GraphRunner worker stopped'))).toHaveLength(1);
  });

  test('killed while JS awaits a value (data()): the await gets the value rebuilt on the host', async () => {
    const { result: r } = await withNotices(() => differential(heavyLoop(20, (step) => {
      if (step === 12) inject('exit');
    }, true)));
    expect(r.coexec).toHaveLength(r.eager.length);
    r.eager.forEach((v, i) => expect(Math.abs(v - r.coexec[i])).toBeLessThan(1e-4 * (1 + Math.abs(v))));
    expect(r.stats.workerDied).toBeDefined();
  });
});

describe('sessions that cannot be created', () => {
  test('an execution provider ONNX Runtime does not have: every segment runs eagerly instead, said once, results equal eager', async () => {
    const { result: r, notices } = await withNotices(() => differential(heavyLoop(12, () => undefined), { executionProviders: ['cuda'] }));
    expect(r.coexec).toEqual(r.eager);
    expect(r.stats.segments.failed).toBeGreaterThan(0);
    expect(r.stats.segments.compiled).toBe(0);
    // JS did not wait for the sessions: the first occurrences ran kernel by kernel in the GraphRunner
    // (on eager execution's cpu sessions) before the GraphRunner's worker failed to create them; later
    // occurrences of the segments were replayed on the host.
    expect(r.stats.kernels.kernelByKernel).toBeGreaterThan(0);
    expect(r.stats.kernels.replayed).toBeGreaterThan(0);
    const said = notices.filter((m) => m.includes('could not be compiled'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/ONNX Runtime could not create the session/);
    // The failed runs are that same failure: not said a second time.
    expect(notices.filter((m) => m.includes('recomputed eagerly'))).toEqual([]);
  });
});

// The optimizer works only when the segments are optimized.
describe('the optimizer worker', () => {
  test('dead from the start: the GraphRunner worker creates every session itself, results equal eager', async () => {
    const { result: r } = await withNotices(() => differential(heavyLoop(10, (step) => {
      if (step === 0) activeCoexecutor()?._faultForTests('optimizer-exit');
    }), { segmentOptimization: 'basic' }));
    expectAgreement(r);
    expect(r.stats.workerDied).toBeUndefined();
    expect(r.stats.segments.failed).toBe(0);
    expect(r.stats.segments.compiled).toBeGreaterThan(0);
    expect(r.stats.compile!.withoutOptimizer).toBe(r.stats.segments.compiled);
    // Nothing ran on the host for want of a session: the GraphRunner's worker created the sessions, and
    // first occurrences ran kernel by kernel or, once the optimizer was known dead, queued behind them.
    expect(r.stats.kernels.whileCompiling).toBe(0);
    expect(r.stats.kernels.delegated).toBeGreaterThan(0);
  });

  test('terminated while it optimizes the first segment: no compile is left waiting, results equal eager', async () => {
    let stopped = false;
    const { result: r } = await withNotices(() => differential(heavyLoop(10, () => {
      // The first co-executed step's stretch went to the optimizer at its first kernel, just before this.
      const co = activeCoexecutor();
      if (!stopped && co?.compiling()) {
        stopped = true;
        co._faultForTests('optimizer-terminate');
      }
    }), { segmentOptimization: 'basic' }));
    expect(stopped).toBe(true);
    expectAgreement(r);
    expect(r.stats.segments.failed).toBe(0);
    expect(r.stats.segments.compiled).toBeGreaterThan(0);
    expect(r.stats.kernels.delegated).toBeGreaterThan(0);
  });
});

describe('runs that fail', () => {
  test('a run fails while JS awaits its value (data()): recomputed eagerly, the await resolves with the right value', async () => {
    const { result: r, notices } = await withNotices(() => differential(heavyLoop(16, (step) => {
      if (step === 9) inject('fail-next-run');
    }, true)));
    expectAgreement(r);
    expect(r.stats.segments.recovered).toBeGreaterThan(0);
    expect(notices.filter((m) => m.includes('recomputed eagerly'))).toHaveLength(1);
  });

  test('every run fails from step 8 on (as when ONNX Runtime cannot allocate): each is replayed, said once, results equal eager', async () => {
    const { result: r, notices } = await withNotices(() => differential(heavyLoop(18, (step) => {
      if (step >= 8) inject('fail-next-run');
    })));
    expectAgreement(r);
    // At least the run of every step from 9 on (step 8's was posted before its fault was injected).
    expect(r.stats.segments.recovered).toBeGreaterThanOrEqual(9);
    expect(notices.filter((m) => m.includes('recomputed eagerly'))).toHaveLength(1);
  });

  test('with run-ahead off: a failed batch dispatched at a read is replayed; results equal eager', async () => {
    const { result: r } = await withNotices(() => differential(heavyLoop(14, (step) => {
      if (step === 10) inject('fail-next-run');
    }), { runAhead: false }));
    expectAgreement(r);
    expect(r.stats.runAhead.stretches).toBe(0);
    expect(r.stats.segments.recovered).toBeGreaterThan(0);
  });
});

describe('exceptions thrown by the program mid-step', () => {
  // The whole step (forward, backward, the optimizer's updates) is dispatched ahead as one segment;
  // a throw inside the loss function means tfjs applies no update, so none of the dispatched updates
  // may reach the variables or the optimizer's slots.
  test('a throw inside the loss function after the step was dispatched ahead: no variable is updated', async () => {
    const r = await differential((log) => {
      const w1 = tf.variable(data(60, [16, 32], 0.2));
      const w2 = tf.variable(data(61, [32, 4], 0.2));
      const x = data(62, [8, 16]);
      const opt = tf.train.adam(0.02);
      for (let step = 0; step < 24; step++) {
        try {
          const loss = opt.minimize(() => {
            const h = tf.relu(tf.matMul(x, w1));
            if (step % 5 === 4) throw new Error(`abort step ${step}`);
            return tf.mean(tf.square(tf.matMul(h, w2))) as tf.Scalar;
          }, true)!;
          log(loss.dataSync()[0]);
          loss.dispose();
        } catch (e) {
          log(-step);
        }
        // Between two steps of a second optimizer on the same variables, a throw after its forward pass.
        if (step % 7 === 6) {
          try {
            tf.train.sgd(0.1).minimize(() => {
              const y = tf.sum(tf.matMul(x, w1));
              if (y.dataSync()[0] > -1e9) throw new Error('after a read');
              return y as tf.Scalar;
            });
          } catch {
            log(-100);
          }
        }
      }
      allVariables(log);
      x.dispose();
    });
    expectAgreement(r);
    expect(r.stats.runAhead.abandoned).toBeGreaterThan(0);
  });
});
