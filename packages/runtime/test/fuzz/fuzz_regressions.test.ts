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

  // Seed 75: a run-ahead stretch wires the ExpandDims of a variable ([1]) to the input of an earlier
  // Reshape of a feed ([5]) in the same stretch (plan position 17 takes position 1's input token), so
  // the segment's Reshape fails in ORT ("Input shape:{1,5}, requested shape:{1}"), and its eager replay
  // fails the same way ("Size(5) must match the product of shape 1"). Introduced with c644a3b (run-ahead
  // past shared nodes); passes at dcdfbda. Open: marked failing until fixed (then make it a plain test).
  test.failing('seed 75: a stretch past a shared node takes each input from its own source', async () => {
    const r = await differential(async (log) => {
      const v0 = tf.variable(data(393808, [1], 0.5));
      const v3 = tf.variable(data(106894, [2, 1], 0.5));
      const c0 = data(284216, []);
      const opt = tf.train.rmsprop(0.01);
      for (let it = 0; it < 4; it++) {
        const x0 = data(117601, [5]);
        const held = [x0, tf.tidy(() => tf.stack([x0, x0], 0)), tf.tidy(() => tf.reshape(x0, [1, 5, -1]))];
        const m = tf.tidy(() => tf.mean(c0));
        log((await m.data())[0]);
        m.dispose();
        held.push(opt.minimize(() => {
          const a = tf.tidy(() => tf.matMul(v3, data(948117, [2, 4]), true, false));
          const l1 = tf.tidy(() => tf.mean(tf.square(tf.tanh(tf.mean(tf.expandDims(a, 2))))));
          const l2 = tf.tidy(() => tf.mean(tf.square(tf.tanh(tf.expandDims(v0, 0)))));
          return tf.tidy(() => tf.add(l1, l2)) as tf.Scalar;
        }, true, [v3, v0])!);
        held.push(tf.tidy(() => tf.tile(x0, [2])));
        tf.dispose(held);
        coexecution.markIteration();
      }
      c0.dispose();
      log(v0.dataSync(), v3.dataSync());
    }, { stableAfter: 3, maxTracedIterations: 3 });
    expectAgreement(r);
  });

  // Specs as bench/fuzz.js printed them after minimising (run leniently: a statement whose inputs
  // were deleted is skipped).
  const SPECS: Array<[string, object]> = [
    ['seed 1259 (as minimised)', {"seed":1259,"iterations":6,"scope":"manual","async":false,"marker":true,"vars":[{"shape":[2,2],"seed":427445,"scale":0.5,"trainable":true}],"carried":[],"optimizers":[{"kind":"adam","lr":0.001,"vars":[0]}],"options":{"stableAfter":1,"maxTracedIterations":3,"runAhead":true},"body":[{"k":"src","out":0,"shape":[6],"dtype":"float32","src":"random","seed":190766,"value":1},{"k":"src","out":1,"shape":[4],"dtype":"int32","src":"indices","seed":163955,"max":6},{"k":"op","op":"gather","ins":[0,1],"out":2,"attrs":{"axis":0}},{"k":"src","out":3,"shape":[1,3,4],"dtype":"float32","src":"fresh","seed":735295,"value":0},{"k":"prngIf","p":0.8,"then":[{"k":"minimize","opt":0,"body":[{"k":"src","out":5,"shape":[2,2],"dtype":"float32","src":"var","index":0},{"k":"src","out":6,"shape":[1],"dtype":"int32","src":"indices","seed":60439,"max":2},{"k":"op","op":"gather","ins":[5,6],"out":7,"attrs":{"axis":0}},{"k":"op","op":"transpose","ins":[7],"out":8,"attrs":{"perm":[1,0]}},{"k":"op","op":"lossOf","ins":[8],"out":9,"attrs":{}}],"loss":9,"out":10,"varList":[0]}],"else":[]},{"k":"src","out":22,"shape":[2,3,2],"dtype":"float32","src":"fresh","seed":301766,"value":0},{"k":"src","out":23,"shape":[5],"dtype":"int32","src":"indices","seed":696555,"max":2},{"k":"op","op":"gather","ins":[22,23],"out":24,"attrs":{"axis":0}},{"k":"if","v":24,"thr":0,"how":"arraySync","then":[],"else":[{"k":"op","op":"divSafe","ins":[3,3],"out":33,"attrs":{}}]},{"k":"src","out":34,"shape":[5],"dtype":"float32","src":"fresh","seed":839420,"value":-2},{"k":"op","op":"cumsum","ins":[34],"out":35,"attrs":{"axis":0,"exclusive":false,"reverse":true}}]}],
  ];
  const OPEN: Array<[string, object]> = [
    ['seed 75 (as minimised)', {"seed":75,"iterations":4,"scope":"manual","async":true,"marker":true,"vars":[{"shape":[1],"seed":393808,"scale":0.5,"trainable":true},{"shape":[5,5],"seed":941437,"scale":0.5,"trainable":true},{"shape":[1,3,3],"seed":552174,"scale":0.5,"trainable":false},{"shape":[2,1],"seed":106894,"scale":0.5,"trainable":true}],"carried":[{"shape":[],"seed":284216},{"shape":[1],"seed":74202}],"optimizers":[{"kind":"rmsprop","lr":0.01,"vars":[3,0]}],"options":{"stableAfter":3,"maxTracedIterations":3,"runAhead":true},"body":[{"k":"src","out":0,"shape":[5],"dtype":"float32","src":"const","seed":117601,"value":0.5},{"k":"op","op":"stack","ins":[0,0],"out":1,"attrs":{"axis":0}},{"k":"op","op":"reshape","ins":[0],"out":5,"attrs":{"shape":[1,5,-1]}},{"k":"src","out":14,"shape":[],"dtype":"float32","src":"carried","index":0},{"k":"if","v":14,"thr":0.3,"how":"data","then":[],"else":[]},{"k":"minimize","opt":0,"body":[{"k":"src","out":32,"shape":[2,1],"dtype":"float32","src":"var","index":3},{"k":"src","out":33,"shape":[2,4],"dtype":"float32","src":"const","seed":948117,"value":1},{"k":"op","op":"matMul","ins":[32,33],"out":34,"attrs":{"transposeA":true,"transposeB":false}},{"k":"op","op":"expandDims","ins":[34],"out":35,"attrs":{"axis":2}},{"k":"op","op":"mean","ins":[35],"out":36,"attrs":{"keepDims":false}},{"k":"op","op":"lossOf","ins":[36],"out":37,"attrs":{}},{"k":"src","out":38,"shape":[1],"dtype":"float32","src":"var","index":0},{"k":"op","op":"expandDims","ins":[38],"out":39,"attrs":{"axis":0}},{"k":"op","op":"lossOf","ins":[39],"out":40,"attrs":{}},{"k":"op","op":"add","ins":[37,40],"out":41,"attrs":{}}],"loss":41,"out":42,"varList":[3,0]},{"k":"op","op":"tile","ins":[0],"out":43,"attrs":{"reps":[2]}}]}],
  ];
  test.each(SPECS)('%s', async (_name, spec) => {
    const r = await differentialProgram(tf, coexecution, spec, { lenient: true });
    expect(r.problems).toEqual([]);
    expect(coexecuted(r.stats)).toBe(true);
  });
  test.failing.each(OPEN)('%s (open)', async (_name, spec) => {
    const r = await differentialProgram(tf, coexecution, spec, { lenient: true });
    expect(r.problems).toEqual([]);
  });
});
