'use strict';
/**
 * Runs the programs of program_generator.js, and runs each one twice, eagerly on the terra backend and
 * under co-execution, comparing everything observable: every value read (in order), the messages of
 * the errors caught and of the one that ended the program, the final values of every variable and
 * carried tensor, and the number of tensors left behind.
 *
 * tfjs and the runtime's coexecution API are passed in, so Jest (sources) and bench/fuzz.js (dist)
 * share this file.
 */
const { prng, size } = require('./program_generator');

/** Deterministic values for a source tensor: floats in [-1, 1), ints in [-4, 4], bools. */
function values(seed, shape, dtype, scale = 1) {
  const next = prng(seed);
  const n = size(shape);
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = next();
    out[i] = dtype === 'bool' ? (r < 0.5 ? 0 : 1) : dtype === 'int32' ? Math.floor(r * 9) - 4 : (2 * r - 1) * scale;
  }
  return out;
}

/** What each generated op name means in tfjs. */
const OPS = {
  neg: (tf, [x]) => tf.neg(x),
  abs: (tf, [x]) => tf.abs(x),
  tanh: (tf, [x]) => tf.tanh(x),
  sigmoid: (tf, [x]) => tf.sigmoid(x),
  relu: (tf, [x]) => tf.relu(x),
  relu6: (tf, [x]) => tf.relu6(x),
  elu: (tf, [x]) => tf.elu(x),
  selu: (tf, [x]) => tf.selu(x),
  softplus: (tf, [x]) => tf.softplus(x),
  sin: (tf, [x]) => tf.sin(x),
  cos: (tf, [x]) => tf.cos(x),
  square: (tf, [x]) => tf.square(x),
  atan: (tf, [x]) => tf.atan(x),
  erf: (tf, [x]) => tf.erf(x),
  expClip: (tf, [x]) => tf.exp(tf.clipByValue(x, -6, 6)),
  sqrtAbs: (tf, [x]) => tf.sqrt(tf.abs(x)),
  log1pAbs: (tf, [x]) => tf.log1p(tf.abs(x)),
  recip: (tf, [x]) => tf.reciprocal(tf.add(tf.abs(x), 1)),
  leakyRelu: (tf, [x]) => tf.leakyRelu(x, 0.2),
  clip: (tf, [x]) => tf.clipByValue(x, -0.5, 0.5),
  rsqrt: (tf, [x]) => tf.rsqrt(tf.add(tf.abs(x), 0.5)),
  floor: (tf, [x]) => tf.floor(tf.mul(x, 3)),
  ceil: (tf, [x]) => tf.ceil(tf.mul(x, 3)),
  round: (tf, [x]) => tf.round(tf.mul(x, 3)),
  sign: (tf, [x]) => tf.sign(x),
  step: (tf, [x]) => tf.step(x),
  add: (tf, [a, b]) => tf.add(a, b),
  sub: (tf, [a, b]) => tf.sub(a, b),
  mul: (tf, [a, b]) => tf.mul(a, b),
  maximum: (tf, [a, b]) => tf.maximum(a, b),
  minimum: (tf, [a, b]) => tf.minimum(a, b),
  squaredDifference: (tf, [a, b]) => tf.squaredDifference(a, b),
  divSafe: (tf, [a, b]) => tf.div(a, tf.add(tf.abs(b), 1)),
  addScalar: (tf, [a], { scalar }) => tf.add(a, scalar),
  subScalar: (tf, [a], { scalar }) => tf.sub(a, scalar),
  mulScalar: (tf, [a], { scalar }) => tf.mul(a, scalar),
  maximumScalar: (tf, [a], { scalar }) => tf.maximum(a, scalar),
  minimumScalar: (tf, [a], { scalar }) => tf.minimum(a, scalar),
  squaredDifferenceScalar: (tf, [a], { scalar }) => tf.squaredDifference(a, scalar),
  divSafeScalar: (tf, [a], { scalar }) => tf.div(a, Math.abs(scalar) + 1),
  greater: (tf, [a, b]) => tf.greater(a, b),
  less: (tf, [a, b]) => tf.less(a, b),
  greaterEqual: (tf, [a, b]) => tf.greaterEqual(a, b),
  lessEqual: (tf, [a, b]) => tf.lessEqual(a, b),
  equal: (tf, [a, b]) => tf.equal(a, b),
  notEqual: (tf, [a, b]) => tf.notEqual(a, b),
  logicalNot: (tf, [a]) => tf.logicalNot(a),
  logicalAnd: (tf, [a, b]) => tf.logicalAnd(a, b),
  logicalOr: (tf, [a, b]) => tf.logicalOr(a, b),
  where: (tf, [c, a, b]) => tf.where(c, a, b),
  matMul: (tf, [a, b], { transposeA, transposeB }) => tf.matMul(a, b, transposeA, transposeB),
  sum: (tf, [x], { axis, keepDims }) => tf.sum(x, axis, keepDims),
  mean: (tf, [x], { axis, keepDims }) => tf.mean(x, axis, keepDims),
  max: (tf, [x], { axis, keepDims }) => tf.max(x, axis, keepDims),
  min: (tf, [x], { axis, keepDims }) => tf.min(x, axis, keepDims),
  prod: (tf, [x], { axis, keepDims }) => tf.prod(x, axis, keepDims),
  logSumExp: (tf, [x], { axis, keepDims }) => tf.logSumExp(x, axis, keepDims),
  argMax: (tf, [x], { axis }) => tf.argMax(x, axis),
  argMin: (tf, [x], { axis }) => tf.argMin(x, axis),
  reshape: (tf, [x], { shape }) => tf.reshape(x, shape),
  transpose: (tf, [x], { perm }) => tf.transpose(x, perm),
  slice: (tf, [x], { begin, size: sz }) => tf.slice(x, begin, sz),
  concat: (tf, xs, { axis }) => tf.concat(xs, axis),
  stack: (tf, xs, { axis }) => tf.stack(xs, axis),
  tile: (tf, [x], { reps }) => tf.tile(x, reps),
  pad: (tf, [x], { paddings, value }) => tf.pad(x, paddings, value),
  expandDims: (tf, [x], { axis }) => tf.expandDims(x, axis),
  squeeze: (tf, [x], { axis }) => tf.squeeze(x, axis),
  conv2d: (tf, [x, f], { strides, pad }) => tf.conv2d(x, f, strides, pad),
  maxPool: (tf, [x], { strides, pad }) => tf.maxPool(x, 2, strides, pad),
  avgPool: (tf, [x], { strides, pad }) => tf.avgPool(x, 2, strides, pad),
  softmax: (tf, [x]) => tf.softmax(x),
  logSoftmax: (tf, [x]) => tf.logSoftmax(x),
  cumsum: (tf, [x], { axis, exclusive, reverse }) => tf.cumsum(x, axis, exclusive, reverse),
  gather: (tf, [x, i], { axis }) => tf.gather(x, i, axis),
  castIndex: (tf, [x], { max }) => tf.cast(tf.floor(tf.mul(tf.add(tf.clipByValue(x, -0.999, 0.999), 1), max / 2)), 'int32'),
  oneHot: (tf, [i], { depth }) => tf.oneHot(i, depth),
  topk: (tf, [x], { k }) => {
    const { values: v, indices } = tf.topk(x, k);
    return [v, indices];
  },
  split: (tf, [x], { sizes, axis }) => tf.split(x, sizes, axis),
  castInt: (tf, [x]) => tf.cast(tf.mul(x, 4), 'int32'),
  castFloat: (tf, [x]) => tf.cast(x, 'float32'),
  mixTanh: (tf, [a, b]) => tf.tanh(tf.add(tf.mul(a, 0.7), tf.mul(b, 0.3))),
  lossOf: (tf, [x]) => tf.mean(tf.square(tf.tanh(x))),
  uniqueSum: (tf, [x]) => tf.sum(tf.unique(tf.reshape(tf.round(tf.mul(x, 2)), [-1])).values),
};

