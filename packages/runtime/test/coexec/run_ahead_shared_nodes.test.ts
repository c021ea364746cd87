/**
 * Run-ahead on paths that differ only in shapes: iterations with different batch lengths are different
 * paths of the TraceGraph, and each step must run ahead as one stretch on its own. (The views of the
 * scalar 0.5 that tfjs-core's tape saves were once one node shared by both paths, and stretches stopped
 * there; views are no longer recorded, and the TraceGraph test below keeps the shared-node case.)
 */
import { Program, data, differential, expectAgreement, prng, tf } from './harness';
import { TraceGraph } from '../../src/trace/trace_graph';
import { hookState } from '../../src/hooks';

/** SGD steps on batches of 3 or 5 rows, drawn per step; `loss` is the step's loss of the batch x and the weights w. */
const batchLengthsDrawn = (loss: (x: tf.Tensor, w: tf.Variable) => tf.Tensor): Program => (log) => {
  const w = tf.variable(data(1, [4, 3], 0.5));
  const opt = tf.train.sgd(0.1);
  const rand = prng(7);
  for (let step = 0; step < 16; step++) {
    const n = [3, 5][Math.floor(rand() * 2)];
    const x = data(20 + step, [n, 4]);
    const value = opt.minimize(() => tf.tidy(() => loss(x, w)) as tf.Scalar, true)!;
    log(value.dataSync()[0]);
    value.dispose();
    x.dispose();
  }
  log(w.dataSync());
  w.dispose();
  opt.dispose();
};

describe('run-ahead through shared nodes', () => {
  test('batch lengths drawn per step: each step runs ahead as one stretch', async () => {
    const r = await differential(batchLengthsDrawn((x, w) => tf.matMul(x, w).mul(0.5).square().mean()));
    expectAgreement(r);
    const { runAhead, kernels, iterations } = r.stats;
    expect(iterations.diverged).toBe(0);
    // Before the fix for shared nodes, every stretch stopped at the shared view of 0.5: several
    // stretches per step, and the kernels issued there on the pending batch instead.
    expect(runAhead.stretches).toBeLessThanOrEqual(iterations.coexecuted + 1);
    expect(runAhead.kernels).toBe(kernels.delegated + kernels.kernelByKernel);
  });
});

describe('run-ahead on the path it is on', () => {
  test('a weight penalty before the batch, batch lengths drawn per step: each step runs ahead as one stretch', async () => {
    // The penalty's kernels, and the backward pass's scalar reshapes after the loss, are one node
    // under both batch lengths. After them the two paths differ only in the shape of the ones-fill
    // tfjs writes for the mean's gradient, predicted by value for both: the stretch tells them apart
    // by the path it came along (the matMul of this batch length).
    const r = await differential(batchLengthsDrawn((x, w) => tf.add(tf.mul(tf.sum(tf.square(w)), 1e-3), tf.matMul(x, w).mul(0.5).square().mean())));
    expectAgreement(r);
    const { runAhead, kernels, iterations } = r.stats;
    expect(iterations.diverged).toBe(0);
    expect(runAhead.abandoned).toBe(0);
    expect(runAhead.stretches).toBeLessThanOrEqual(iterations.coexecuted + 1);
    expect(runAhead.kernels).toBe(kernels.delegated + kernels.kernelByKernel);
  });
});

describe('TraceGraph successors by predecessor', () => {
  const sig = { dtype: 'float32' as const, shape: [2] };
  const kernel = (kernelName: string, shape: number[], from: 'feed' | number) => ({
    kernelName, sitePath: [], ordinal: 0, attrs: '{}', path: 'ort' as const, outputs: [{ ...sig, shape }],
    inputs: [{ name: 'x', dtype: 'float32' as const, shape, from: from === 'feed' ? { kind: 'feed' as const, feed: 0 } : { kind: 'op' as const, op: from, output: 0 } }],
  });
  const trace = (n: number) => ({
    kernels: [kernel('Exp', [n], 'feed'), kernel('Identity', [1], 'feed'), kernel('Neg', [n], 0)],
    feeds: [{ values: undefined }],
    fetches: [],
  });

  test('a node reached from two paths records which successor each took', () => {
    const graph = new TraceGraph();
    graph.merge(trace(2) as never);
    graph.merge(trace(3) as never);
    const shared = graph.nodes.filter((n) => n.kernel.kernelName === 'Identity');
    expect(shared).toHaveLength(1);
    expect(shared[0].next.size).toBe(2);
    const [exp2, exp3] = graph.nodes.filter((n) => n.kernel.kernelName === 'Exp').map((n) => n.id);
    const [neg2, neg3] = graph.nodes.filter((n) => n.kernel.kernelName === 'Neg').map((n) => n.id);
    expect([...shared[0].nextAfter.get(exp2)!]).toEqual([neg2]);
    expect([...shared[0].nextAfter.get(exp3)!]).toEqual([neg3]);
  });
});

describe('run-ahead after user code called from inside a kernel-issuing call', () => {
  test('the backward pass of minimize, before and after a customGrad gradFunc: no stretch is left early', async () => {
    // As babel-plugin-terra would: minimize's call site is on the site stack for the whole step, the
    // loss function's call site above it in the forward pass, and the gradFunc's while it runs. The backward's kernels issued directly under
    // minimize before and after the gradFunc (two Casts of scalars JS wrote) must not share an identity.
    const sites = hookState();
    const square = tf.customGrad((x, save) => {
      save([x as tf.Tensor]);
      return {
        value: tf.square(x as tf.Tensor),
        gradFunc: (dy: tf.Tensor, [s]: tf.Tensor[]) => {
          sites.s[1] = 'train.js:4:60';
          sites.d = 2;
          const g = tf.mul(dy, tf.mul(s, 2));
          sites.d = 1;
          return g;
        },
      };
    });
    const r = await differential((log) => {
      const w = tf.variable(data(1, [2, 2], 0.5));
      const opt = tf.train.sgd(0.01);
      for (let step = 0; step < 12; step++) {
        const n = 2 + (step % 3);
        sites.s[0] = 'train.js:7:20';
        sites.d = 1;
        const loss = opt.minimize(() => {
          sites.s[1] = 'train.js:7:38';
          sites.d = 2;
          const value = tf.div(tf.sum(square(tf.div(w, n))), 4) as tf.Scalar;
          sites.d = 1;
          return value;
        }, true)!;
        sites.d = 0;
        log(loss.dataSync()[0]);
        loss.dispose();
      }
      log(w.dataSync());
      w.dispose();
      opt.dispose();
    });
    expectAgreement(r);
    expect(r.stats.iterations.diverged).toBe(0);
    expect(r.stats.runAhead.stretches).toBeGreaterThan(0);
    expect(r.stats.runAhead.abandoned).toBe(0);
  });
});
