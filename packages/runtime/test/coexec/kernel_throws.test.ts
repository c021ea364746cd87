/**
 * Kernels that throw on their inputs (an index out of range, shapes that do not broadcast) while the
 * program catches the error and goes on. Eagerly, tfjs's kernel throws at the call. Co-executed, indices
 * are checked at the call, which then runs on the host and throws there: the host's own, or indices
 * computed on the worker, which JS waits for at the call unless the kernels that made them keep them in
 * a range that passes (an argMax's positions). A run ahead that contained the call fails in ORT and is
 * replayed on the host; from then on the call runs on the host. Both runs must report the same values
 * and errors, and co-execution must go on.
 */
import { coexecution } from '@terrajs/runtime';
import { Program, data, differential, expectAgreement, tf } from './harness';

jest.setTimeout(120_000);

/** Runs a program eagerly and co-executed; both must report the same values and catch the same errors. */
async function differentialCatching(program: (log: Parameters<Program>[0], caught: string[]) => void) {
  const runs: string[][] = [];
  const r = await differential((log) => {
    const caught: string[] = [];
    runs.push(caught);
    program(log, caught);
  });
  expectAgreement(r);
  expect(runs[1]).toEqual(runs[0]);
  return { r, messages: runs[0] };
}

/** Runs fn; an error it throws is caught, its message kept. */
function catching(caught: string[], fn: () => void): boolean {
  try {
    fn();
    return false;
  } catch (e) {
    caught.push((e as Error).message);
    return true;
  }
}

