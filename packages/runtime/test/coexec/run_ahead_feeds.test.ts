/**
 * How run-ahead treats the tensors JS writes inside a step (feeds).
 * - Large constant fills: tfjs-core's Mean and Sum gradients multiply by `ones(x.shape)`, a tensor JS
 *   writes mid-step, as large as the activation (batch norm's moments over a feature map). Its value is
 *   the same every step, so the stretch predicts it behind a guard; a step then runs ahead whole
 *   instead of being cut at every such gradient.
 * - A node of another path that takes a feed where this path keeps a tensor (a learning rate set in
 *   warm-up steps, kept afterwards) must not make the path look ambiguous.
 * - Echoes: a JS number that changes every step, turned into a scalar once per variable (a hand-written
 *   optimizer's step size), is unpredictable only at its first write of the step; the later writes are
 *   predicted to repeat it, behind a guard.
 * - A kept value JS writes anew now and then (a learning-rate schedule during co-execution): in the step
 *   after a change it is carried again, though the last trace had it as a feed.
 * The tests count stretches per co-executed step, so a new segment's first occurrence waits for its
 * session here, every occurrence running as a segment (first_occurrence.test.ts).
 */
import { coexecution } from '@terrajs/runtime';
import { Program, data, differential as differentialHostFirst, expectAgreement, prng, tf } from './harness';

const differential = (program: Program) => differentialHostFirst(program, { firstOccurrence: 'wait' });

/** SGD steps whose backward pass writes two ones-fills of 16 KB (the gradients of two means over 4x16x16x4 maps). */
const twoMeans = (steps: number): Program => (log) => {
    const w1 = tf.variable(data(1, [3, 3, 3, 4], 0.3));
    const w2 = tf.variable(data(2, [3, 3, 4, 4], 0.3));
    const x = data(3, [4, 16, 16, 3]);
    const opt = tf.train.sgd(0.05);
    for (let step = 0; step < steps; step++) {
      const loss = opt.minimize(() => {
        const h = tf.conv2d(x, w1, 1, 'same');
        const centred = tf.sub(h, tf.mean(h, [0, 1, 2]));
        const out = tf.conv2d(tf.relu(centred), w2, 1, 'same');
        return tf.mean(tf.square(out)) as tf.Scalar;
      }, true)!;
      log(loss.dataSync()[0]);
      loss.dispose();
    }
    log(w1.dataSync(), w2.dataSync());
};

test('a step whose gradients write large ones-fills runs ahead whole', async () => {
  const r = await differential(twoMeans(10));
  expectAgreement(r);
  expect(r.stats.iterations.diverged).toBe(0);
  // One stretch per co-executed step: the fills did not cut it.
  expect(r.stats.runAhead.stretches).toBe(r.stats.iterations.coexecuted);
  expect(r.stats.runAhead.abandoned).toBe(0);
});

test('large ones-fills are uploaded to the worker once, not in every step', async () => {
  const short = await differential(twoMeans(10));
  const long = await differential(twoMeans(20));
  expectAgreement(long);
  expect(long.stats.iterations.coexecuted).toBe(short.stats.iterations.coexecuted + 10);
  // Ten more co-executed steps and not one upload more (twenty more, two fills a step, before).
  expect(long.stats.feeds).toBe(short.stats.feeds);
});

test('a large fill JS writes mid-step with a new value: the guard abandons the stretch, values stay right', async () => {
  const r = await differential((log) => {
    const w = tf.variable(data(4, [3, 3, 3, 4], 0.3));
    const x = data(5, [4, 16, 16, 3]);
    const opt = tf.train.sgd(0.05);
    for (let step = 0; step < 10; step++) {
      const loss = opt.minimize(() => {
        const h = tf.conv2d(x, w, 1, 'same');
        // Written after the conv: predicted by value from the earlier steps, then changed at step 7.
        const scale = tf.tensor4d(new Float32Array(4 * 16 * 16 * 4).fill(step < 7 ? 1 : 0.5), [4, 16, 16, 4]);
        return tf.mean(tf.square(tf.mul(h, scale))) as tf.Scalar;
      }, true)!;
      log(loss.dataSync()[0]);
      loss.dispose();
    }
    log(w.dataSync());
  });
  expectAgreement(r);
  expect(r.stats.runAhead.abandoned).toBeGreaterThan(0);
});

