/**
 * Run-ahead and values JS reads. A sampling loop reads the logits of each step and writes the next
 * input from what it read: a feed written after a read cannot be predicted from earlier traces, so a
 * stretch must end there instead of guessing it (a wrong guess abandons the stretch, and the
 * stretches then start and end in other places in every round, each a new segment to compile).
 */
import { data, differential, expectAgreement, tf } from './harness';
import { coexecution } from '@terrajs/runtime';
import { TraceGraph } from '../../src/trace/trace_graph';

describe('run-ahead past reads', () => {
  test('token-by-token sampling: one stretch per token, none left early, no segment compiled in the last round', async () => {
    const compiledAfterRound: number[] = [];
    const r = await differential((log) => {
      const w = tf.variable(data(1, [8, 8], 0.3));
      const opt = tf.train.sgd(0.05);
      for (let step = 0; step < 16; step++) {
        const x = data(10 + step, [4, 8]);
        const loss = opt.minimize(() => tf.tidy(() => tf.matMul(x, w).tanh().square().mean()), true)!;
        log(loss.dataSync()[0]);
        loss.dispose();
        x.dispose();
        if (step % 4 !== 3) continue;
        // The tokens differ in every round, so a guess from an earlier round is always wrong.
        const tokens = [step];
        for (let n = 0; n < 4; n++) {
          const last = tf.tidy(() => {
            const ids = tf.tensor2d(tokens.map((t) => (t % 8) / 8), [tokens.length, 1]);
            const h = tf.matMul(ids.tile([1, 8]), w).tanh();
            return h.sum(0).square();
          });
          const values = last.dataSync();
          last.dispose();
          tokens.push(values.indexOf(Math.max(...values)) + step);
        }
        log(tokens);
        const stats = coexecution.stats();
        if (stats && stats.iterations.coexecuted > 0) compiledAfterRound.push(stats.segments.compiled);
      }
      w.dispose();
      opt.dispose();
    });
    expectAgreement(r);
    const { runAhead, iterations } = r.stats;
    expect(iterations.coexecuted).toBeGreaterThan(8);
    expect(runAhead.abandoned).toBe(0);
    // The last round finds every token's segment compiled by the round before.
    expect(compiledAfterRound.length).toBeGreaterThanOrEqual(2);
    const [before, after] = compiledAfterRound.slice(-2);
    expect(after).toBe(before);
  });

  test('a quiet merge leaves the graph version alone, though a node met twice in a trace takes feeds at two positions', () => {
    const sig = { dtype: 'float32' as const, shape: [1] };
    const kernel = (feed: number) => ({
      kernelName: 'Identity', sitePath: [], ordinal: 0, attrs: '{}', path: 'view' as const, outputs: [sig],
      inputs: [{ name: 'x', ...sig, from: { kind: 'feed' as const, feed } }],
    });
    const trace = { kernels: [kernel(0), kernel(1)], feeds: [0, 1].map((index) => ({ index, ...sig, afterKernel: index, values: new Float32Array([2]) })), fetches: [] };
    const graph = new TraceGraph();
    graph.merge(trace as never);
    graph.merge(trace as never);
    const version = graph.version;
    graph.merge(trace as never);
    expect(graph.version).toBe(version);
  });
});
