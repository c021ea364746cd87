/**
 * --check (coexecution.start({ check })): co-executed iterations shadowed eagerly. A correct run compares
 * values and finds nothing, leaves the program's results equal to eager execution and the dispatch counts
 * untouched; a segment run made wrong on purpose is caught with iteration, site, kernel and magnitude.
 */
import { coexecution, resetStats, stats as dispatchStats } from '@terrajs/runtime';
import { compareValues, DEFAULT_TOLERANCE } from '../../src/coexec/check/compare';
import type { CoexecOptions } from '../../src/coexec';
import type { CheckOptions } from '../../src/coexec/check/options';
import { Program, data, differential, expectAgreement, tf } from './harness';

describe('compareValues', () => {
  const tol = DEFAULT_TOLERANCE;
  it('accepts float32 within rtol and atol, NaN against NaN, equal infinities', () => {
    expect(compareValues(new Float32Array([1, 1000, 0, NaN, Infinity]), new Float32Array([1.0005, 1000.9, 0.00005, NaN, Infinity]), 'float32', tol)).toBeUndefined();
  });
  it('reports the largest difference, its index and values', () => {
    const d = compareValues(new Float32Array([1, 2.5, 3]), new Float32Array([1, 2, 3.001]), 'float32', tol)!;
    expect(d).toMatchObject({ kind: 'values', element: 1, actual: 2.5, expected: 2 });
    expect(d.maxAbs).toBeCloseTo(0.5);
    expect(d.maxRel).toBeCloseTo(0.25);
  });
  it('treats NaN against a number, and opposite infinities, as mismatches', () => {
    expect(compareValues(new Float32Array([NaN]), new Float32Array([1]), 'float32', tol)?.maxAbs).toBe(Infinity);
    expect(compareValues(new Float32Array([Infinity]), new Float32Array([-Infinity]), 'float32', tol)).toBeDefined();
    expect(compareValues(new Float32Array([5]), new Float32Array([Infinity]), 'float32', tol)).toBeDefined();
  });
  it('compares int32 and bool exactly, and sizes first', () => {
    expect(compareValues(new Int32Array([5, 7]), new Int32Array([5, 8]), 'int32', tol)?.element).toBe(1);
    expect(compareValues(new Uint8Array([1]), new Uint8Array([0]), 'bool', tol)).toBeDefined();
    expect(compareValues(new Float32Array(3), new Float32Array(4), 'float32', tol)).toMatchObject({ kind: 'size', actualSize: 3, expectedSize: 4 });
  });
});

/** A training loop with reads, a carried tensor and a value-dependent branch. */
const training: Program = (log) => {
  const w = tf.variable(data(1, [4, 3], 0.5));
  const x = data(2, [6, 4]);
  let ema = tf.scalar(0);
  const opt = tf.train.adam(0.05);
  for (let step = 0; step < 14; step++) {
    const loss = opt.minimize(() => tf.mean(tf.square(tf.matMul(x, w))) as tf.Scalar, true)!;
    const next = tf.tidy(() => ema.mul(0.9).add(loss.mul(0.1)));
    ema.dispose();
    ema = next;
    if (step % 3 === 0) log(loss.dataSync()[0]);
    loss.dispose();
  }
  log(w.dataSync(), ema.dataSync());
  ema.dispose();
};

/** No optimizer: iterations end at the marker, and values are read in the middle of them. */
const inference: Program = (log) => {
  const w = data(3, [5, 4]);
  for (let step = 0; step < 12; step++) {
    const x = data(10 + step, [3, 5]);
    const h = tf.tidy(() => tf.relu(tf.matMul(x, w)));
    log(h.max().dataSync()[0]);
    const s = tf.tidy(() => h.sum(1));
    log(s.dataSync());
    tf.dispose([x, h, s]);
    coexecution.markIteration();
  }
};

async function checked(program: Program, check: CheckOptions | true, options: CoexecOptions = {}) {
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const r = await differential(program, { ...options, check });
    return { ...r, said: stderr.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('--check')) };
  } finally {
    stderr.mockRestore();
  }
}