test('large fills of four values in turn (1, 0.5, 0, -0): each is shared, none stands for another', async () => {
  const r = await differential((log) => {
    const w = tf.variable(data(4, [3, 3, 3, 4], 0.3));
    const x = data(5, [4, 16, 16, 3]);
    const opt = tf.train.sgd(0.05);
    for (let step = 0; step < 12; step++) {
      const loss = opt.minimize(() => {
        const h = tf.conv2d(x, w, 1, 'same');
        // 0 and -0 are two fills: through 1/x, a sigmoid makes them 1 and 0.
        const scale = tf.tensor4d(new Float32Array(4 * 16 * 16 * 4).fill([1, 0.5, 0, -0][step % 4]), [4, 16, 16, 4]);
        return tf.mean(tf.square(tf.mul(h, tf.sigmoid(tf.div(tf.scalar(1), scale))))) as tf.Scalar;
      }, true)!;
      log(loss.dataSync()[0]);
      loss.dispose();
    }
    log(w.dataSync());
  });
  expectAgreement(r);
});

test('a learning rate written in warm-up steps and kept afterwards: later steps run ahead whole', async () => {
  const r = await differential((log) => {
    const w = tf.variable(data(6, [6, 4], 0.3));
    const b = tf.variable(data(7, [4], 0.3));
    const xs = data(8, [8, 6]).dataSync();
    const y = data(9, [8, 4]);
    const opt = tf.train.momentum(0.01, 0.9);
    for (let step = 0; step < 16; step++) {
      // In the warm-up the learning rate is the step's first feed; afterwards the batch is.
      if (step < 4) opt.setLearningRate(0.01 * (step + 1));
      const x = tf.tensor2d(xs, [8, 6]);
      const loss = opt.minimize(() => tf.losses.meanSquaredError(y, tf.add(tf.matMul(x, w), b)), true)!;
      log(loss.dataSync()[0]);
      tf.dispose([x, loss]);
    }
    log(w.dataSync(), b.dataSync());
  });
  expectAgreement(r);
  // One stretch per step (the first step after the warm-up diverges, and runs ahead once it is back on
  // a known path): the updates are not cut where the warm-up's, which took a new learning-rate tensor,
  // branch off.
  expect(r.stats.runAhead.stretches).toBeLessThanOrEqual(r.stats.iterations.coexecuted + r.stats.iterations.diverged);
});

test('a learning-rate schedule during co-execution: the step after each change runs ahead whole', async () => {
  const changes = [9, 15];
  const r = await differential((log) => {
    const ws = [0, 1, 2, 3, 4, 5].map((i) => tf.variable(data(30 + i, [4, 4], 0.3)));
    const x = data(40, [8, 4]);
    const opt = tf.train.momentum(0.02, 0.9);
    for (let step = 0; step < 20; step++) {
      if (changes.includes(step)) opt.setLearningRate(0.02 / (step + 1));
      const loss = opt.minimize(() => tf.mean(tf.square(ws.reduce((h: tf.Tensor, w) => tf.tanh(tf.matMul(h, w)), x))) as tf.Scalar, true)!;
      log(loss.dataSync()[0]);
      loss.dispose();
    }
    log(...ws.map((w) => w.dataSync()));
    x.dispose();
  });
  expectAgreement(r);
  const { iterations, runAhead, segments } = r.stats;
  expect(iterations.coexecuted + iterations.diverged).toBeGreaterThan(12);
  // The first change is a new path (a divergence); the second step on it is cut once, where the update
  // takes the new tensor instead of the kept one. Every other step is one stretch: in the step after a
  // change the learning rate is carried again, found by the buffer the update took last (before this,
  // by its carried slot only, which the last step did not have: every variable's update was a stretch).
  expect(runAhead.stretches).toBeLessThanOrEqual(iterations.coexecuted + iterations.diverged + 1);
  expect(segments.compiled).toBeLessThanOrEqual(3);
});

test('a target tensor written after the step began: the batch so far is dispatched and the rest runs ahead', async () => {
  const r = await differential(async (log) => {
    const w = tf.variable(tf.ones([8, 8]));
    const opt = tf.train.sgd(0.001);
    for (let step = 0; step < 12; step++) {
      // The second labels are written after the first one-hot ran: the stretch could not start at the step's first kernel.
      const t1 = tf.tensor1d([step % 8, 1], 'int32');
      const y1 = tf.oneHot(t1, 8);
      const t2 = tf.tensor1d([2, step % 5], 'int32');
      const y2 = tf.oneHot(t2, 8);
      const loss = opt.minimize(() => tf.sum(tf.matMul(tf.matMul(tf.add(y1, y2), w), w)) as tf.Scalar, true)!;
      log((await loss.data())[0]);
      tf.dispose([t1, t2, y1, y2, loss]);
    }
    log(w.dataSync());
  });
  expectAgreement(r);
  expect(r.stats.iterations.coexecuted).toBeGreaterThan(0);
  expect(r.stats.runAhead.stretches).toBeGreaterThanOrEqual(r.stats.iterations.coexecuted);
  expect(r.stats.runAhead.abandoned).toBe(0);
});

