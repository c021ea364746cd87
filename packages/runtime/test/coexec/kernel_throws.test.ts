/**
 * Kernels that throw on their inputs (an index out of range, shapes that do not broadcast) while the
 * program catches the error and goes on. Eagerly, tfjs's kernel throws at the call. Co-executed, indices
 * the host has are checked at the call, which then runs on the host and throws there; indices computed on
 * the worker are not, so the first such call has been run ahead in a segment: ORT fails the run, its
 * replay on the host gives tfjs's error, and the program meets it where it uses a value computed from
 * the call; from then on the call runs on the host. Both runs must report the same values and errors,
 * and co-execution must go on.
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

  test('indices computed on the worker: what does not depend on the failed gather keeps its value', async () => {
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
          log(tf.sum(rows).dataSync()[0]);
        }));
        log(threw ? 1 : 0, loss.dataSync()[0], v.dataSync());
        loss.dispose();
      }
      log(w.dataSync(), v.dataSync());
      x.dispose();
    });
    expect(messages).toHaveLength(5);
    expect(r.stats.kernels.threw).toBe(1);
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

describe('where the error reaches the program after a call was run ahead', () => {
  test('a value independent of the failed call reads; a kernel given the failed value throws its error', async () => {
    await tf.setBackend('terra');
    coexecution.start({});
    const seen: string[] = [];
    try {
      const table = tf.variable(data(8, [5, 2]));
      const opt = tf.train.sgd(0.1);
      for (let step = 0; step < 10; step++) {
        const loss = opt.minimize(() => tf.sum(tf.square(table)) as tf.Scalar, true)!;
        tf.tidy(() => {
          // Indices computed on the worker: the host cannot check them at the call.
          const index = tf.add(tf.tensor2d([[step === 8 ? 7 : 1, 0]], [1, 2], 'int32'), tf.zeros([1, 2], 'int32'));
          const picked = tf.gatherND(table, index);
          const other = tf.sum(table);
          seen.push(`other ${other.dataSync()[0].toFixed(4)}`);
          try {
            seen.push(`picked ${tf.mul(picked, 3).dataSync()[0].toFixed(4)}`);
          } catch (e) {
            seen.push(`threw ${(e as Error).message}`);
          }
        });
        loss.dispose();
      }
      expect(coexecution.stats()!.kernels.threw).toBe(1);
      expect(coexecution.stats()!.iterations.coexecuted).toBeGreaterThan(3);
      table.dispose();
    } finally {
      await coexecution.stop();
    }
    expect(seen.filter((s) => s.startsWith('threw'))).toEqual(['threw Invalid indices: 7,0 does not index into 5,2']);
    // Co-executed, the error comes at the value's first use, after the independent read (eagerly it would come first).
    expect(seen[16]).toMatch(/^other /);
    expect(seen[17]).toMatch(/^threw /);
  });
});
