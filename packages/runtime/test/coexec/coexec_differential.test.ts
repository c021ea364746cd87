/**
 * Co-execution against eager execution, in process: each program runs both ways and must report the
 * same values, and must really have co-executed. Boundaries here come from optimizer steps and the
 * explicit marker (the plugin's loop hooks are covered by the CLI's differential suite).
 */
import { coexecution } from '@terrajs/runtime';
import { data, differential, expectAgreement, prng, tf } from './harness';

function mlp(seed: number, sizes: number[]): tf.Variable[] {
  const vars: tf.Variable[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) vars.push(tf.variable(data(seed + i, [sizes[i], sizes[i + 1]], 0.3)));
  return vars;
}

function forward(vars: tf.Variable[], x: tf.Tensor): tf.Tensor {
  let h = x;
  vars.forEach((w, i) => {
    h = tf.matMul(h, w);
    if (i + 1 < vars.length) h = tf.relu(h);
  });
  return h;
}

const OPTIMIZERS: Array<[string, () => tf.Optimizer]> = [
  ['sgd', () => tf.train.sgd(0.1)],
  ['momentum', () => tf.train.momentum(0.05, 0.9)],
  ['adam', () => tf.train.adam(0.01)],
  ['adamax', () => tf.train.adamax(0.01)],
  ['rmsprop', () => tf.train.rmsprop(0.01)],
  ['adagrad', () => tf.train.adagrad(0.1)],
  ['adadelta', () => tf.train.adadelta(1)],
];