function makeOptimizer(tf, { kind, lr }) {
  switch (kind) {
    case 'sgd': return tf.train.sgd(lr);
    case 'momentum': return tf.train.momentum(lr, 0.9);
    case 'adam': return tf.train.adam(lr);
    case 'rmsprop': return tf.train.rmsprop(lr);
    case 'adagrad': return tf.train.adagrad(lr);
    case 'adamax': return tf.train.adamax(lr);
    default: return tf.train.adadelta(lr);
  }
}

/** An exception the program throws on purpose (and catches). */
class FuzzThrow extends Error {}

/** A statement whose inputs were deleted by the minimiser: skipped (only when `lenient`). */
class Missing extends Error {}

/** The state of one run of a program. */
class Run {
  constructor(tf, spec, coexecution, lenient) {
    this.tf = tf;
    this.spec = spec;
    this.coexecution = coexecution;
    this.lenient = lenient;
    this.log = [];
    this.rand = prng(spec.seed ^ 0x5bd1e995);
  }

  get(id) {
    const t = this.regs.get(id);
    if (!t || t.isDisposed) {
      if (this.lenient) throw new Missing();
      throw new Error(`fuzz-internal: register ${id} is ${t ? 'disposed' : 'undefined'}`);
    }
    return t;
  }

  set(id, t) {
    this.regs.set(id, t);
    this.created.push(t);
  }

