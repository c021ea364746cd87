/**
 * Run-ahead past nodes that several paths share. A training step under the gradient tape clones
 * every input it saves for the backward pass, so a scalar a kernel takes (`x.mul(0.5)`) becomes a
 * view whose identity does not depend on the batch's shape: iterations with different batch lengths
 * all pass through that one node and branch again after it. The stretch must follow the successor
 * of the path it is on (the node before the shared one tells), not stop there.
 */
import { data, differential, expectAgreement, prng, tf } from './harness';
import { TraceGraph } from '../../src/trace/trace_graph';

describe('run-ahead through shared nodes', () => {
  test('batch lengths drawn per step: each step runs ahead as one stretch, past the shared scalar views', async () => {
    const r = await differential((log) => {
      const w = tf.variable(data(1, [4, 3], 0.5));
      const opt = tf.train.sgd(0.1);
      const rand = prng(7);
      for (let step = 0; step < 16; step++) {
        const n = [3, 5][Math.floor(rand() * 2)];
        const x = data(20 + step, [n, 4]);
        const loss = opt.minimize(() => tf.tidy(() => tf.matMul(x, w).mul(0.5).square().mean()), true)!;
        log(loss.dataSync()[0]);
        loss.dispose();
        x.dispose();
      }
      log(w.dataSync());
      w.dispose();
      opt.dispose();
    });
    expectAgreement(r);
    const { runAhead, kernels, iterations } = r.stats;
    expect(iterations.diverged).toBe(0);
    // Before, every stretch stopped at the shared clone of 0.5: several stretches per step, and the
    // kernels issued there on the pending batch instead.
    expect(runAhead.stretches).toBeLessThanOrEqual(iterations.coexecuted + 1);
    expect(runAhead.kernels).toBe(kernels.delegated);
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
