'use strict';
/**
 * Random tfjs programs for differential fuzzing of co-execution (docs/reliability.md).
 *
 * A program is data (a spec), not source text: a seed gives the spec, and program_runner.js
 * interprets it. Being data, a failing program can be minimised by deleting statements (minimise.js)
 * and kept verbatim as a regression test. The generator tracks every register's shape and dtype, so
 * every program it makes is valid tfjs; only the statements that mean to throw do.
 *
 * Plain CommonJS, so that the Jest tests and bench/fuzz.js share it without a build step.
 */

/** mulberry32: small, seeded, the same sequence everywhere. */
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAX_ELEMENTS = 384;
const size = (shape) => shape.reduce((a, b) => a * b, 1);

// Unary float ops (the runner's table has their definitions). `diff`: has a useful gradient.
const UNARY_FLOAT = [
  ['neg', true], ['abs', true], ['tanh', true], ['sigmoid', true], ['relu', true], ['relu6', true], ['elu', true],
  ['selu', true], ['softplus', true], ['sin', true], ['cos', true], ['square', true], ['atan', true], ['erf', true],
  ['expClip', true], ['sqrtAbs', false], ['log1pAbs', true], ['recip', true], ['leakyRelu', true], ['clip', true],
  ['rsqrt', true], ['floor', false], ['ceil', false], ['round', false], ['sign', false], ['step', false],
];
const BINARY_FLOAT = [['add', true], ['sub', true], ['mul', true], ['maximum', true], ['minimum', true],
  ['squaredDifference', true], ['divSafe', true]];
const BINARY_INT = ['add', 'sub', 'mul', 'maximum', 'minimum'];
const COMPARE_FLOAT = ['greater', 'less', 'greaterEqual', 'lessEqual'];
const COMPARE_INT = ['equal', 'notEqual', 'greater'];
const REDUCE_FLOAT = [['sum', true], ['mean', true], ['max', true], ['min', true], ['logSumExp', true], ['prod', false]];
const REDUCE_INT = ['sum', 'max', 'min'];
const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop', 'adagrad', 'adamax', 'adadelta'];
const READS_SYNC = ['dataSync', 'arraySync'];
const READS_ASYNC = ['data', 'array', 'dataSync'];

class Builder {
  constructor(seed) {
    this.rand = prng(seed);
    this.nextId = 0;
    this.scopes = [[]];
    this.blocks = [[]];
  }

  int(lo, hi) {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }

  pick(list) {
    return list[Math.floor(this.rand() * list.length)];
  }

  chance(p) {
    return this.rand() < p;
  }

  shuffle(list) {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.rand() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  emit(stmt) {
    this.blocks[this.blocks.length - 1].push(stmt);
    return stmt;
  }

  /** A register in the current scope (visible until the scope's block ends). */
  reg(shape, dtype, extra = {}) {
    const r = { id: this.nextId++, shape, dtype, ...extra };
    this.scopes[this.scopes.length - 1].push(r);
    return r;
  }

  live(pred = () => true) {
    return this.scopes.flat().filter((r) => !r.dead && pred(r));
  }

  /** Runs fn with a fresh block and scope; returns the statements it emitted. */
  block(fn) {
    this.blocks.push([]);
    this.scopes.push([]);
    try {
      fn();
    } finally {
      this.scopes.pop();
    }
    return this.blocks.pop();
  }
}

/** The program generator: one instance per seed. */
class ProgramGenerator {
  constructor(seed) {
    this.seed = seed;
    this.b = new Builder(seed);
    this.depth = 0;
    this.inMinimize = false;
    this.inTidy = false;
  }

