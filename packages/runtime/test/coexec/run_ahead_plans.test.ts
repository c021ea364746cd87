/**
 * Run-ahead plans are built once per start node and kept while they hold. A training loop that evaluates
 * every few steps, on held-out tensors made before the loop, numbers the values it carries from before the
 * iteration differently in the iteration with the evaluation (the held-out batch comes first) and in the
 * next one (the training batch comes first again). Each kind's plan is kept, and reused when that kind
 * comes back: the plans built do not grow with the number of evaluations.
 */
import { Program, data, differential, expectAgreement, tf } from './harness';
import { hookState } from '../../src/hooks';

/** Runs fn as called from a call site of the program (what the plugin's instrumentation does). */
function at<T>(site: string, fn: () => T): T {
  const state = hookState();
  state.s[state.d++] = site;
  try {
    return fn();
  } finally {
    state.d--;
  }
}

const evaluatingLoop = (steps: number): Program => (log) => {
  const w = tf.variable(data(1, [6, 4], 0.3));
  const xTrain = data(2, [8, 6]);
  const yTrain = data(3, [8, 4]);
  const xHeld = data(4, [5, 6]);
  const yHeld = data(5, [5, 4]);
  const opt = tf.train.sgd(0.05);
  for (let step = 0; step < steps; step++) {
    if (step % 4 === 3) {
      const held = at('train.js:12:20', () => tf.tidy(() => tf.losses.meanSquaredError(yHeld, tf.matMul(xHeld, w))));
      log(held.dataSync()[0]);
      held.dispose();
    }
    const loss = at('train.js:16:23', () => opt.minimize(() => tf.losses.meanSquaredError(yTrain, tf.matMul(xTrain, w)), true)!);
    log(loss.dataSync()[0]);
    loss.dispose();
  }
  log(w.dataSync());
};

test('a loop that evaluates every few steps reuses each kind of step\'s plans', async () => {
  const short = await differential(evaluatingLoop(20), { firstOccurrence: 'wait' });
  const long = await differential(evaluatingLoop(40), { firstOccurrence: 'wait' });
  for (const r of [short, long]) expectAgreement(r);
  // Five more evaluations, and as many steps after one, and not one plan more; a reused plan is right
  // (its stretches are not left early: the first ones, before both kinds were known, are all there are).
  expect(long.stats.iterations.coexecuted).toBeGreaterThan(short.stats.iterations.coexecuted + 15);
  expect(long.stats.runAhead.stretches).toBeGreaterThan(short.stats.runAhead.stretches + 15);
  expect(long.stats.runAhead.plans).toBe(short.stats.runAhead.plans);
  expect(long.stats.runAhead.abandoned).toBe(short.stats.runAhead.abandoned);
});
