import * as tf from '@tensorflow/tfjs-core';
import { hooks, trace } from '@terrajs/runtime';
import { TraceRecorder } from '../src/trace/recorder';

describe('trace recording', () => {
  beforeAll(async () => {
    await tf.setBackend('terra');
  });
  afterEach(() => {
    trace.endTracing();
    hooks.resetSiteStack();
  });

  it('records kernels with attrs, signatures and provenance, feeds and fetches', () => {
    const w = tf.variable(tf.ones([2, 2]), true, 'w');
    const kept = tf.keep(tf.fill([2, 2], 3));
    expect(trace.markIteration()).toBeUndefined();
    trace.beginTracing();

    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const y = tf.matMul(x, w);
    const z = tf.relu(y);
    z.dataSync();
    w.assign(z);
    const u = tf.add(tf.mul(w, kept), 1);
    const t = trace.markIteration()!;

    expect(t.kernels.map((k) => k.kernelName)).toEqual(['BatchMatMul', 'Relu', 'Multiply', 'Add']);
    const [mm, relu, mul, add] = t.kernels;
    expect(mm.inputs.map((i) => i.from)).toEqual([{ kind: 'feed', feed: 0 }, { kind: 'variable', name: 'w' }]);
    expect(mm.inputs[1]).toMatchObject({ name: 'b', dtype: 'float32', shape: [2, 2] });
    expect(JSON.parse(mm.attrs)).toEqual({ transposeA: false, transposeB: false });
    expect(relu.inputs[0].from).toEqual({ kind: 'op', op: 0, output: 0 });
    // After assign the variable holds relu's output: within the iteration it is that op's value.
    expect(mul.inputs.map((i) => i.from)).toEqual([{ kind: 'op', op: 1, output: 0 }, { kind: 'carried', slot: 0 }]);
    expect(add.inputs[1].from).toEqual({ kind: 'feed', feed: 1 });
    expect(t.feeds.map((f) => [f.shape, f.afterKernel])).toEqual([[[2, 2], 0], [[], 3]]);
    expect(t.fetches).toEqual([{ from: { kind: 'op', op: 1, output: 0 }, afterKernel: 2 }]);

    // The next trace starts fresh: the same buffers are now variables or carried values.
    tf.relu(u).dataSync();
    const next = trace.endTracing()!;
    expect(next.kernels).toHaveLength(1);
    expect(next.kernels[0].inputs[0].from).toEqual({ kind: 'carried', slot: 0 });
    expect(next.fetches[0].from).toEqual({ kind: 'op', op: 0, output: 0 });
    tf.dispose([w, kept, x, y, z, u]);
  });

  it('attributes kernels to the user-level call path and numbers them per site activation', () => {
    const state = hooks.hookState();
    trace.beginTracing();
    state.s[0] = 'train.js:3:5';
    state.d = 1;
    const a = tf.tensor1d([1, -2, 3]);
    const b = tf.abs(tf.neg(a));
    state.s[1] = 'model.js:10:2';
    state.d = 2;
    const c = tf.exp(b);
    state.d = 1;
    // Back from the deeper call, in the same activation of train.js:3:5: its count goes on.
    const d = tf.sqrt(c);
    // Another call at depth 2, then model.js:10:2 again: each is a new activation, counted from 0.
    state.s[1] = 'model.js:20:4';
    state.d = 2;
    const e = tf.relu(d);
    state.s[1] = 'model.js:10:2';
    const f = tf.exp(e);
    const t = trace.endTracing()!;
    expect(t.kernels.map((k) => [k.kernelName, k.sitePath, k.ordinal])).toEqual([
      ['Neg', ['train.js:3:5'], 0],
      ['Abs', ['train.js:3:5'], 1],
      ['Exp', ['train.js:3:5', 'model.js:10:2'], 0],
      ['Sqrt', ['train.js:3:5'], 2],
      ['Relu', ['train.js:3:5', 'model.js:20:4'], 0],
      ['Exp', ['train.js:3:5', 'model.js:10:2'], 0],
    ]);
    state.d = 0;
    tf.dispose([a, b, c, d, e, f]);
  });

  it('keeps input names, so an absent optional input does not shift the others', () => {
    trace.beginTracing();
    tf.tidy(() => tf.fused.matMul({ a: tf.ones([2, 3]), b: tf.ones([3, 2]), bias: tf.ones([2]), activation: 'relu' }));
    const t = trace.endTracing()!;
    const fused = t.kernels.find((k) => k.kernelName === '_FusedMatMul')!;
    expect(fused.inputs.map((i) => i.name)).toEqual(['a', 'b', 'bias']);
  });

  it('records only the outermost kernel and the outermost read', () => {
    trace.beginTracing();
    // Complex kernels run nested kernels on the cpu path, and a complex read reads its two parts.
    const c = tf.complex([1, 2], [3, 4]);
    tf.real(c).dataSync();
    c.dataSync();
    const t = trace.endTracing()!;
    expect(t.kernels.map((k) => k.kernelName)).toEqual(['Complex', 'Real']);
    expect(t.fetches).toHaveLength(2);
    c.dispose();
  });

  it('does not change results', async () => {
    const program = () => tf.tidy(() => Array.from(tf.softmax(tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.eye(2))).dataSync()));
    const plain = program();
    trace.beginTracing();
    expect(program()).toEqual(plain);
    expect(trace.endTracing()!.kernels.length).toBeGreaterThan(0);
  });
});

describe('TraceRecorder.commit', () => {
  const input = { dataId: {}, dtype: 'float32' as const, shape: [2] };
  const draftOf = (recorder: TraceRecorder) => recorder.draft('Relu', [['x', input]], {});

  it('copies the shapes of host outputs, and keeps a node\'s signatures as they are', () => {
    const recorder = new TraceRecorder();
    const hostShape = [2];
    const host = recorder.commit(draftOf(recorder), [{ dataId: {}, dtype: 'float32', shape: hostShape }], 'cpu');
    expect(host.outputs[0].shape).toEqual([2]);
    expect(host.outputs[0].shape).not.toBe(hostShape);
    const sigs = [{ dtype: 'float32' as const, shape: [2] }];
    const lazy = recorder.commit(draftOf(recorder), [{ dataId: {}, dtype: 'float32', shape: [2] }], 'lazy', sigs);
    expect(lazy.outputs).toBe(sigs);
    expect(recorder.cut().kernels).toHaveLength(2);
  });

  it('refuses signatures of another output count', () => {
    const recorder = new TraceRecorder();
    expect(() => recorder.commit(draftOf(recorder), [{ dataId: {}, dtype: 'float32', shape: [2] }], 'lazy', []))
      .toThrow(/Relu has 1 outputs, its node 0/);
  });
});
