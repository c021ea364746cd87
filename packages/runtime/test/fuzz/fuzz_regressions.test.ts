/**
 * Every disagreement the fuzzer (bench/fuzz.js) found, as a named test: the program it minimised,
 * kept as the generator's data (run by the same runner), and where that reads poorly, the same
 * program written out in plain tfjs.
 */
import { coexecution } from '@terrajs/runtime';
import { differential, expectAgreement, prng, tf } from '../coexec/harness';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { differentialProgram, coexecuted, values } = require('./program_runner');

/** The generator's seeded source values (the bug needs these exact values: they steer a branch). */
function data(seed: number, shape: number[], scale = 1): tf.Tensor {
  return tf.tensor(values(seed, shape, 'float32', scale), shape);
}

/** Indices in [0, max) from a seed (the generator's 'indices' source). */
function indices(seed: number, n: number, max: number): tf.Tensor {
  const next = prng(seed);
  return tf.tensor(Array.from({ length: n }, () => Math.floor(next() * max)), [n], 'int32');
}

describe('fuzzer regressions', () => {
  // Seed 1259: a run-ahead stretch none of whose values the traces kept (RealDiv, Cumsum) posts no run,
  // and pinned none of its inputs; one input (a tidy intermediate of the stretch before) was freed in
  // the worker, and recomputing the RealDiv output JS still held read a value the worker no longer had.
  test('seed 1259: a stretch with no outputs keeps its inputs pinned while JS may still need what it computed', async () => {
    const r = await differential((log) => {
      const v = tf.variable(data(427445, [2, 2], 0.5));
      const opt = tf.train.adam(0.001);
      const rand = prng(1259 ^ 0x5bd1e995);
      for (let it = 0; it < 6; it++) {
        const held: tf.Tensor[] = [];
        const keep = <T extends tf.Tensor>(t: T): T => {
          held.push(t);
          return t;
        };
        const a = keep(tf.randomNormal([6], 0, 1, 'float32', 190766 + it));
        keep(tf.tidy(() => tf.gather(a, keep(indices(163955, 4, 6)))));
        const x3 = keep(data(735295 + 7919 * it, [1, 3, 4]));
        if (rand() < 0.8) {
          keep(opt.minimize(() => {
            const g = tf.tidy(() => tf.gather(v, indices(60439, 1, 2)));
            const t = tf.tidy(() => tf.transpose(g, [1, 0]));
            return tf.tidy(() => tf.mean(tf.square(tf.tanh(t)))) as tf.Scalar;
          }, true, [v])!);
        }
        const g24 = keep(tf.tidy(() => tf.gather(keep(data(301766 + 7919 * it, [2, 3, 2])), keep(indices(696555, 5, 2)))));
        const m = tf.tidy(() => tf.mean(g24));
        const mean = m.arraySync() as number;
        m.dispose();
        log(mean);
        if (!(mean > 0)) keep(tf.tidy(() => tf.div(x3, tf.add(tf.abs(x3), 1))));
        keep(tf.tidy(() => tf.cumsum(keep(data(839420 + 7919 * it, [5])), 0, false, true)));
        tf.dispose(held);
        coexecution.markIteration();
      }
      log(v.dataSync());
    }, { stableAfter: 1, maxTracedIterations: 3 });
    expectAgreement(r);
    expect(r.stats.runAhead.stretches).toBeGreaterThan(0);
  });

  // Specs as bench/fuzz.js printed them after minimising (run leniently: a statement whose inputs
  // were deleted is skipped).
  const SPECS: Array<[string, object]> = [
    ['seed 1259 (as minimised)', {"seed":1259,"iterations":6,"scope":"manual","async":false,"marker":true,"vars":[{"shape":[2,2],"seed":427445,"scale":0.5,"trainable":true}],"carried":[],"optimizers":[{"kind":"adam","lr":0.001,"vars":[0]}],"options":{"stableAfter":1,"maxTracedIterations":3,"runAhead":true},"body":[{"k":"src","out":0,"shape":[6],"dtype":"float32","src":"random","seed":190766,"value":1},{"k":"src","out":1,"shape":[4],"dtype":"int32","src":"indices","seed":163955,"max":6},{"k":"op","op":"gather","ins":[0,1],"out":2,"attrs":{"axis":0}},{"k":"src","out":3,"shape":[1,3,4],"dtype":"float32","src":"fresh","seed":735295,"value":0},{"k":"prngIf","p":0.8,"then":[{"k":"minimize","opt":0,"body":[{"k":"src","out":5,"shape":[2,2],"dtype":"float32","src":"var","index":0},{"k":"src","out":6,"shape":[1],"dtype":"int32","src":"indices","seed":60439,"max":2},{"k":"op","op":"gather","ins":[5,6],"out":7,"attrs":{"axis":0}},{"k":"op","op":"transpose","ins":[7],"out":8,"attrs":{"perm":[1,0]}},{"k":"op","op":"lossOf","ins":[8],"out":9,"attrs":{}}],"loss":9,"out":10,"varList":[0]}],"else":[]},{"k":"src","out":22,"shape":[2,3,2],"dtype":"float32","src":"fresh","seed":301766,"value":0},{"k":"src","out":23,"shape":[5],"dtype":"int32","src":"indices","seed":696555,"max":2},{"k":"op","op":"gather","ins":[22,23],"out":24,"attrs":{"axis":0}},{"k":"if","v":24,"thr":0,"how":"arraySync","then":[],"else":[{"k":"op","op":"divSafe","ins":[3,3],"out":33,"attrs":{}}]},{"k":"src","out":34,"shape":[5],"dtype":"float32","src":"fresh","seed":839420,"value":-2},{"k":"op","op":"cumsum","ins":[34],"out":35,"attrs":{"axis":0,"exclusive":false,"reverse":true}}]}],
  ];
  test.each(SPECS)('%s', async (_name, spec) => {
    const r = await differentialProgram(tf, coexecution, spec, { lenient: true });
    expect(r.problems).toEqual([]);
    expect(coexecuted(r.stats)).toBe(true);
  });
});