describe('kernels that throw on their values under co-execution', () => {
  test('an index written from JS out of range every third step: the same errors, and co-execution goes on', async () => {
    const { r, messages } = await differentialCatching((log, caught) => {
      const w = tf.variable(data(3, [8, 4]));
      const x = data(4, [16, 8]);
      const opt = tf.train.sgd(0.05);
      for (let step = 0; step < 24; step++) {
        const loss = opt.minimize(() => tf.mean(tf.square(tf.matMul(x, w))) as tf.Scalar, true)!;
        const threw = catching(caught, () => tf.tidy(() => {
          const row = tf.gather(w, tf.tensor1d([step % 3 === 2 ? 40 + step : step % 8], 'int32'));
          log(tf.sum(tf.mul(row, 2)).dataSync()[0]);
        }));
        log(threw ? 1 : 0, loss.dataSync()[0]);
        loss.dispose();
      }
      log(w.dataSync());
      x.dispose();
    });
    expect(messages).toHaveLength(8);
    expect(messages[0]).toMatch(/GatherV2: the index value 42 is not in \[0, 7\]/);
    // Every out-of-range index was written from JS: checked at the call, none was run ahead.
    expect(r.stats.kernels.threw).toBe(0);
    expect(r.stats.iterations.coexecuted).toBeGreaterThan(15);
    expect(r.stats.divergenceCount).toBeLessThanOrEqual(1);
  });

  test('indices computed on the worker are waited for at the call: the gather throws there, before the update after it', async () => {
    const { r, messages } = await differentialCatching((log, caught) => {
      const w = tf.variable(data(5, [6, 3]));
      const v = tf.variable(tf.zeros([3]));
      const x = data(6, [10, 6]);
      const opt = tf.train.adam(0.02);
      for (let step = 0; step < 20; step++) {
        const loss = opt.minimize(() => tf.mean(tf.square(tf.matMul(x, w))) as tf.Scalar, true)!;
        const threw = catching(caught, () => tf.tidy(() => {
          // Rows 0-5 are in range; the shift every fourth step moves them out of it.
          const idx = tf.add(tf.argMax(tf.matMul(x, w), 1), tf.scalar(step % 4 === 3 ? 6 : 0, 'int32'));
          v.assign(tf.add(v, tf.mean(tf.matMul(x, w), 0)));
          const rows = tf.gather(w, idx);
          // Eagerly the gather threw before this assign: co-executed too, or v would differ.
          v.assign(tf.add(v, tf.sum(rows)));
          log(tf.sum(rows).dataSync()[0]);
        }));
        log(threw ? 1 : 0, loss.dataSync()[0], v.dataSync());
        loss.dispose();
      }
      log(w.dataSync(), v.dataSync());
      x.dispose();
    });
    expect(messages).toHaveLength(5);
    expect(r.stats.kernels.threw).toBe(0);
    // Until the first failure: from then on the gather runs on the host, between segments.
    expect(r.stats.kernels.checkWaits).toBeGreaterThan(0);
    expect(r.stats.iterations.coexecuted).toBeGreaterThan(10);
  });

  test('indices an argMax made, along an axis no longer than the gathered one: no wait at the call', async () => {
    const { r, messages } = await differentialCatching((log) => {
      const table = tf.variable(data(7, [6, 4]));
      const x = data(8, [5, 6]);
      const opt = tf.train.sgd(0.05);
      for (let step = 0; step < 16; step++) {
        // Positions along the 5 rows of x, gathering rows of the 6-row table.
        const idx = tf.tidy(() => tf.squeeze(tf.cast(tf.reshape(tf.argMax(tf.matMul(x, table), 0), [4, 1]), 'int32'), [1]));
        const loss = opt.minimize(() => tf.mean(tf.square(tf.gather(table, idx))) as tf.Scalar, true)!;
        log(loss.dataSync()[0]);
        loss.dispose();
        idx.dispose();
      }
      log(table.dataSync());
      x.dispose();
    });
    expect(messages).toHaveLength(0);
    expect(r.stats.kernels.checkWaits).toBe(0);
    expect(r.stats.iterations.coexecuted).toBeGreaterThan(10);
  });

  test('an index from JS out of range inside the loss: the step throws before its update, as eagerly', async () => {
    const { r, messages } = await differentialCatching((log, caught) => {
      const w = tf.variable(tf.ones([2, 1]));
      const table = data(9, [4, 2]);
      const opt = tf.train.sgd(0.1);
      for (let step = 0; step < 16; step++) {
        const idx = tf.tensor1d([step % 7 === 6 ? 9 : step % 4], 'int32');
        const threw = catching(caught, () => {
          const loss = opt.minimize(() => tf.sum(tf.matMul(tf.gather(table, idx), w)) as tf.Scalar, true)!;
          log(loss.dataSync()[0]);
          loss.dispose();
        });
        log(threw ? 1 : 0, tf.tidy(() => tf.sum(w).dataSync()[0]));
        idx.dispose();
      }
      table.dispose();
    });
    expect(messages).toHaveLength(2);
    expect(r.stats.kernels.threw).toBe(0);
  });

  test('a kernel that throws on its shapes every step: the path from the catch is learned and co-executes', async () => {
    const r = await differential((log) => {
      const w = tf.variable(tf.ones([2, 1]));
      const x = data(10, [4, 2]);
      const a = tf.ones([3]);
      const b = tf.ones([4]);
      const opt = tf.train.sgd(0.01);
      for (let step = 0; step < 16; step++) {
        let threw = 0;
        try {
          tf.add(a, b);
        } catch {
          threw = 1;
        }
        const loss = opt.minimize(() => tf.sum(tf.matMul(x, w)) as tf.Scalar, true)!;
        log(threw, loss.dataSync()[0]);
        loss.dispose();
      }
      log(w.dataSync());
      [x, a, b].forEach((t) => t.dispose());
    });
    expectAgreement(r);
    expect(r.stats.iterations.coexecuted).toBeGreaterThan(10);
    expect(r.stats.divergenceCount).toBe(0);
  });

  test('a value from the failed call used by a later kernel: that kernel throws the error', async () => {
    const { r, messages } = await differentialCatching((log, caught) => {
      const table = tf.variable(data(7, [5, 2]));
      const opt = tf.train.sgd(0.1);
      for (let step = 0; step < 16; step++) {
        const loss = opt.minimize(() => tf.sum(tf.square(table)) as tf.Scalar, true)!;
        const threw = catching(caught, () => tf.tidy(() => {
          const picked = tf.gatherND(table, tf.tensor2d([[step % 5 === 4 ? 9 : step % 5, 1]], [1, 2], 'int32'));
          const scaled = tf.mul(picked, 3);
          log(tf.add(scaled, 1).dataSync()[0]);
        }));
        log(threw ? 1 : 0, loss.dataSync()[0]);
        loss.dispose();
      }
      log(table.dataSync());
    });
    expect(messages).toHaveLength(3);
    expect(messages[0]).toMatch(/Invalid indices/);
    expect(r.stats.kernels.threw).toBe(0);
    expect(r.stats.iterations.coexecuted).toBeGreaterThan(8);
  });
});

describe('a call run ahead whose indices, computed on the worker, are out of range', () => {
  test('throws at the call, before a read issued after it, as eagerly; the next steps co-execute', async () => {
    const { r, messages } = await differentialCatching((log, caught) => {
      const table = tf.variable(data(8, [5, 2]));
      const opt = tf.train.sgd(0.1);
      for (let step = 0; step < 12; step++) {
        const loss = opt.minimize(() => tf.sum(tf.square(table)) as tf.Scalar, true)!;
        catching(caught, () => tf.tidy(() => {
          const index = tf.add(tf.tensor2d([[step === 8 ? 7 : 1, 0]], [1, 2], 'int32'), tf.zeros([1, 2], 'int32'));
          const picked = tf.gatherND(table, index);
          log('other', tf.sum(table).dataSync()[0]);
          log('picked', tf.mul(picked, 3).dataSync()[0]);
        }));
        loss.dispose();
      }
      log(table.dataSync());
    });
    expect(messages).toEqual(['Invalid indices: 7,0 does not index into 5,2']);
    expect(r.stats.kernels.threw).toBe(0);
    expect(r.stats.iterations.coexecuted).toBeGreaterThan(6);
  });
});
