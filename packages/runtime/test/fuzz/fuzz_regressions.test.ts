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

  // Seed 75 (and 171): a feed is named in a stretch's plan by its position among the iteration's writes,
  // which differs between paths; the plan took two uses of "feed 0" (a [5] tensor here, a [1] there) as
  // one segment input, checked only the first one's shape, and the segment's Reshape failed in ORT
  // ("Input shape:{1,5}, requested shape:{1}"); recovery then replayed it eagerly, which threw
  // ("Size(5) must match the product of shape 1"). Fixed: uses with another signature get their own slot.
  test('seed 75: a feed position seen with two signatures is two stretch inputs, each checked', async () => {
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
    ['seed 75 (as minimised)', {"seed":75,"iterations":4,"scope":"manual","async":true,"marker":true,"vars":[{"shape":[1],"seed":393808,"scale":0.5,"trainable":true},{"shape":[5,5],"seed":941437,"scale":0.5,"trainable":true},{"shape":[1,3,3],"seed":552174,"scale":0.5,"trainable":false},{"shape":[2,1],"seed":106894,"scale":0.5,"trainable":true}],"carried":[{"shape":[],"seed":284216},{"shape":[1],"seed":74202}],"optimizers":[{"kind":"rmsprop","lr":0.01,"vars":[3,0]}],"options":{"stableAfter":3,"maxTracedIterations":3,"runAhead":true},"body":[{"k":"src","out":0,"shape":[5],"dtype":"float32","src":"const","seed":117601,"value":0.5},{"k":"op","op":"stack","ins":[0,0],"out":1,"attrs":{"axis":0}},{"k":"op","op":"reshape","ins":[0],"out":5,"attrs":{"shape":[1,5,-1]}},{"k":"src","out":14,"shape":[],"dtype":"float32","src":"carried","index":0},{"k":"if","v":14,"thr":0.3,"how":"data","then":[],"else":[]},{"k":"minimize","opt":0,"body":[{"k":"src","out":32,"shape":[2,1],"dtype":"float32","src":"var","index":3},{"k":"src","out":33,"shape":[2,4],"dtype":"float32","src":"const","seed":948117,"value":1},{"k":"op","op":"matMul","ins":[32,33],"out":34,"attrs":{"transposeA":true,"transposeB":false}},{"k":"op","op":"expandDims","ins":[34],"out":35,"attrs":{"axis":2}},{"k":"op","op":"mean","ins":[35],"out":36,"attrs":{"keepDims":false}},{"k":"op","op":"lossOf","ins":[36],"out":37,"attrs":{}},{"k":"src","out":38,"shape":[1],"dtype":"float32","src":"var","index":0},{"k":"op","op":"expandDims","ins":[38],"out":39,"attrs":{"axis":0}},{"k":"op","op":"lossOf","ins":[39],"out":40,"attrs":{}},{"k":"op","op":"add","ins":[37,40],"out":41,"attrs":{}}],"loss":41,"out":42,"varList":[3,0]},{"k":"op","op":"tile","ins":[0],"out":43,"attrs":{"reps":[2]}}]}],
    // The same bug: a try block that throws before its first write shifts the feed positions.
    ['seed 171 (as minimised)', {"seed":171,"iterations":4,"scope":"tidy","async":false,"marker":false,"vars":[{"shape":[1,4,4],"seed":360693,"scale":0.5,"trainable":true},{"shape":[6,3],"seed":796329,"scale":0.5,"trainable":true},{"shape":[1,4],"seed":916495,"scale":0.5,"trainable":true}],"carried":[{"shape":[5,6],"seed":262361}],"optimizers":[{"kind":"adagrad","lr":0.001,"vars":[2,1]}],"options":{"stableAfter":2,"maxTracedIterations":8,"runAhead":true},"body":[{"k":"minimize","opt":0,"body":[{"k":"src","out":0,"shape":[1,4],"dtype":"float32","src":"var","index":2},{"k":"op","op":"squaredDifference","ins":[0,0],"out":1,"attrs":{}},{"k":"op","op":"lossOf","ins":[1],"out":2,"attrs":{}},{"k":"src","out":3,"shape":[6,3],"dtype":"float32","src":"var","index":1},{"k":"op","op":"minimum","ins":[3,3],"out":4,"attrs":{}},{"k":"op","op":"softplus","ins":[4],"out":5,"attrs":{}},{"k":"op","op":"split","ins":[5],"outs":[6,7],"attrs":{"sizes":[3,3],"axis":0}},{"k":"op","op":"logSoftmax","ins":[6],"out":9,"attrs":{}},{"k":"op","op":"lossOf","ins":[9],"out":10,"attrs":{}},{"k":"op","op":"add","ins":[2,10],"out":11,"attrs":{}}],"loss":11,"out":12,"varList":[2,1]},{"k":"try","body":[{"k":"src","out":13,"shape":[4,4,3],"dtype":"float32","src":"const","seed":517153,"value":1},{"k":"op","op":"logSoftmax","ins":[13],"out":14,"attrs":{}}],"throwAt":0,"when":{"kind":"prng","p":0.5}},{"k":"src","out":16,"shape":[2],"dtype":"float32","src":"random","seed":463619,"value":1},{"k":"minimize","opt":0,"body":[{"k":"src","out":37,"shape":[1,4],"dtype":"float32","src":"var","index":2},{"k":"op","op":"stack","ins":[37,37],"out":38,"attrs":{"axis":0}},{"k":"op","op":"lossOf","ins":[38],"out":39,"attrs":{}},{"k":"src","out":40,"shape":[6,3],"dtype":"float32","src":"var","index":1},{"k":"src","out":41,"shape":[6,3],"dtype":"bool","src":"fresh","seed":107747},{"k":"op","op":"where","ins":[41,40,40],"out":42,"attrs":{}},{"k":"op","op":"softmax","ins":[42],"out":43,"attrs":{}},{"k":"op","op":"pad","ins":[43],"out":44,"attrs":{"paddings":[[0,1],[1,0]],"value":-0.5}},{"k":"op","op":"lossOf","ins":[44],"out":45,"attrs":{}},{"k":"op","op":"add","ins":[39,45],"out":46,"attrs":{}}],"loss":46,"out":47,"varList":[2,1]},{"k":"if","v":16,"thr":0.3,"how":"arraySync","then":[],"else":[]}]}],
    ['seed 1259 (as minimised)', {"seed":1259,"iterations":6,"scope":"manual","async":false,"marker":true,"vars":[{"shape":[2,2],"seed":427445,"scale":0.5,"trainable":true}],"carried":[],"optimizers":[{"kind":"adam","lr":0.001,"vars":[0]}],"options":{"stableAfter":1,"maxTracedIterations":3,"runAhead":true},"body":[{"k":"src","out":0,"shape":[6],"dtype":"float32","src":"random","seed":190766,"value":1},{"k":"src","out":1,"shape":[4],"dtype":"int32","src":"indices","seed":163955,"max":6},{"k":"op","op":"gather","ins":[0,1],"out":2,"attrs":{"axis":0}},{"k":"src","out":3,"shape":[1,3,4],"dtype":"float32","src":"fresh","seed":735295,"value":0},{"k":"prngIf","p":0.8,"then":[{"k":"minimize","opt":0,"body":[{"k":"src","out":5,"shape":[2,2],"dtype":"float32","src":"var","index":0},{"k":"src","out":6,"shape":[1],"dtype":"int32","src":"indices","seed":60439,"max":2},{"k":"op","op":"gather","ins":[5,6],"out":7,"attrs":{"axis":0}},{"k":"op","op":"transpose","ins":[7],"out":8,"attrs":{"perm":[1,0]}},{"k":"op","op":"lossOf","ins":[8],"out":9,"attrs":{}}],"loss":9,"out":10,"varList":[0]}],"else":[]},{"k":"src","out":22,"shape":[2,3,2],"dtype":"float32","src":"fresh","seed":301766,"value":0},{"k":"src","out":23,"shape":[5],"dtype":"int32","src":"indices","seed":696555,"max":2},{"k":"op","op":"gather","ins":[22,23],"out":24,"attrs":{"axis":0}},{"k":"if","v":24,"thr":0,"how":"arraySync","then":[],"else":[{"k":"op","op":"divSafe","ins":[3,3],"out":33,"attrs":{}}]},{"k":"src","out":34,"shape":[5],"dtype":"float32","src":"fresh","seed":839420,"value":-2},{"k":"op","op":"cumsum","ins":[34],"out":35,"attrs":{"axis":0,"exclusive":false,"reverse":true}}]}],
  ];
  test.each(SPECS)('%s', async (_name, spec) => {
    const r = await differentialProgram(tf, coexecution, spec, { lenient: true });
    expect(r.problems).toEqual([]);
    expect(coexecuted(r.stats)).toBe(true);
  });
});