describe('a correct run', () => {
  it('compares values, finds no mismatch, and the program sees what eager execution computes', async () => {
    const r = await checked(training, true);
    expectAgreement(r);
    expect(r.stats.check).toMatchObject({ mismatches: 0, unknown: 0 });
    expect(r.stats.check!.values).toBeGreaterThan(r.stats.iterations.coexecuted);
    expect(r.stats.check!.kernels).toBeGreaterThanOrEqual(r.stats.kernels.delegated);
    expect(r.said).toEqual([]);
  });

  it('does not count the shadow kernels as the program\'s dispatches', async () => {
    resetStats();
    await differential(training, {});
    const plain = dispatchStats().total;
    resetStats();
    await checked(training, true);
    expect(dispatchStats().total).toEqual(plain);
  });

  it('checks values read in the middle of iterations', async () => {
    // Every co-executed iteration's values from segments (by default a new segment's first occurrence runs on the host).
    const r = await checked(inference, true, { firstOccurrence: 'wait' });
    expectAgreement(r);
    expect(r.stats.check!.mismatches).toBe(0);
    expect(r.stats.check!.values).toBeGreaterThanOrEqual(2 * r.stats.iterations.coexecuted);
  });
});

describe('a program that writes into the array a read handed it, then uses the tensor', () => {
  const writing = (write: boolean): Program => (log) => {
    const w = tf.variable(data(4, [3], 0.5));
    const x = data(5, [3]);
    const opt = tf.train.sgd(0.1);
    for (let step = 0; step < 12; step++) {
      const q = tf.mul(x, w);
      const values = q.dataSync();
      // tfjs's cpu backend (and terra eager) hand out the tensor's own array: the write changes q.
      if (write) values[0] = 100;
      const target = tf.sub(q, 1);
      log(target.dataSync());
      opt.minimize(() => tf.sum(tf.square(tf.sub(tf.mul(x, w), target))) as tf.Scalar);
      tf.dispose([q, target]);
    }
  };

  it('is a mismatch --check names, where the tensor was used after the write', async () => {
    const r = await checked(writing(true), true);
    const first = r.stats.check!.first!;
    expect(first.what).toMatch(/^the array a read \(dataSync, bufferSync\) handed to the program, written by it and then given to Sub at /);
    expect(first).toMatchObject({ kernel: 'Multiply', actual: expect.any(Number), expected: 100 });
    expect(r.said[0]).toContain("co-execution goes on with the worker's copy");
  });

  it('reads without writes are no mismatch', async () => {
    const r = await checked(writing(false), true);
    expectAgreement(r);
    expect(r.stats.check!.mismatches).toBe(0);
  });
});

describe('a wrong segment run', () => {
  it('is caught at the iteration\'s end, with iteration, site, kernel and magnitude, and said once', async () => {
    const r = await checked(training, { perturbRunForTests: 3 });
    const c = r.stats.check!;
    expect(c.mismatches).toBeGreaterThan(0);
    const first = c.first!;
    // Traced iterations come first; the third run is in one of the first three co-executed ones.
    expect(first.iteration).toBeGreaterThan(r.stats.iterations.traced);
    expect(first.iteration).toBeLessThanOrEqual(r.stats.iterations.traced + 3);
    expect(first.maxAbs).toBeCloseTo(1, 4);
    expect(first.kernel).toMatch(/^[A-Z]\w+$/);
    expect(first.site).toBeTruthy();
    expect(r.said.length).toBe(1);
    expect(r.said[0]).toContain(`mismatch in iteration ${first.iteration}`);
    expect(r.said[0]).toContain(`produced by kernel ${first.kernel}`);
    expect(r.said[0]).toContain('max abs diff 1.00000');
  });

  it('read by JS in the middle of an iteration is caught at the read, with the earlier value that went wrong', async () => {
    // Without run-ahead the iteration runs as two segments, split at the first read: the first
    // outputs the relu (held) and its max (read); the perturbed relu then makes the second, the sum, wrong.
    const r = await checked(inference, { perturbRunForTests: 1 }, { runAhead: false });
    const first = r.stats.check!.first!;
    expect(first.what).toMatch(/^the value read at /);
    expect(first.kernel).toBe('Sum');
    expect(first.cause).toMatchObject({ kernel: 'Relu', maxAbs: expect.closeTo(1, 4) });
    expect(r.said[0]).toContain('an earlier value of the iteration differs too: produced by kernel Relu');
  });

  it('is not perturbed without check mode', async () => {
    process.env.TERRA_CHECK_PERTURB_RUN = '3';
    try {
      expectAgreement(await differential(training, {}));
    } finally {
      delete process.env.TERRA_CHECK_PERTURB_RUN;
    }
  });
});