  generate() {
    const b = this.b;
    const asyncReads = b.chance(0.3);
    const spec = {
      seed: this.seed,
      iterations: b.int(12, 26),
      // Async programs cannot hold an iteration in tf.tidy (tidy spans no await): they dispose by hand.
      scope: asyncReads ? 'manual' : b.pick(['tidy', 'manual']),
      async: asyncReads,
      marker: true,
      vars: [],
      carried: [],
      optimizers: [],
      options: {
        stableAfter: b.int(1, 3),
        maxTracedIterations: b.int(3, 8),
        runAhead: b.chance(0.8),
      },
      body: [],
      raiseAt: b.chance(0.05) ? b.int(3, 20) : undefined,
    };
    this.spec = spec;
    const nVars = b.int(1, 4);
    for (let i = 0; i < nVars; i++) {
      const shape = b.chance(0.6) ? [b.int(1, 6), b.int(1, 6)] : this.randomShape(b.int(1, 3));
      spec.vars.push({ shape, seed: b.int(1, 1e6), scale: 0.5, trainable: i === 0 || b.chance(0.85) });
    }
    if (b.chance(0.25)) spec.vars.push({ shape: [b.int(1, 3), b.int(1, 3), b.int(1, 3), b.int(1, 4)], seed: b.int(1, 1e6), scale: 0.5, trainable: true });
    const nCarried = b.int(0, 2);
    for (let i = 0; i < nCarried; i++) spec.carried.push({ shape: this.randomShape(b.int(0, 3)), seed: b.int(1, 1e6) });
    const nOpt = b.chance(0.7) ? b.int(1, 2) : 0;
    // tfjs optimizers keep their slots by position in the gradient list: an optimizer must always update
    // the same variables, so each has its own fixed list, and every loss depends on all of them.
    const trainable = spec.vars.map((v, i) => (v.trainable ? i : -1)).filter((i) => i >= 0);
    for (let i = 0; i < nOpt; i++) {
      const vars = b.shuffle(trainable).slice(0, b.int(1, Math.min(2, trainable.length)));
      spec.optimizers.push({ kind: b.pick(OPTIMIZERS), lr: b.pick([0.001, 0.01, 0.05, 0.1]), vars });
    }
    // With optimizer steps as boundaries the marker is optional; without them it is what ends iterations.
    const markerWanted = b.chance(0.5);
    spec.body = b.block(() => this.statements(b.int(4, 18)));
    spec.marker = markerWanted || !spec.body.some((s) => s.k === 'minimize');
    return spec;
  }

  randomShape(rank) {
    const shape = [];
    for (let i = 0; i < rank; i++) shape.push(this.b.int(1, rank >= 3 ? 4 : 6));
    return shape;
  }

  statements(n) {
    for (let i = 0; i < n; i++) this.statement();
  }

  statement() {
    const b = this.b;
    const nested = this.depth < 2;
    const choices = [
      [50, () => this.op()],
      [9, () => this.read()],
      [nested ? 4 : 0, () => this.valueIf()],
      [nested ? 4 : 0, () => this.prngIf()],
      [nested ? 3 : 0, () => this.iterIf()],
      [3, () => this.whileLoop()],
      [nested && !this.inMinimize ? 4 : 0, () => this.tryBlock()],
      [this.inMinimize ? 0 : 4, () => this.assign()],
      [this.inMinimize || this.spec.carried.length === 0 ? 0 : 3, () => this.carry()],
      [!this.inMinimize && this.spec.optimizers.length > 0 && this.depth < 2 ? 6 : 0, () => this.minimize()],
      [this.inMinimize ? 0 : 2, () => this.dispose()],
      [nested && !this.spec.async ? 2 : 0, () => this.innerTidy()],
      [this.inMinimize ? 0 : 1, () => this.tempVariable()],
      [this.inMinimize ? 0 : 1, () => this.uniqueSum()],
      [this.inMinimize ? 0 : 1, () => this.leak()],
    ];
    const total = choices.reduce((a, [w]) => a + w, 0);
    let x = b.rand() * total;
    for (const [w, f] of choices) {
      if ((x -= w) < 0) {
        f();
        return;
      }
    }
  }

  // ---- sources ----

  /** A tensor from outside the iteration's computation: JS-written data, a variable, a carried value. */
  source(shape, dtype = 'float32') {
    const b = this.b;
    if (dtype === 'float32') {
      const vars = this.spec.vars.map((v, i) => [v, i]).filter(([v]) => sameShape(v.shape, shape));
      if (vars.length && b.chance(0.3)) {
        const [, index] = b.pick(vars);
        return this.emitSource({ src: 'var', index }, shape, dtype, { fromVar: index });
      }
      const carried = this.spec.carried.map((c, i) => [c, i]).filter(([c]) => sameShape(c.shape, shape));
      if (carried.length && !this.inMinimize && b.chance(0.3)) {
        const [, index] = b.pick(carried);
        return this.emitSource({ src: 'carried', index }, shape, dtype, { fromCarried: index });
      }
    }
    const kind = dtype === 'bool' ? b.pick(['const', 'fresh'])
      : b.pick(['const', 'const', 'fresh', 'fresh', 'random', 'randomFixed', 'fill', 'scalarConst']);
    if (kind === 'scalarConst' && shape.length !== 0) return this.emitSource({ src: 'const', seed: b.int(1, 1e6) }, shape, dtype);
    return this.emitSource({ src: kind === 'scalarConst' ? 'const' : kind, seed: b.int(1, 1e6), value: b.pick([0, 1, 0.5, -2]) }, shape, dtype);
  }

