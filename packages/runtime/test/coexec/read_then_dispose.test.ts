/**
 * data() takes a value as it is when called: the program may dispose or replace the tensor before the
 * promise settles (a loss disposed at once, a variable read while training goes on). tfjs's cpu backend
 * resolves such promises with the value; terra must too, eagerly and co-executed, whether the value is on
 * the host at the call or still computing in the worker.
 */
import { Program, differential, expectAgreement, tf } from './harness';

jest.setTimeout(120_000);

/** The program's report on tfjs's own cpu backend. */
async function onCpu(program: Program): Promise<number[]> {
  await tf.setBackend('cpu');
  const out: number[] = [];
  try {
    await program((...values) => { for (const v of values) out.push(...(typeof v === 'number' ? [v] : Array.from(v))); });
  } finally {
    tf.disposeVariables();
    await tf.setBackend('terra');
  }
  return out;
}

describe('a read whose tensor is disposed or replaced before the promise settles', () => {
  test('a loss read with data(), disposed at once, then awaited: its value', async () => {
    const program: Program = async (log) => {
      const w = tf.variable(tf.tensor1d([1, -2, 0.5, 3]));
      const opt = tf.train.sgd(0.05);
      for (let step = 0; step < 14; step++) {
        const loss = opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, true)!;
        const pending = loss.data();
        loss.dispose();
        log((await pending)[0]);
      }
    };
    const r = await differential(program);
    expectAgreement(r);
    expect(r.eager).toEqual(await onCpu(program));
    expect(r.stats.iterations.coexecuted).toBeGreaterThan(5);
  });

  test('a variable read with data() and then updated: the value before the update', async () => {
    const program: Program = async (log) => {
      const w = tf.variable(tf.tensor1d([2, 1]));
      const opt = tf.train.sgd(0.1);
      for (let step = 0; step < 14; step++) {
        const before = w.data();
        opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
        log(await before);
      }
      log(w.dataSync());
    };
    const r = await differential(program);
    expectAgreement(r);
    expect(r.eager).toEqual(await onCpu(program));
    expect(r.stats.iterations.coexecuted).toBeGreaterThan(5);
  });
});