describe('co-execution agrees with eager execution', () => {
  test.each(OPTIMIZERS)('a training loop with %s (minimize), losses read every step', async (_, make) => {
    const r = await differential((log) => {
      const vars = mlp(1, [6, 12, 3]);
      const x = data(10, [8, 6]);
      const y = data(11, [8, 3]);
      const opt = make();
      for (let step = 0; step < 12; step++) {
        const loss = opt.minimize(() => tf.losses.meanSquaredError(y, forward(vars, x)), true)!;
        log(loss.dataSync()[0]);
        loss.dispose();
      }
      for (const v of vars) log(v.dataSync());
      opt.dispose();
    });
    expectAgreement(r);
    expect(r.stats.iterations.diverged).toBe(0);
    // Steps were dispatched ahead of JS (run-ahead), and JS's calls claimed them.
    expect(r.stats.runAhead.stretches).toBeGreaterThan(0);
    expect(r.stats.runAhead.kernels).toBeGreaterThan(0);
  });

  test('the same loop with run-ahead off: segments dispatched only at sync points', async () => {
    const r = await differential((log) => {
      const vars = mlp(1, [6, 12, 3]);
      const x = data(10, [8, 6]);
      const y = data(11, [8, 3]);
      const opt = tf.train.adam(0.01);
      for (let step = 0; step < 12; step++) {
        const loss = opt.minimize(() => tf.losses.meanSquaredError(y, forward(vars, x)), true)!;
        log(loss.dataSync()[0]);
        loss.dispose();
      }
      for (const v of vars) log(v.dataSync());
    }, { runAhead: false });
    expectAgreement(r);
    expect(r.stats.runAhead.stretches).toBe(0);
  });

  test('run-ahead: a value JS keeps that the prediction left inside the graph is recomputed; a stretch left mid-way is abandoned', async () => {
    const r = await differential((log) => {
      const w = data(25, [4, 4], 0.5);
      let state = data(26, [2, 4]);
      for (let step = 0; step < 16; step++) {
        let kept: tf.Tensor | undefined;
        try {
          const next = tf.tidy(() => {
            const a = tf.matMul(state, w);
            const b = tf.exp(tf.neg(tf.abs(a)));
            // Once, an intermediate outlives the tidy: every earlier trace saw it die inside the segment.
            if (step === 9) kept = tf.keep(b);
            // Once, the iteration stops half-way: the kernels issued so far take effect, the rest never run.
            if (step === 12) throw new Error('stop half-way');
            return tf.tanh(tf.add(b, tf.sum(b)));
          });
          state.dispose();
          state = next;
        } catch {
          log(-1);
        }
        log(state.dataSync());
        if (kept) {
          log(kept.dataSync());
          kept.dispose();
        }
        coexecution.markIteration();
      }
      tf.dispose([w, state]);
    });
    expectAgreement(r);
    expect(r.stats.runAhead.recomputed).toBeGreaterThan(0);
    expect(r.stats.runAhead.abandoned).toBeGreaterThan(0);
  });

  test('variableGrads, grads, valueAndGrads and customGrad with applyGradients; tidy, keep and dispose', async () => {
    const r = await differential((log) => {
      const [w] = mlp(2, [4, 4]);
      const x = data(12, [5, 4]);
      const opt = tf.train.sgd(0.05);
      const square = tf.customGrad((a: tf.Tensor, save: tf.GradSaveFunc) => {
        save([a]);
        return { value: tf.square(a), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.mul(saved[0], 2)) };
      });
      let kept: tf.Tensor | undefined;
      for (let step = 0; step < 10; step++) {
        const { value, grads } = tf.variableGrads(() => tf.mean(square(tf.matMul(x, w) as tf.Tensor) as tf.Tensor) as tf.Scalar);
        const g2 = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(a, a)))([x]);
        const [v3, g3] = (() => { const r3 = tf.valueAndGrads((a: tf.Tensor) => tf.sum(tf.sin(a)))([x]); return [r3.value, r3.grads[0]]; })();
        opt.applyGradients(grads);
        tf.tidy(() => {
          const inner = tf.tidy(() => tf.keep(tf.add(value, 1)));
          kept?.dispose();
          kept = tf.keep(tf.mul(inner, 2));
        });
        log(value.dataSync()[0], tf.sum(g2[0]).dataSync()[0], v3.dataSync()[0], tf.sum(g3).dataSync()[0], kept!.dataSync()[0]);
        tf.dispose([value, ...Object.values(grads), ...g2, v3, g3]);
      }
      kept?.dispose();
      log(w.dataSync());
    });
    expectAgreement(r);
  });

  test('a path chosen per iteration by a seeded PRNG diverges, is learned, and co-executes when seen again', async () => {
    const r = await differential((log) => {
      const vars = mlp(3, [5, 8, 2]);
      const x = data(13, [6, 5]);
      const y = data(14, [6, 2]);
      const opt = tf.train.adam(0.02);
      const rand = prng(99);
      for (let step = 0; step < 40; step++) {
        const extra = rand() < 0.3;
        const loss = opt.minimize(() => {
          const base = tf.losses.meanSquaredError(y, forward(vars, x));
          return extra ? tf.add(base, tf.mul(0.01, tf.sum(tf.square(vars[0])))) as tf.Scalar : base as tf.Scalar;
        }, true)!;
        log(loss.dataSync()[0]);
        loss.dispose();
      }
      for (const v of vars) log(v.dataSync());
    });
    expectAgreement(r);
    expect(r.stats.divergenceCount).toBeGreaterThan(0);
    expect(r.stats.graph!.branches).toBeGreaterThan(0);
  });

  test('values read mid-iteration steer if/while and an early break; async reads', async () => {
    const r = await differential(async (log) => {
      const [w] = mlp(4, [3, 3]);
      const x = data(15, [4, 3]);
      const opt = tf.train.sgd(0.1);
      for (let step = 0; step < 60; step++) {
        const loss = opt.minimize(() => tf.mean(tf.square(tf.matMul(x, w))) as tf.Scalar, true)!;
        const value = (await loss.data())[0];
        log(value);
        let n = 0;
        let t = tf.abs(w).max();
        while (t.dataSync()[0] > 0.05 && n < 3) {
          const next = tf.mul(t, 0.5);
          t.dispose();
          t = next;
          n++;
        }
        log(n, t.dataSync()[0]);
        t.dispose();
        loss.dispose();
        if (value < 1e-3) break;
      }
      log(w.dataSync());
    });
    expectAgreement(r);
  });

  test('tensors carried across iterations outside variables, in objects and a Map', async () => {
    const r = await differential((log) => {
      const [w] = mlp(5, [4, 4]);
      const opt = tf.train.sgd(0.05);
      const state: { h: tf.Tensor } = { h: tf.zeros([2, 4]) };
      const history = new Map<number, tf.Tensor>();
      const input = data(16, [2, 4]);
      for (let step = 0; step < 16; step++) {
        const loss = opt.minimize(() => tf.mean(tf.square(tf.sub(tf.tanh(tf.add(tf.matMul(state.h, w), input)), 0.5))) as tf.Scalar, true)!;
        const h = tf.tidy(() => tf.tanh(tf.add(tf.matMul(state.h, w), input)));
        state.h.dispose();
        state.h = h;
        history.set(step % 3, tf.clone(h));
        if (history.size === 3 && step % 3 === 2) {
          const avg = tf.addN([...history.values()]).div(3);
          log(avg.dataSync());
          avg.dispose();
          for (const t of history.values()) t.dispose();
          history.clear();
        }
        log(loss.dataSync()[0]);
        loss.dispose();
      }
      for (const t of history.values()) t.dispose();
      log(state.h.dataSync(), w.dataSync());
      state.h.dispose();
    });
    expectAgreement(r);
  });

  test('an exception mid-iteration: kernels before the throw take effect, later ones do not', async () => {
    const r = await differential((log) => {
      const v = tf.variable(tf.ones([3]));
      const opt = tf.train.sgd(0.1);
      for (let step = 0; step < 14; step++) {
        const loss = opt.minimize(() => tf.sum(tf.square(v)) as tf.Scalar, true)!;
        try {
          v.assign(tf.add(v, 0.5));
          if (step % 4 === 3) throw new Error('skip');
          v.assign(tf.mul(v, 0.9));
        } catch {
          log(-1);
        }
        log(loss.dataSync()[0], v.dataSync());
        loss.dispose();
      }
    });
    expectAgreement(r);
  });

  test('shape changes: an uneven last batch and growing sequences', async () => {
    const r = await differential((log) => {
      const [w] = mlp(6, [3, 2]);
      const opt = tf.train.sgd(0.05);
      const all = data(17, [22, 3]);
      for (let epoch = 0; epoch < 4; epoch++) {
        for (let start = 0; start < 22; start += 8) {
          const size = Math.min(8, 22 - start);
          const xb = tf.slice(all, [start, 0], [size, 3]);
          const loss = opt.minimize(() => tf.mean(tf.square(tf.matMul(xb, w))) as tf.Scalar, true)!;
          log(loss.dataSync()[0]);
          loss.dispose();
          xb.dispose();
        }
      }
      for (let len = 1; len <= 8; len++) {
        const seq = data(20 + len, [len, 3]);
        const loss = opt.minimize(() => tf.mean(tf.square(tf.matMul(seq, w))) as tf.Scalar, true)!;
        log(loss.dataSync()[0]);
        loss.dispose();
        seq.dispose();
      }
      log(w.dataSync());
    });
    expectAgreement(r);
  });

  test('two optimizers alternating on two sets of variables', async () => {
    const r = await differential((log) => {
      const g = mlp(7, [4, 6, 4]);
      const d = mlp(8, [4, 5, 1]);
      const optG = tf.train.adam(0.01);
      const optD = tf.train.rmsprop(0.01);
      const real = data(18, [6, 4]);
      const noise = data(19, [6, 4]);
      for (let step = 0; step < 16; step++) {
        const lossD = optD.minimize(() => tf.mean(tf.add(tf.softplus(tf.neg(forward(d, real))), tf.softplus(forward(d, forward(g, noise))))) as tf.Scalar, true, d)!;
        const lossG = optG.minimize(() => tf.mean(tf.softplus(tf.neg(forward(d, forward(g, noise))))) as tf.Scalar, true, g)!;
        log(lossD.dataSync()[0], lossG.dataSync()[0]);
        tf.dispose([lossD, lossG]);
      }
      for (const v of [...g, ...d]) log(v.dataSync());
    });
    expectAgreement(r);
  });

  test('layers fit with callbacks, trainOnBatch, predict and evaluate; fitDataset on a tf.data pipeline', async () => {
    const r = await differential(async (log) => {
      const model = tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [5], units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
          tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const x = data(21, [20, 5]);
      const next = prng(5);
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: 20 }, () => Math.floor(next() * 3)), 'int32'), 3);
      await model.fit(x, y, {
        epochs: 3, batchSize: 6, shuffle: false, verbose: 0,
        callbacks: { onBatchEnd: async (_b, logs) => log(logs!.loss as number), onEpochEnd: async (_e, logs) => log(logs!.acc as number) },
      });
      for (let i = 0; i < 4; i++) log(await model.trainOnBatch(x, y) as number[]);
      const ds = tf.data.zip({ xs: tf.data.array(Array.from({ length: 12 }, (_, i) => Array.from({ length: 5 }, (_, j) => Math.sin(i + j)))),
        ys: tf.data.array(Array.from({ length: 12 }, (_, i) => [i % 3 === 0 ? 1 : 0, i % 3 === 1 ? 1 : 0, i % 3 === 2 ? 1 : 0])) }).batch(4);
      const h = await model.fitDataset(ds, { epochs: 3, verbose: 0 });
      log(h.history.loss as number[]);
      const p = model.predict(x) as tf.Tensor;
      log(p.dataSync());
      const e = model.evaluate(x, y) as tf.Scalar[];
      log(e[0].dataSync()[0]);
      tf.dispose([p, ...e, x, y]);
    });
    expectAgreement(r);
  });

  test('a loop with no optimizer, iterations marked explicitly, and a graph break (a kernel with no lowering)', async () => {
    const r = await differential((log) => {
      const w = data(22, [6, 6], 0.5);
      let h = data(23, [1, 6]);
      for (let i = 0; i < 12; i++) {
        const next = tf.tidy(() => {
          const z = tf.tanh(tf.matMul(h, w));
          // Unique has no lowering: it runs on the cpu fallback between two segments.
          const { values } = tf.unique(tf.round(tf.mul(z, 2)).reshape([-1]));
          return tf.add(z, tf.mul(tf.sum(values), 0.01));
        });
        h.dispose();
        h = next;
        log(h.dataSync());
        coexecution.markIteration();
      }
      tf.dispose([w, h]);
    });
    expectAgreement(r);
    expect(r.stats.kernels.breaks).toBeGreaterThan(0);
    expect(r.stats.iterations.byCause.marker).toBeGreaterThan(5);
  });

  test('minibatches sliced at an offset that cycles, then moves every step: one path, co-executed, right values', async () => {
    const r = await differential((log) => {
      const all = data(26, [12 * 8, 4]);
      const w = tf.variable(data(27, [4, 1], 0.5));
      const opt = tf.train.adam(0.02);
      for (let step = 0; step < 30; step++) {
        // The offset stays put for 10 steps (run-ahead plans it), then cycles through six batches.
        const offset = step < 10 ? 0 : (step % 6) * 16;
        const xb = tf.slice(all, [offset, 0], [16, 4]);
        const loss = opt.minimize(() => tf.mean(tf.square(tf.sub(tf.matMul(xb, w), 1))) as tf.Scalar, true)!;
        log(loss.dataSync()[0]);
        tf.dispose([xb, loss]);
      }
      log(w.dataSync());
      all.dispose();
    });
    expectAgreement(r);
    // The first new offset after run-ahead planned offset 0 takes no stretch: no divergence, and none after.
    expect(r.stats.divergenceCount).toBe(0);
    expect(r.stats.iterations.coexecuted).toBeGreaterThan(24);
    // Stretches no longer start at the Slice once its offset moved: they would have to guess it.
    expect(r.stats.runAhead.abandoned).toBeLessThanOrEqual(1);
  });

  test('two choices made independently each step (a training batch size, then an evaluation batch size) are learned one by one', async () => {
    const r = await differential((log) => {
      const next = prng(30);
      const w = tf.variable(data(31, [4, 2], 0.5));
      const opt = tf.train.sgd(0.05);
      const trainSizes = [8, 16, 24];
      const evalSizes = [1, 2, 3];
      for (let step = 0; step < 45; step++) {
        const x = data(100 + step, [trainSizes[Math.floor(next() * 3)], 4]);
        const loss = opt.minimize(() => tf.mean(tf.square(tf.matMul(x, w))) as tf.Scalar, true)!;
        const p = tf.tidy(() => tf.sum(tf.matMul(tf.ones([evalSizes[Math.floor(next() * 3)], 4]), w)));
        log(loss.dataSync()[0], p.dataSync()[0]);
        tf.dispose([x, loss, p]);
      }
    });
    expectAgreement(r);
    // Nine combinations, three sizes of each: every pair after the sizes are known is taken up, not diverged on.
    expect(r.stats.joins).toBeGreaterThan(0);
    expect(r.stats.divergenceCount).toBeLessThanOrEqual(4);
    expect(r.stats.iterations.coexecuted).toBeGreaterThan(35);
  });

  test('a shape that grows every step: co-execution rests instead of tracing each one, and resumes once it holds', async () => {
    const program = (log: (...v: number[]) => void) => {
      const pool = data(32, [80, 4]);
      const w = tf.variable(data(33, [4, 1], 0.5));
      const opt = tf.train.sgd(0.01);
      for (let step = 0; step < 100; step++) {
        // A buffer that grows by a row per step for 30 steps, then stays.
        const x = tf.slice(pool, [0, 0], [8 + Math.min(step, 30), 4]);
        const loss = opt.minimize(() => tf.mean(tf.square(tf.matMul(x, w))) as tf.Scalar, true)!;
        log(loss.dataSync()[0]);
        tf.dispose([x, loss]);
      }
      log(...w.dataSync());
      pool.dispose();
    };
    const r = await differential(program, { restAfter: 4 });
    expectAgreement(r);
    expect(r.stats.iterations.rested).toBeGreaterThanOrEqual(32);
    expect(r.stats.iterations.coexecuted).toBeGreaterThan(30);
    // Fewer nodes than tracing every step would make: the rest traced none.
    const restless = await differential(program, { restAfter: 1000 });
    expect(restless.stats.iterations.rested).toBe(0);
    expect(r.stats.graph!.nodes).toBeLessThan(restless.stats.graph!.nodes);
  });

  test('a slice whose offset overruns its input throws tfjs\'s error at the call, as eagerly', async () => {
    const r = await differential((log) => {
      const all = data(28, [40, 3]);
      const w = tf.variable(data(29, [3, 1], 0.5));
      const opt = tf.train.sgd(0.05);
      for (let step = 0; step < 20; step++) {
        try {
          const xb = tf.slice(all, [(step * 8) % 48, 0], [8, 3]);
          const loss = opt.minimize(() => tf.mean(tf.square(tf.matMul(xb, w))) as tf.Scalar, true)!;
          log(loss.dataSync()[0]);
          tf.dispose([xb, loss]);
        } catch (e) {
          log(-1, (e as Error).message.includes('would overflow') ? 1 : 0);
        }
      }
      log(w.dataSync());
      all.dispose();
    });
    expectAgreement(r);
    expect(r.eager.filter((v) => v === -1)).toHaveLength(3);
    expect(r.stats.kernels.threw).toBe(0);
  });

  test('a host-only kernel whose attrs change every call (a new multinomial seed per step) is one node', async () => {
    const r = await differential((log) => {
      const w = tf.variable(data(24, [4, 3], 0.5));
      const states = data(25, [1, 4]);
      const opt = tf.train.adam(0.01);
      for (let step = 0; step < 16; step++) {
        // tf.multinomial draws Math.random() as its seed when given none: a seed per step does the same, reproducibly.
        const action = tf.tidy(() => tf.multinomial(tf.matMul(states, w) as tf.Tensor2D, 1, 1000 + step).dataSync()[0]);
        const loss = opt.minimize(() => tf.neg(tf.sum(tf.mul(tf.logSoftmax(tf.matMul(states, w)),
          tf.oneHot(tf.tensor1d([action], 'int32'), 3)))) as tf.Scalar, true)!;
        log(action, loss.dataSync()[0]);
        loss.dispose();
      }
      log(w.dataSync());
      states.dispose();
    });
    expectAgreement(r);
    expect(r.stats.divergenceCount).toBe(0);
    expect(r.stats.iterations.coexecuted).toBeGreaterThan(10);
  });
});