  emitSource(src, shape, dtype, extra = {}) {
    const r = this.b.reg(shape, dtype, extra);
    this.b.emit({ k: 'src', out: r.id, shape, dtype, ...src });
    return r;
  }

  live(pred) {
    return this.b.live(pred);
  }

  /** A live register matching pred, or (sometimes, or when none does) a new source of `shape`. */
  input(pred, makeShape, dtype = 'float32') {
    const found = this.live((r) => r.dtype === dtype && pred(r) && !(this.inMinimize && r.nograd));
    if (found.length && !this.b.chance(0.2)) return this.b.pick(found);
    const shape = makeShape();
    if (!shape) return undefined;
    return this.source(shape, dtype);
  }

  float(minRank = 0, maxRank = 4) {
    return this.input((r) => r.shape.length >= minRank && r.shape.length <= maxRank,
      () => this.randomShape(this.b.int(minRank, Math.min(maxRank, 3))));
  }

  /** A tensor of exactly this shape (an existing one, or a source). */
  ofShape(shape, dtype = 'float32') {
    return this.input((r) => sameShape(r.shape, shape), () => shape, dtype);
  }

  /** A shape that broadcasts into `shape`. */
  broadcastPartner(shape) {
    const b = this.b;
    switch (b.int(0, 4)) {
      case 0: return [];
      case 1: return shape.slice(b.int(0, shape.length));
      case 2: return shape.map((d) => (b.chance(0.4) ? 1 : d));
      default: return [...shape];
    }
  }

  // ---- operations ----

  op(x) {
    const b = this.b;
    const gens = this.opGenerators().filter((g) => !this.inMinimize || g.diff);
    for (let attempt = 0; attempt < 6; attempt++) {
      const g = b.pick(gens);
      const input = x ?? this.input((r) => g.accepts(r), () => g.shape && g.shape(), g.dtype ?? 'float32');
      if (!input || !g.accepts(input)) continue;
      const out = g.gen(input);
      if (out) return out;
    }
    return undefined;
  }

  emitOp(op, ins, shape, dtype, attrs = {}, extra = {}) {
    if (size(shape) > MAX_ELEMENTS || shape.some((d) => d < 1)) return undefined;
    const r = this.b.reg(shape, dtype, extra);
    this.b.emit({ k: 'op', op, ins: ins.map((i) => i.id), out: r.id, attrs });
    return r;
  }

