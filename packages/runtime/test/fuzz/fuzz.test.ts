/**
 * Differential fuzzing, a fixed seed set (bench/fuzz.js runs 1000 and more): random tfjs programs run
 * eagerly and under co-execution must agree on every value read, every error, the final variables and
 * the tensors left behind; and co-execution must really have run them (else nothing was tested).
 */
import * as tf from '@tensorflow/tfjs';
import { coexecution } from '@terrajs/runtime';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generateProgram } = require('./program_generator');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { differentialProgram, coexecuted } = require('./program_runner');

const SEEDS = Array.from({ length: 16 }, (_, i) => 1000 + i * 37);

describe('random programs agree eagerly and co-executed', () => {
  let ran = 0;
  test.each(SEEDS)('seed %i', async (seed) => {
    const spec = generateProgram(seed);
    const r = await differentialProgram(tf, coexecution, spec);
    expect(r.eager.error ?? '').not.toMatch(/^fuzz-internal/);
    expect(r.problems).toEqual([]);
    if (coexecuted(r.stats)) ran++;
  });
  afterAll(() => {
    // Most programs must co-execute (a few take paths that never settle within their iterations).
    expect(ran).toBeGreaterThanOrEqual(Math.ceil(SEEDS.length * 0.8));
  });
});