  source(s) {
    const tf = this.tf;
    const it = this.it;
    switch (s.src) {
      case 'var': return this.vars[s.index];
      case 'carried': return this.carried[s.index];
      case 'const': return tf.tensor(values(s.seed, s.shape, s.dtype), s.shape, s.dtype);
      case 'fresh': return tf.tensor(values(s.seed + 7919 * it, s.shape, s.dtype), s.shape, s.dtype);
      case 'fill': return tf.fill(s.shape, s.dtype === 'bool' ? 1 : s.value, s.dtype);
      case 'random':
      case 'randomFixed': {
        const seed = s.src === 'random' ? s.seed + it : s.seed;
        if (s.dtype === 'int32') return tf.randomUniform(s.shape, -4, 5, 'int32', seed);
        return tf.randomNormal(s.shape, 0, 1, 'float32', seed);
      }
      case 'indices':
      case 'freshIndices': {
        const next = prng(s.src === 'indices' ? s.seed : s.seed + 31 * it);
        return tf.tensor(Array.from({ length: size(s.shape) }, () => Math.floor(next() * s.max)), s.shape, 'int32');
      }
      default: throw new Error(`fuzz-internal: source ${s.src}`);
    }
  }

  /** Executes statements; yields each read ({tensor, how}) and resumes with its values. */
  * exec(stmts) {
    for (const s of stmts) {
      try {
        yield* this.stmt(s);
      } catch (e) {
        if (!(e instanceof Missing)) throw e;
      }
    }
  }