  opGenerators() {
    const b = this.b;
    const isFloat = (r) => r.dtype === 'float32';
    const rank = (lo, hi = 4) => (r) => r.shape.length >= lo && r.shape.length <= hi;
    const f = (lo = 0, hi = 4) => (r) => isFloat(r) && rank(lo, hi)(r);
    const shapeOf = (lo, hi) => () => this.randomShape(b.int(lo, hi));
    return [
      {
        diff: true, accepts: f(), shape: shapeOf(0, 3), gen: (x) => {
          const [op] = b.pick(this.inMinimize ? UNARY_FLOAT.filter(([, d]) => d) : UNARY_FLOAT);
          return this.emitOp(op, [x], x.shape, 'float32');
        },
      },
      {
        diff: true, accepts: f(), shape: shapeOf(0, 3), gen: (x) => {
          const [op] = b.pick(BINARY_FLOAT);
          const y = this.ofShape(this.broadcastPartner(x.shape));
          const swap = b.chance(0.3);
          if (b.chance(0.15) && !swap) return this.emitOp(`${op}Scalar`, [x], x.shape, 'float32', { scalar: b.pick([0.5, 2, -1, 0.1]) });
          return this.emitOp(op, swap ? [y, x] : [x, y], x.shape, 'float32');
        },
      },
      {
        // Both sides broadcast: [m, 1] op [1, n] -> [m, n].
        diff: true, accepts: (r) => f(2, 2)(r) && r.shape[1] === 1, shape: () => [b.int(1, 6), 1], gen: (x) => {
          const c = this.ofShape([1, b.int(1, 5)]);
          return this.emitOp(b.pick(BINARY_FLOAT)[0], [x, c], [x.shape[0], c.shape[1]], 'float32');
        },
      },
      {
        diff: true, accepts: f(2, 3), shape: shapeOf(2, 3), gen: (x) => {
          const tA = b.chance(0.25);
          const tB = b.chance(0.25);
          const batch = x.shape.slice(0, -2);
          const [r0, c0] = x.shape.slice(-2);
          const m = tA ? c0 : r0;
          const k = tA ? r0 : c0;
          const n = b.int(1, 6);
          const y = this.ofShape([...batch, ...(tB ? [n, k] : [k, n])]);
          return this.emitOp('matMul', [x, y], [...batch, m, n], 'float32', { transposeA: tA, transposeB: tB });
        },
      },
      {
        diff: true, accepts: f(1), shape: shapeOf(1, 3), gen: (x) => {
          const [op, diff] = b.pick(REDUCE_FLOAT.filter(([, d]) => d || !this.inMinimize));
          if (!diff && this.inMinimize) return undefined;
          const { axis, shape } = reduceAxes(b, x.shape);
          return this.emitOp(op, [x], shape, 'float32', { axis, keepDims: shape.keepDims });
        },
      },
      {
        diff: false, dtype: 'float32', accepts: f(1), shape: shapeOf(1, 3), gen: (x) => {
          const axis = b.int(0, x.shape.length - 1);
          const out = x.shape.filter((_, i) => i !== axis);
          return this.emitOp(b.pick(['argMax', 'argMin']), [x], out, 'int32', { axis });
        },
      },
      {
        diff: true, accepts: (r) => r.dtype !== 'bool' || !this.inMinimize, shape: shapeOf(1, 3), gen: (x) => {
          const shape = reshapeTarget(b, x.shape);
          return this.emitOp('reshape', [x], shape.map((d) => (d < 0 ? size(x.shape) / -d : d)), x.dtype,
            { shape: shape.map((d) => (d < 0 ? -1 : d)) });
        },
      },
      {
        diff: true, accepts: rank(2), shape: shapeOf(2, 3), gen: (x) => {
          const perm = b.shuffle(x.shape.map((_, i) => i));
          return this.emitOp('transpose', [x], perm.map((p) => x.shape[p]), x.dtype, { perm });
        },
      },
      {
        diff: true, accepts: rank(1), shape: shapeOf(1, 3), gen: (x) => {
          const begin = x.shape.map((d) => b.int(0, d - 1));
          const sz = x.shape.map((d, i) => (b.chance(0.2) ? -1 : b.int(1, d - begin[i])));
          return this.emitOp('slice', [x], sz.map((s, i) => (s < 0 ? x.shape[i] - begin[i] : s)), x.dtype, { begin, size: sz });
        },
      },
      {
        diff: true, accepts: (r) => rank(1)(r) && r.dtype !== 'bool', shape: shapeOf(1, 3), gen: (x) => {
          const axis = b.int(0, x.shape.length - 1);
          const parts = [x];
          for (let i = b.int(1, 2); i > 0; i--) {
            const s = [...x.shape];
            s[axis] = b.int(1, 3);
            parts.push(this.ofShape(s, x.dtype));
          }
          const out = [...x.shape];
          out[axis] = parts.reduce((a, p) => a + p.shape[axis], 0);
          return this.emitOp('concat', b.shuffle(parts), out, x.dtype, { axis });
        },
      },
      {
        diff: true, accepts: (r) => rank(0, 3)(r) && r.dtype !== 'bool', shape: shapeOf(0, 2), gen: (x) => {
          const y = this.ofShape(x.shape, x.dtype);
          const axis = b.int(0, x.shape.length);
          const out = [...x.shape];
          out.splice(axis, 0, 2);
          return this.emitOp('stack', [x, y], out, x.dtype, { axis });
        },
      },
      {
        diff: true, accepts: (r) => rank(1, 3)(r) && r.dtype !== 'bool', shape: shapeOf(1, 3), gen: (x) => {
          const reps = x.shape.map(() => b.int(1, 2));
          return this.emitOp('tile', [x], x.shape.map((d, i) => d * reps[i]), x.dtype, { reps });
        },
      },
      {
        diff: true, accepts: f(1, 3), shape: shapeOf(1, 3), gen: (x) => {
          const paddings = x.shape.map(() => [b.int(0, 1), b.int(0, 1)]);
          return this.emitOp('pad', [x], x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]), 'float32',
            { paddings, value: b.pick([0, 1, -0.5]) });
        },
      },
      {
        diff: true, accepts: rank(0, 3), shape: shapeOf(0, 3), gen: (x) => {
          const axis = b.int(0, x.shape.length);
          const out = [...x.shape];
          out.splice(axis, 0, 1);
          return this.emitOp('expandDims', [x], out, x.dtype, { axis });
        },
      },
      {
        diff: true, accepts: (r) => r.shape.includes(1), shape: () => [2, 1, 3], gen: (x) => {
          const ones = x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
          const axis = b.chance(0.5) ? undefined : [b.pick(ones)];
          return this.emitOp('squeeze', [x], x.shape.filter((d, i) => d !== 1 || (axis && !axis.includes(i))), x.dtype, { axis });
        },
      },
      {
        diff: true, accepts: f(4, 4), shape: () => [b.int(1, 2), b.int(3, 6), b.int(3, 6), b.int(1, 3)], gen: (x) => {
          const [n, h, w, c] = x.shape;
          const k = b.int(1, 3);
          const stride = b.pick([1, 1, 2]);
          const pad = k > Math.min(h, w) ? 'same' : b.pick(['same', 'valid']);
          const filters = this.spec.vars.map((v, i) => [v, i]).filter(([v]) => v.shape.length === 4 && v.shape[2] === c);
          const filter = filters.length && b.chance(0.6)
            ? this.emitSource({ src: 'var', index: filters[0][1] }, filters[0][0].shape, 'float32', { fromVar: filters[0][1] })
            : this.ofShape([k, k, c, b.int(1, 4)]);
          const [kh, kw, , cout] = filter.shape;
          if (pad === 'valid' && (kh > h || kw > w)) return undefined;
          const outDim = (d, kk) => (pad === 'same' ? Math.ceil(d / stride) : Math.ceil((d - kk + 1) / stride));
          return this.emitOp('conv2d', [x, filter], [n, outDim(h, kh), outDim(w, kw), cout], 'float32', { strides: stride, pad });
        },
      },
      {
        diff: true, accepts: (r) => f(4, 4)(r) && r.shape[1] >= 2 && r.shape[2] >= 2, shape: () => [1, b.int(2, 6), b.int(2, 6), b.int(1, 3)], gen: (x) => {
          const [n, h, w, c] = x.shape;
          const stride = b.pick([1, 2]);
          const pad = b.pick(['same', 'valid']);
          const outDim = (d) => (pad === 'same' ? Math.ceil(d / stride) : Math.ceil((d - 1) / stride));
          return this.emitOp(b.pick(['maxPool', 'avgPool']), [x], [n, outDim(h), outDim(w), c], 'float32', { strides: stride, pad });
        },
      },
      {
        diff: true, accepts: f(1), shape: shapeOf(1, 3), gen: (x) => this.emitOp(b.pick(['softmax', 'logSoftmax']), [x], x.shape, 'float32'),
      },
      {
        // Not in loss functions: tfjs 4.22's Cumsum gradient has the wrong shape for an inner axis.
        diff: false, accepts: f(1), shape: shapeOf(1, 3), gen: (x) => this.emitOp('cumsum', [x], x.shape, 'float32',
          { axis: b.int(0, x.shape.length - 1), exclusive: b.chance(0.3), reverse: b.chance(0.3) }),
      },
      {
        diff: true, accepts: (r) => rank(1, 3)(r) && r.dtype !== 'bool', shape: shapeOf(1, 3), gen: (x) => {
          const axis = b.int(0, x.shape.length - 1);
          const idxShape = b.chance(0.7) ? [b.int(1, 5)] : [b.int(1, 3), b.int(1, 3)];
          const indices = this.emitSource({ src: b.pick(['indices', 'freshIndices']), seed: b.int(1, 1e6), max: x.shape[axis] }, idxShape, 'int32');
          const out = [...x.shape.slice(0, axis), ...idxShape, ...x.shape.slice(axis + 1)];
          return this.emitOp('gather', [x, indices], out, x.dtype, { axis });
        },
      },
      {
        diff: false, accepts: f(1, 1), shape: () => [b.int(1, 6)], gen: (x) => {
          const depth = b.int(2, 5);
          const idx = this.emitOp('castIndex', [x], x.shape, 'int32', { max: depth });
          return idx && this.emitOp('oneHot', [idx], [...x.shape, depth], 'int32', { depth });
        },
      },
      {
        diff: false, accepts: f(1), shape: shapeOf(1, 3), gen: (x) => {
          const last = x.shape[x.shape.length - 1];
          const kk = b.int(1, last);
          const shape = [...x.shape.slice(0, -1), kk];
          const values = this.b.reg(shape, 'float32');
          const indices = this.b.reg(shape, 'int32');
          this.b.emit({ k: 'op', op: 'topk', ins: [x.id], outs: [values.id, indices.id], attrs: { k: kk } });
          return values;
        },
      },
      {
        diff: true, accepts: (r) => rank(1)(r) && r.shape.some((d) => d >= 2) && r.dtype !== 'bool', shape: () => [b.int(2, 5), b.int(1, 3)], gen: (x) => {
          const axis = x.shape.findIndex((d) => d >= 2);
          const first = b.int(1, x.shape[axis] - 1);
          const a = [...x.shape];
          a[axis] = first;
          const c = [...x.shape];
          c[axis] = x.shape[axis] - first;
          const ra = this.b.reg(a, x.dtype);
          const rc = this.b.reg(c, x.dtype);
          this.b.emit({ k: 'op', op: 'split', ins: [x.id], outs: [ra.id, rc.id], attrs: { sizes: [first, x.shape[axis] - first], axis } });
          return ra;
        },
      },
      {
        diff: false, accepts: f(), shape: shapeOf(0, 3), gen: (x) => this.emitOp('castInt', [x], x.shape, 'int32'),
      },
      {
        diff: false, dtype: 'int32', accepts: (r) => r.dtype === 'int32', shape: shapeOf(0, 3), gen: (x) => {
          switch (b.int(0, 4)) {
            case 0: return this.emitOp('castFloat', [x], x.shape, 'float32');
            case 1: return this.emitOp(b.pick(['abs', 'neg']), [x], x.shape, 'int32');
            case 2: {
              if (!x.shape.length) return undefined;
              const { axis, shape } = reduceAxes(b, x.shape);
              return this.emitOp(b.pick(REDUCE_INT), [x], shape, 'int32', { axis, keepDims: shape.keepDims });
            }
            case 3: return this.emitOp(b.pick(COMPARE_INT), [x, this.ofShape(this.broadcastPartner(x.shape), 'int32')], x.shape, 'bool');
            default: return this.emitOp(b.pick(BINARY_INT), [x, this.ofShape(this.broadcastPartner(x.shape), 'int32')], x.shape, 'int32');
          }
        },
      },
      {
        diff: false, accepts: f(), shape: shapeOf(0, 3), gen: (x) => this.emitOp(b.pick(COMPARE_FLOAT),
          [x, this.ofShape(this.broadcastPartner(x.shape))], x.shape, 'bool'),
      },
      {
        diff: false, dtype: 'bool', accepts: (r) => r.dtype === 'bool', shape: shapeOf(0, 3), gen: (x) => {
          switch (b.int(0, 3)) {
            case 0: return this.emitOp('castFloat', [x], x.shape, 'float32');
            case 1: return this.emitOp('logicalNot', [x], x.shape, 'bool');
            case 2: return this.emitOp(b.pick(['logicalAnd', 'logicalOr']), [x, this.ofShape(this.broadcastPartner(x.shape), 'bool')], x.shape, 'bool');
            default: {
              const a = this.ofShape(x.shape);
              const c = this.ofShape(x.shape);
              return this.emitOp('where', [x, a, c], x.shape, 'float32');
            }
          }
        },
      },
      {
        // where() inside a differentiable chain: the condition comes from elsewhere.
        diff: true, accepts: f(), shape: shapeOf(0, 3), gen: (x) => {
          const cond = this.emitSource({ src: 'fresh', seed: b.int(1, 1e6) }, x.shape, 'bool');
          return this.emitOp('where', [cond, x, this.ofShape(x.shape)], x.shape, 'float32');
        },
      },
    ];
  }

  // ---- statements other than operations ----

  read() {
    const regs = this.live((r) => size(r.shape) <= 64);
    if (!regs.length) return this.op();
    const r = this.b.pick(regs);
    this.b.emit({ k: 'read', v: r.id, how: this.readKind() });
  }

  readKind() {
    return this.b.pick(this.spec.async && !this.inMinimize && !this.inTidy ? READS_ASYNC : READS_SYNC);
  }

  nested(fn) {
    this.depth++;
    try {
      return this.b.block(fn);
    } finally {
      this.depth--;
    }
  }

  /** if (mean(x) > threshold): JS control flow on a value read mid-iteration. */
  valueIf() {
    const x = this.float();
    if (!x) return;
    const then = this.nested(() => this.statements(this.b.int(1, 5)));
    const otherwise = this.b.chance(0.6) ? this.nested(() => this.statements(this.b.int(1, 4))) : [];
    this.b.emit({ k: 'if', v: x.id, thr: this.b.pick([0, 0.1, -0.2, 0.3]), how: this.readKind(), then, else: otherwise });
  }

  /** if (rand() < p): a path chosen by the program's own seeded PRNG. */
  prngIf() {
    const then = this.nested(() => this.statements(this.b.int(1, 5)));
    const otherwise = this.b.chance(0.5) ? this.nested(() => this.statements(this.b.int(1, 4))) : [];
    this.b.emit({ k: 'prngIf', p: this.b.pick([0.1, 0.3, 0.5, 0.8]), then, else: otherwise });
  }

  /** A path taken on some iterations only, first taken late (after co-execution started). */
  iterIf() {
    const then = this.nested(() => this.statements(this.b.int(1, 4)));
    this.b.emit({ k: 'iterIf', from: this.b.int(2, 14), mod: this.b.pick([1, 2, 3, 5]), then, else: [] });
  }

  /** while (mean(|t|) > thr && n < max) t = t * factor: the trip count depends on values read. */
  whileLoop() {
    const x = this.float();
    if (!x) return;
    const out = this.b.reg(x.shape, 'float32');
    this.b.emit({ k: 'while', v: x.id, out: out.id, thr: this.b.pick([0.05, 0.2, 0.5]), max: this.b.int(1, 4),
      factor: this.b.pick([0.5, 0.7, 0.9]), how: this.readKind() });
  }

  /** try { ... throw (PRNG or iteration) ... or a tfjs error ... } catch { log the message }. */
  tryBlock() {
    const b = this.b;
    let throwAt;
    const body = this.nested(() => {
      const n = b.int(1, 5);
      throwAt = b.int(0, n);
      for (let i = 0; i < n; i++) this.statement();
      if (b.chance(0.3)) this.badOp();
    });
    const when = b.chance(0.5) ? { kind: 'prng', p: b.pick([0.2, 0.5]) } : { kind: 'mod', mod: b.int(2, 5), at: b.int(0, 1) };
    b.emit({ k: 'try', body, throwAt: Math.min(throwAt, body.length), when });
  }

  /** A call tfjs rejects (mismatched shapes, a disposed tensor): the error must be the same one. */
  badOp() {
    const x = this.float(2, 2);
    if (!x) return;
    this.b.emit({ k: 'bad', v: x.id, kind: this.b.pick(['matMul', 'disposed', 'reshape']) });
  }

  assign() {
    const b = this.b;
    const index = b.int(0, this.spec.vars.length - 1);
    const shape = this.spec.vars[index].shape;
    const v = this.emitSource({ src: 'var', index }, shape, 'float32', { fromVar: index });
    let x = v;
    for (let i = b.int(0, 2); i > 0; i--) {
      const next = this.op(x);
      if (next && next.dtype === 'float32' && sameShape(next.shape, shape)) x = next;
    }
    const y = this.ofShape(shape);
    const value = this.emitOp('mixTanh', [x, y], shape, 'float32');
    if (value) b.emit({ k: 'assign', var: index, v: value.id });
  }

  carry() {
    const index = this.b.int(0, this.spec.carried.length - 1);
    const shape = this.spec.carried[index].shape;
    const x = this.ofShape(shape);
    if (!x) return;
    const value = this.emitOp('mixTanh', [x, this.ofShape(shape)], shape, 'float32');
    if (!value) return;
    this.b.emit({ k: 'carry', slot: index, v: value.id });
    // The old carried value is disposed: registers that read it are dead from here on.
    for (const r of this.live((q) => q.fromCarried === index)) r.dead = true;
  }

  minimize() {
    const b = this.b;
    const opt = b.int(0, this.spec.optimizers.length - 1);
    const { vars } = this.spec.optimizers[opt];
    let loss;
    this.inMinimize = true;
    const body = this.nested(() => {
      const losses = vars.map((index) => {
        let x = this.emitSource({ src: 'var', index }, this.spec.vars[index].shape, 'float32', { fromVar: index });
        for (let i = b.int(1, 4); i > 0; i--) {
          if (b.chance(0.15)) this.statement();
          const next = this.op(x);
          if (next && next.dtype === 'float32') x = next;
        }
        return this.emitOp('lossOf', [x], [], 'float32');
      });
      loss = losses.length === 1 ? losses[0] : this.emitOp('add', losses, [], 'float32');
    });
    this.inMinimize = false;
    const out = b.reg([], 'float32');
    b.emit({ k: 'minimize', opt, body, loss: loss.id, out: out.id, varList: vars });
  }

  dispose() {
    const regs = this.live((r) => r.fromVar === undefined && r.fromCarried === undefined);
    if (!regs.length) return;
    const r = this.b.pick(regs);
    r.dead = true;
    this.b.emit({ k: 'dispose', v: r.id });
  }

  leak() {
    const regs = this.live((r) => r.fromVar === undefined && r.fromCarried === undefined);
    if (regs.length) this.b.emit({ k: 'leak', v: this.b.pick(regs).id });
  }

  innerTidy() {
    let ret;
    this.inTidy = true;
    const body = this.nested(() => {
      this.statements(this.b.int(1, 4));
      ret = this.live((r) => r.fromVar === undefined && r.fromCarried === undefined && this.b.scopes.at(-1).includes(r)).at(-1);
    });
    this.inTidy = false;
    const out = ret ? this.b.reg(ret.shape, ret.dtype) : undefined;
    this.b.emit({ k: 'tidy', body, ret: ret?.id, out: out?.id });
  }

  /** A variable made and disposed within the iteration. */
  tempVariable() {
    const x = this.float(1, 2);
    if (!x) return;
    const out = this.b.reg(x.shape, 'float32');
    this.b.emit({ k: 'tempVar', v: x.id, out: out.id });
  }

  /** Unique has no ONNX lowering: a graph break, and a shape only known from the values. */
  uniqueSum() {
    const x = this.float(1, 2);
    if (x) this.emitOp('uniqueSum', [x], [], 'float32', {}, { nograd: true });
  }
}

