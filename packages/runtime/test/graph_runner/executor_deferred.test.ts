import { Executor } from '../../src/graph_runner/executor';
import type { Reply, Request } from '../../src/graph_runner/protocol';
import { GraphBuilder } from '../../src/onnx/graph_builder';

// The worker's Executor on the test thread, driven request by request as worker.ts drives it: sessions
// are created when the thread is idle (workWhileIdle) or when a run needs them, never in front of runs.

function binary(op: 'Add' | 'Mul'): Uint8Array {
  const g = new GraphBuilder(op);
  const a = g.input('float32', 1);
  const b = g.input('float32', 1);
  g.output(g.op(op, [a, b], {}, { dtype: 'float32', rank: 1 }));
  return g.build();
}

const sessionOptions = { graphOptimizationLevel: 'basic' as const, intraOpNumThreads: 1, interOpNumThreads: 1 };

describe('Executor: deferred session creation', () => {
  let executor: Executor;
  const replies: Reply[] = [];
  const handle = (req: Request): void => {
    const reply = executor.handle(req);
    if (reply) replies.push(reply);
    replies.push(...executor.takeReplies());
  };
  const feed = (id: number, values: number[]) => handle({ op: 'feed', id, dtype: 'float32', shape: [values.length], data: new Float32Array(values) });
  const read = (id: number): number[] => {
    handle({ op: 'read', id, seq: 1000 + id });
    const reply = replies.pop()!;
    if (reply.kind !== 'value') throw new Error(`expected a value, got ${JSON.stringify(reply)}`);
    return Array.from(reply.value.data as Float32Array);
  };

  beforeEach(() => {
    executor = new Executor(sessionOptions);
    replies.length = 0;
  });

  it('a compile is answered once its session exists: when idle, or at the first run that needs it', () => {
    handle({ op: 'compile', key: 'add', model: binary('Add'), seq: 1 });
    handle({ op: 'compile', key: 'mul', model: binary('Mul'), seq: 2 });
    expect(replies).toEqual([]);
    expect(executor.hasDeferred).toBe(true);
    feed(10, [1, 2]);
    feed(11, [3, 4]);
    // The run of 'mul' creates its session, out of turn: 'add' is still waiting.
    handle({ op: 'run', key: 'mul', inputs: [10, 11], outputs: [12] });
    expect(replies.map((r) => r.kind === 'compiled' && r.seq)).toEqual([2]);
    expect(read(12)).toEqual([3, 8]);
    executor.workWhileIdle();
    replies.push(...executor.takeReplies());
    expect(replies.map((r) => r.kind === 'compiled' && r.seq)).toEqual([2, 1]);
    expect(replies.every((r) => r.kind === 'compiled' && r.error === undefined)).toBe(true);
    expect(executor.hasDeferred).toBe(false);
    handle({ op: 'run', key: 'add', inputs: [10, 11], outputs: [13] });
    expect(read(13)).toEqual([4, 6]);
  });

  it('idle work creates one session at a time, oldest first', () => {
    handle({ op: 'compile', key: 'a', model: binary('Add'), seq: 1 });
    handle({ op: 'compile', key: 'b', model: binary('Add'), seq: 2 });
    executor.workWhileIdle();
    expect(executor.takeReplies().map((r) => r.kind === 'compiled' && r.seq)).toEqual([1]);
    expect(executor.hasDeferred).toBe(true);
    executor.workWhileIdle();
    expect(executor.takeReplies().map((r) => r.kind === 'compiled' && r.seq)).toEqual([2]);
    expect(executor.hasDeferred).toBe(false);
  });

  it('a model ORT rejects fails its runs with the compile error, and its reply says why', () => {
    handle({ op: 'compile', key: 'broken', model: new Uint8Array([1, 2, 3, 4]), seq: 1 });
    feed(10, [1]);
    handle({ op: 'run', key: 'broken', inputs: [10, 10], outputs: [11] });
    const compiled = replies.find((r) => r.kind === 'compiled');
    expect(compiled).toMatchObject({ seq: 1, error: expect.stringMatching(/./) });
    handle({ op: 'read', id: 11, seq: 5 });
    expect(replies.pop()).toMatchObject({ kind: 'error', message: expect.stringMatching(/segment 'broken' failed to compile: /) });
  });

  it('stats creates the sessions still waiting first, so that it counts them (kernel sessions wait on)', () => {
    handle({ op: 'compile', key: 'add', model: binary('Add'), seq: 1 });
    handle({ op: 'kernels', models: [{ key: 'k-mul', model: binary('Mul') }] });
    handle({ op: 'stats', seq: 2 });
    expect(replies.map((r) => r.kind)).toEqual(['stats', 'compiled']);
    expect(replies[0]).toMatchObject({ stats: { segments: 1 } });
    expect(executor.hasDeferred).toBe(true);
  });

  it('a recompile of a key answers the compile it replaces first', () => {
    handle({ op: 'compile', key: 'k', model: binary('Add'), seq: 1 });
    handle({ op: 'compile', key: 'k', model: binary('Mul'), seq: 2 });
    expect(replies.map((r) => r.kind === 'compiled' && r.seq)).toEqual([1]);
    feed(10, [2]);
    feed(11, [5]);
    handle({ op: 'run', key: 'k', inputs: [10, 11], outputs: [12] });
    expect(read(12)).toEqual([10]);
    expect(replies.map((r) => r.kind === 'compiled' && r.seq)).toEqual([1, 2]);
  });

  it('a kernel program creates the kernel sessions it needs that idle work has not', () => {
    handle({ op: 'kernels', models: [{ key: 'k-add', model: binary('Add') }, { key: 'k-mul', model: binary('Mul') }] });
    executor.workWhileIdle(); // k-add only
    expect(executor.hasDeferred).toBe(true);
    handle({ op: 'program', key: 'p', program: { inputs: 2, steps: [
      { kernel: 'k-add', inputs: [0, 1], outputs: 1 },
      { kernel: 'k-mul', inputs: [2, 1], outputs: 1 },
    ], outputs: [3] } });
    feed(10, [1, 2]);
    feed(11, [3, 4]);
    handle({ op: 'run', key: 'p', inputs: [10, 11], outputs: [12] });
    expect(read(12)).toEqual([12, 24]);
    // Idle work finds nothing left to do for k-mul.
    executor.workWhileIdle();
    expect(executor.hasDeferred).toBe(false);
  });
});