  * stmt(s) {
    const tf = this.tf;
    switch (s.k) {
      case 'src': {
        const t = this.source(s);
        this.regs.set(s.out, t);
        if (s.src !== 'var' && s.src !== 'carried') this.created.push(t);
        return;
      }
      case 'op': {
        const ins = s.ins.map((id) => this.get(id));
        let out;
        try {
          out = tf.tidy(() => OPS[s.op](tf, ins, s.attrs));
        } catch (e) {
          // The generator tracks shapes: a tfjs error here is the generator's bug, not the program's.
          throw new Error(`fuzz-internal: ${s.op}(${ins.map((t) => `[${t.shape}] ${t.dtype}`).join(', ')}) ${JSON.stringify(s.attrs)}: ${e.message}`);
        }
        if (s.outs) s.outs.forEach((id, i) => this.set(id, out[i]));
        else this.set(s.out, out);
        return;
      }
      case 'read': {
        const vals = yield { tensor: this.get(s.v), how: s.how };
        this.log.push(...vals);
        return;
      }
      case 'if': {
        const m = tf.tidy(() => tf.mean(tf.cast(this.get(s.v), 'float32')));
        const [v] = yield { tensor: m, how: s.how };
        m.dispose();
        this.log.push(v > s.thr ? 'then' : 'else');
        yield* this.exec(v > s.thr ? s.then : s.else);
        return;
      }
      case 'prngIf': {
        const taken = this.rand() < s.p;
        yield* this.exec(taken ? s.then : s.else);
        return;
      }
      case 'iterIf': {
        yield* this.exec(this.it >= s.from && (this.it - s.from) % s.mod === 0 ? s.then : s.else);
        return;
      }
      case 'while': {
        let t = this.get(s.v);
        let n = 0;
        for (;;) {
          const m = tf.tidy(() => tf.mean(tf.abs(t)));
          const [v] = yield { tensor: m, how: s.how };
          m.dispose();
          if (!(v > s.thr && n < s.max)) break;
          t = tf.mul(t, s.factor);
          this.created.push(t);
          n++;
        }
        this.log.push(n);
        // A loop that ran no iteration still gives a tensor of its own: disposing it leaves the input.
        if (n === 0) {
          t = tf.clone(t);
          this.created.push(t);
        }
        this.regs.set(s.out, t);
        return;
      }
      case 'try': {
        try {
          for (let i = 0; i <= s.body.length; i++) {
            if (i === s.throwAt && this.throws(s.when)) throw new FuzzThrow('thrown by the program');
            if (i < s.body.length) yield* this.exec([s.body[i]]);
          }
        } catch (e) {
          if (e instanceof Missing || (e instanceof Error && e.message.startsWith('fuzz-internal'))) throw e;
          this.log.push(`caught: ${e.message}`);
        }
        return;
      }
      case 'bad': {
        const x = this.get(s.v);
        if (s.kind === 'matMul') tf.matMul(x, tf.ones([x.shape[1] + 1, 2]));
        else if (s.kind === 'reshape') tf.reshape(x, [size(x.shape) + 1]);
        else {
          const d = tf.add(x, 1);
          d.dispose();
          tf.mul(d, 2);
        }
        throw new Error('fuzz-internal: a bad op did not throw');
      }
      case 'assign':
        this.vars[s.var].assign(this.get(s.v));
        return;
      case 'carry': {
        const next = tf.keep(tf.clone(this.get(s.v)));
        this.carried[s.slot].dispose();
        this.carried[s.slot] = next;
        return;
      }
      case 'minimize': {
        const opt = this.opts[s.opt];
        const varList = s.varList?.map((i) => this.vars[i]);
        const loss = opt.minimize(() => {
          drive(this.exec(s.body));
          return this.get(s.loss);
        }, true, varList);
        this.set(s.out, loss);
        return;
      }
      case 'dispose':
        this.get(s.v).dispose();
        return;
      case 'leak':
        this.leaked.add(this.get(s.v));
        return;
      case 'tidy': {
        const out = tf.tidy(() => {
          drive(this.exec(s.body));
          return s.ret === undefined ? undefined : this.get(s.ret);
        });
        if (s.out !== undefined && out) this.set(s.out, out);
        return;
      }
      case 'tempVar': {
        const v = tf.variable(tf.tanh(this.get(s.v)));
        const out = tf.mul(v, 0.5);
        v.dispose();
        this.set(s.out, out);
        return;
      }
      default:
        throw new Error(`fuzz-internal: statement ${s.k}`);
    }
  }

  throws(when) {
    if (when.kind === 'prng') return this.rand() < when.p;
    return this.it % when.mod === when.at;
  }