function sameShape(a, b) {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function reduceAxes(b, shape) {
  const rank = shape.length;
  let axis;
  switch (b.int(0, 2)) {
    case 0: axis = undefined; break;
    case 1: axis = b.int(-rank, rank - 1); break;
    default: axis = b.shuffle(shape.map((_, i) => i)).slice(0, b.int(1, rank));
  }
  const keepDims = b.chance(0.3);
  const axes = axis === undefined ? shape.map((_, i) => i) : (Array.isArray(axis) ? axis : [axis]).map((a) => (a + rank) % rank);
  const out = keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
  out.keepDims = keepDims;
  return { axis, shape: out };
}

/** A shape with the same number of elements (a negative entry -n stands for -1 resolving to size/n). */
function reshapeTarget(b, shape) {
  const factors = [];
  let n = size(shape);
  for (let p = 2; n > 1; p++) {
    while (n % p === 0) {
      factors.push(p);
      n /= p;
    }
  }
  const rank = b.int(1, 4);
  const dims = Array.from({ length: rank }, () => 1);
  for (const f of b.shuffle(factors)) dims[b.int(0, rank - 1)] *= f;
  if (b.chance(0.3)) {
    const i = b.int(0, rank - 1);
    dims[i] = -(size(dims) / dims[i]);
  }
  return dims;
}

/** The program of `seed`. */
function generateProgram(seed) {
  return new ProgramGenerator(seed).generate();
}

module.exports = { generateProgram, prng, size };