test('after a stretch is abandoned, the rest of the step is batched: no new stretch per call', async () => {
  const r = await differential((log) => {
    const ws = [1, 2, 3, 4].map((k) => tf.variable(data(10 + k, [8, 8], 0.3)));
    const opt = tf.train.sgd(0.01);
    for (let step = 0; step < 12; step++) {
      const loss = opt.minimize(() => {
        let h = data(20, [4, 8]);
        for (const w of ws) {
          // Written mid-step, predicted by value from the earlier steps, changed from step 8 on.
          const scale = tf.tensor2d(new Float32Array(32).fill(step < 8 ? 1 : 0.5), [4, 8]);
          h = tf.relu(tf.mul(tf.matMul(h, w), scale));
        }
        return tf.mean(tf.square(h)) as tf.Scalar;
      }, true)!;
      log(loss.dataSync()[0]);
      loss.dispose();
    }
    log(...ws.map((w) => w.dataSync()));
  });
  expectAgreement(r);
  expect(r.stats.runAhead.abandoned).toBeGreaterThan(0);
  // At most one abandoned stretch per iteration that left its prediction.
  expect(r.stats.runAhead.abandoned).toBeLessThanOrEqual(r.stats.iterations.coexecuted + r.stats.iterations.diverged - 8 + 1);
});

/** A hand-written Adam-like update: the step size and the decay are JS numbers new every step, written once per variable. */
function handWrittenUpdates(perturbAt?: number) {
  return (log: (...v: Array<number | ArrayLike<number>>) => void) => {
    const ws = [1, 2, 3, 4, 5, 6].map((k) => tf.variable(data(30 + k, [6, 6], 0.3)));
    const x = data(40, [4, 6]);
    for (let step = 0; step < 14; step++) {
      const stepSize = 0.01 / Math.sqrt(step + 1);
      const decay = 1e-3 * (1 + step);
      const { grads, value } = tf.variableGrads(() => {
        let h: tf.Tensor = x;
        for (const w of ws) h = tf.tanh(tf.matMul(h, w));
        return tf.mean(tf.square(h)) as tf.Scalar;
      });
      ws.forEach((w, i) => tf.tidy(() => {
        // At `perturbAt`, one variable's step size differs from the others' (the echo's guard must catch it).
        const size = step === perturbAt && i === 3 ? stepSize * 2 : stepSize;
        w.assign(tf.sub(w, tf.add(tf.mul(grads[w.name], size), tf.mul(w, decay))));
      }));
      log(value.dataSync()[0]);
      tf.dispose([value, ...Object.values(grads)]);
      coexecution.markIteration();
    }
    log(...ws.map((w) => w.dataSync()));
  };
}

test('a JS step size written once per variable: its repeats are predicted, the update runs ahead in a few stretches', async () => {
  const r = await differential(handWrittenUpdates());
  expectAgreement(r);
  expect(r.stats.iterations.diverged).toBe(0);
  expect(r.stats.runAhead.abandoned).toBe(0);
  // Cut at the first write of the step size and of the decay only (before: once per variable and feed).
  expect(r.stats.runAhead.stretches).toBeLessThanOrEqual(3 * r.stats.iterations.coexecuted);
});

test('a repeat that does not repeat: the guard abandons the stretch, values stay right', async () => {
  const r = await differential(handWrittenUpdates(10));
  expectAgreement(r);
  expect(r.stats.runAhead.abandoned).toBeGreaterThan(0);
});

test('a branch into a tensor JS writes with a new value each step, taken in the latest steps: the stretch stops before it', async () => {
  const r = await differential((log) => {
    const w = tf.variable(data(60, [6, 6], 0.3));
    const x = data(61, [4, 6]);
    const rand = prng(62);
    const opt = tf.train.sgd(0.05);
    for (let step = 0; step < 16; step++) {
      const loss = opt.minimize(() => {
        const h = tf.matMul(x, w);
        // The early steps take the branch whose inputs are all at hand; from step 3 on, the one that
        // needs a tensor written after the matMul, with values no trace could predict.
        if (step < 3) return tf.mean(tf.square(tf.add(h, h))) as tf.Scalar;
        const noise = tf.tensor2d(Array.from({ length: 24 }, () => rand() - 0.5), [4, 6]);
        return tf.mean(tf.square(tf.add(h, noise))) as tf.Scalar;
      }, true)!;
      log(loss.dataSync()[0]);
      loss.dispose();
    }
    log(w.dataSync());
  });
  expectAgreement(r);
  expect(r.stats.runAhead.stretches).toBeGreaterThan(0);
  // At most the step that first took the new branch (predicted by the old one, the latest then).
  expect(r.stats.runAhead.abandoned).toBeLessThanOrEqual(1);
});