  async run() {
    const { tf, spec } = this;
    this.vars = spec.vars.map((v) => tf.variable(tf.tensor(values(v.seed, v.shape, 'float32', v.scale), v.shape), v.trainable));
    this.carried = spec.carried.map((c) => tf.keep(tf.tensor(values(c.seed, c.shape, 'float32'), c.shape)));
    this.opts = spec.optimizers.map((o) => makeOptimizer(tf, o));
    this.leaked = new Set();
    let error;
    try {
      for (this.it = 0; this.it < spec.iterations; this.it++) {
        this.regs = new Map();
        this.created = [];
        try {
          if (spec.raiseAt === this.it) throw new Error('the program stopped with an uncaught error');
          if (spec.scope === 'tidy') tf.tidy(() => drive(this.exec(spec.body)));
          else if (spec.async) await driveAsync(this.exec(spec.body));
          else drive(this.exec(spec.body));
        } finally {
          for (const t of this.created) if (!this.leaked.has(t)) t.dispose();
        }
        if (spec.marker) this.coexecution.markIteration();
      }
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const final = [];
    for (const v of this.vars) final.push(...v.dataSync());
    for (const c of this.carried) final.push(...c.dataSync());
    tf.dispose(this.carried);
    for (const o of this.opts) o.dispose();
    return { log: this.log, error, final };
  }
}

function flatten(a) {
  return Array.isArray(a) ? a.flatMap(flatten) : [Number(a)];
}

function readSync({ tensor, how }) {
  return how === 'arraySync' ? flatten(tensor.arraySync()) : Array.from(tensor.dataSync());
}

function drive(gen) {
  for (let step = gen.next(); !step.done; step = gen.next(readSync(step.value)));
}

async function driveAsync(gen) {
  for (let step = gen.next(); !step.done;) {
    const { tensor, how } = step.value;
    let vals;
    if (how === 'data') vals = Array.from(await tensor.data());
    else if (how === 'array') vals = flatten(await tensor.array());
    else vals = readSync(step.value);
    step = gen.next(vals);
  }
}

/** Runs a program once (eagerly, or co-executed if co-execution was started). */
function runProgram(tf, spec, coexecution, { lenient = false } = {}) {
  return new Run(tf, spec, coexecution, lenient).run();
}

const REL_TOL = 1e-3;
const ABS_TOL = 1e-4;

function close(a, b) {
  if (typeof a !== 'number' || typeof b !== 'number') return a === b;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  const d = Math.abs(a - b);
  return d <= ABS_TOL || d <= REL_TOL * Math.max(Math.abs(a), Math.abs(b));
}

/** The first differences between two runs' reports (empty: they agree). */
function compareReports(eager, coexec) {
  const problems = [];
  if (eager.error !== coexec.error) problems.push(`error: eager ${JSON.stringify(eager.error)}, co-executed ${JSON.stringify(coexec.error)}`);
  for (const key of ['log', 'final']) {
    const a = eager[key];
    const b = coexec[key];
    if (a.length !== b.length) problems.push(`${key}: ${a.length} entries eagerly, ${b.length} co-executed`);
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n && problems.length < 5; i++) {
      if (!close(a[i], b[i])) problems.push(`${key}[${i}]: eager ${a[i]}, co-executed ${b[i]}`);
    }
  }
  return problems;
}

/**
 * Runs `spec` eagerly and co-executed on the terra backend. Returns both reports, the co-execution
 * counters and the disagreements (empty when everything observable agrees).
 */
async function differentialProgram(tf, coexecution, spec, { lenient = false } = {}) {
  await tf.setBackend('terra');
  // Variables an earlier program left registered would be counted against this one.
  tf.disposeVariables();
  let before = tf.memory().numTensors;
  const eager = await runProgram(tf, spec, coexecution, { lenient });
  tf.disposeVariables();
  const eagerLeaked = tf.memory().numTensors - before;
  before = tf.memory().numTensors;
  coexecution.start(spec.options);
  let coexec;
  let stats;
  try {
    coexec = await runProgram(tf, spec, coexecution, { lenient });
    stats = coexecution.stats();
  } catch (e) {
    coexec = { log: [], final: [], error: `the co-executed run failed outside the program: ${e.stack}` };
  } finally {
    try {
      await coexecution.stop();
    } catch (e) {
      coexec.error = `coexecution.stop() failed: ${e.stack}`;
    }
  }
  tf.disposeVariables();
  const coexecLeaked = tf.memory().numTensors - before;
  const problems = compareReports(eager, coexec);
  if (eagerLeaked !== coexecLeaked) problems.push(`tensors left behind: eager ${eagerLeaked}, co-executed ${coexecLeaked}`);
  return { eager, coexec, stats, problems };
}

/**
 * Whether co-execution really ran part of the program (else the comparison tested nothing): kernels in
 * segments, or in kernel programs (a batch's first occurrence, and a batch first seen late, which is
 * compiled only when it comes again).
 */
function coexecuted(stats) {
  return !!stats && stats.iterations.coexecuted + stats.iterations.diverged > 0 &&
    stats.kernels.delegated + stats.kernels.kernelByKernel > 0;
}

module.exports = { runProgram, differentialProgram, compareReports, coexecuted, values, OPS };
