import * as tf from '@tensorflow/tfjs-core';
import { hooks, trace } from '@terrajs/runtime';
import type { Trace } from '../src/trace';

/** Records one iteration of fn on terra, with a fixed call path standing in for the plugin's. */
function record(fn: () => void): Trace {
  trace.beginTracing();
  const state = hooks.hookState();
  state.s[0] = 'train.js:1:1';
  state.d = 1;
  try {
    tf.tidy(fn);
  } finally {
    hooks.resetSiteStack();
  }
  return trace.endTracing()!;
}

const names = (g: trace.TraceGraph, ids: Iterable<number>) => [...ids].map((id) => g.nodes[id].kernel.kernelName);

describe('TraceGraph', () => {
  let w: tf.Variable;
  beforeAll(async () => {
    await tf.setBackend('terra');
    w = tf.variable(tf.tensor1d([1, 2, 3]), true, 'w');
  });
  afterAll(() => w.dispose());

  const step = (branch: boolean, inner = 1) => () => {
    let h = tf.mul(tf.tensor1d([1, 1, 1]), w);
    if (branch) h = tf.exp(tf.neg(h));
    else h = tf.abs(h);
    for (let i = 0; i < inner; i++) h = tf.tanh(h);
    tf.sum(h).dataSync();
  };

  it('merges identical iterations into one chain and then stops growing', () => {
    const g = new trace.TraceGraph();
    expect(g.merge(record(step(true))).newNodes).toBe(5);
    expect(g.isStable()).toBe(false);
    expect(g.merge(record(step(true)))).toMatchObject({ newNodes: 0, newEdges: 0 });
    expect(g.merge(record(step(true)))).toMatchObject({ newNodes: 0, newEdges: 0 });
    expect(g.isStable()).toBe(true);
    expect(names(g, g.starts.keys())).toEqual(['Multiply']);
    expect(g.branchNodes()).toEqual([]);
  });

  it('counts how often each branch was taken, matched merges included (the counts dumps show)', () => {
    const g = new trace.TraceGraph();
    for (let i = 0; i < 3; i++) g.merge(record(step(true)));
    const path = g.merge(record(step(true))).nodes;
    g.merge(record(step(false)));
    // A merge of a co-executed iteration: every kernel already matched to its node.
    g.merge(record(step(true)), path);
    const [mul] = g.branchNodes();
    expect(Object.fromEntries([...mul.next].map(([id, n]) => [g.nodes[id].kernel.kernelName, n]))).toEqual({ Neg: 5, Abs: 1 });
    expect(mul.visits).toBe(6);
  });

  it('branches where traces diverge and reconverges where they meet again', () => {
    const g = new trace.TraceGraph();
    g.merge(record(step(true)));
    const r = g.merge(record(step(false)));
    expect(r.newNodes).toBe(3); // Abs, and Tanh and Sum, whose input now comes from another node
    const [mul] = g.branchNodes();
    expect(mul.kernel.kernelName).toBe('Multiply');
    expect(names(g, mul.next.keys())).toEqual(['Neg', 'Abs']);
    // A later iteration on either path adds nothing.
    expect(g.merge(record(step(false)))).toMatchObject({ newNodes: 0, newEdges: 0 });
    expect(g.merge(record(step(true)))).toMatchObject({ newNodes: 0, newEdges: 0 });
    // The feed and the variable are the same inputs on both paths.
    expect(mul.inputs).toEqual([{ kind: 'feed' }, { kind: 'variable', name: 'w' }]);
  });

  it('reconverges on identical kernels even when the branches wrote different numbers of feeds', () => {
    const g = new trace.TraceGraph();
    const program = (extraFeed: boolean) => () => {
      const x = tf.tensor1d([1, 2, 3]);
      const h = extraFeed ? tf.add(x, tf.tensor1d([1, 1, 1])) : tf.neg(x);
      tf.sub(tf.mul(w, tf.scalar(2)), tf.sum(h)).dataSync();
    };
    g.merge(record(program(true)));
    g.merge(record(program(false)));
    const mulNodes = g.nodes.filter((n) => n.kernel.kernelName === 'Multiply');
    expect(mulNodes).toHaveLength(1);
    // The scalar is the Multiply's feed, numbered 2 after the extra feed and 1 without: a plan reading its
    // number must see that it moved (slotVersion), and nothing moves while the path repeats.
    expect(mulNodes[0].slotInputs).toEqual([1]);
    expect(g.nodes.find((n) => n.kernel.kernelName === 'Sub')!.slotInputs).toEqual([]);
    const moved = g.slotVersion;
    g.merge(record(program(false)));
    expect(g.slotVersion).toBe(moved);
    g.merge(record(program(true)));
    expect(g.slotVersion).toBeGreaterThan(moved);
  });

  it('unrolls an inner loop: another trip count is another path', () => {
    const g = new trace.TraceGraph();
    g.merge(record(step(false, 1)));
    g.merge(record(step(false, 3)));
    const tanhNodes = g.nodes.filter((n) => n.kernel.kernelName === 'Tanh');
    expect(tanhNodes.map((n) => n.kernel.ordinal)).toEqual([2, 3, 4]);
    const [first] = tanhNodes;
    expect(names(g, first.next.keys())).toEqual(['Sum', 'Tanh']);
    expect(g.branchNodes()).toEqual([first]);
  });

  it('learns where a shared node goes after each predecessor, in matched merges of a new path too', () => {
    // square(w) takes only a variable: one node, reached after Neg or Abs, going on to Exp or Sin.
    const shared = (first: 'neg' | 'abs', then: 'exp' | 'sin') => () => {
      tf[first](w);
      tf[then](tf.square(w));
    };
    const g = new trace.TraceGraph();
    const p = g.merge(record(shared('neg', 'exp'))).nodes;
    const q = g.merge(record(shared('abs', 'sin'))).nodes;
    const square = g.nodes[p[1]];
    expect(q[1]).toBe(square.id);
    const after = (from: number) => names(g, square.nextAfter.get(from) ?? []);
    expect([after(p[0]), after(q[0])]).toEqual([['Exp'], ['Sin']]);
    // Co-executed merges: every kernel matched. A path merged before changes nothing...
    g.merge(record(shared('neg', 'exp')), p);
    expect([after(p[0]), after(q[0])]).toEqual([['Exp'], ['Sin']]);
    // ...a new path through known nodes and edges is still learned.
    g.merge(record(shared('neg', 'sin')), [p[0], p[1], q[2]]);
    expect(after(p[0])).toEqual(['Exp', 'Sin']);
  });

  it('says where a call differs from a node of the same kernel: shapes, attrs, where an input comes from', () => {
    const g = new trace.TraceGraph();
    const first = (fn: () => void) => record(fn).kernels[0];
    const t = record(() => tf.leakyRelu(tf.mul(tf.tensor1d([1, 1, 1]), w), 0.2));
    const [mul, relu] = g.merge(t).nodes.map((id) => g.nodes[id]);
    expect(g.difference(mul, t.kernels[0], [])).toBeUndefined();
    expect(g.difference(mul, first(() => tf.mul(tf.tensor1d([1, 1, 1, 1]), tf.tensor1d([1, 2, 3, 4]))), []))
      .toMatch(/^input a float32\[4\], expected a float32\[3\]$/);
    expect(g.difference(mul, first(() => tf.mul(tf.tensor1d([1, 1, 1]), tf.tensor1d([1, 2, 3]))), []))
      .toBe('input b from a tensor JS wrote, expected from variable w');
    const other = record(() => tf.leakyRelu(tf.mul(tf.tensor1d([1, 1, 1]), w), 0.3));
    expect(g.difference(relu, other.kernels[1], [mul.id])).toBe('attrs {"alpha":0.3}, expected {"alpha":0.2}');
  });

  it('predicts the next node along known edges only', () => {
    const g = new trace.TraceGraph();
    const t = record(step(true));
    g.merge(t);
    const nodeOfOp: number[] = [];
    let prev = trace.START;
    for (const k of t.kernels) {
      const id = g.match(prev, k, nodeOfOp);
      expect(id).toBeDefined();
      nodeOfOp.push(id!);
      prev = id!;
    }
    const other = record(step(false));
    expect(g.match(nodeOfOp[0], other.kernels[1], [nodeOfOp[0]])).toBeUndefined();
  });
});
