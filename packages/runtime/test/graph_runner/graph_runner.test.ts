import { GraphRunner, GraphRunnerDied, GraphValueError } from '../../src/graph_runner';
import { GraphBuilder } from '../../src/onnx/graph_builder';
import { OrtTensorClass, SyncSession } from '../../src/ort/sync_session';

// ---- real ONNX models, built with the runtime's own GraphBuilder ----

/** relu(x @ W + b), `layers` times, with seeded constant weights; x is [n, width]. */
function mlpModel(width: number, layers: number, seed = 1): Uint8Array {
  const g = new GraphBuilder('mlp');
  let h = g.input('float32', 2);
  const rand = prng(seed);
  for (let l = 0; l < layers; l++) {
    const w = g.constant('float32', Array.from({ length: width * width }, () => (rand() - 0.5) / Math.sqrt(width)), [width, width]);
    const b = g.constant('float32', Array.from({ length: width }, () => rand() - 0.5), [width]);
    const mm = g.op('MatMul', [h, w], {}, { dtype: 'float32', rank: 2 });
    h = g.op('Relu', [g.op('Add', [mm, b], {}, { dtype: 'float32', rank: 2 })], {}, { dtype: 'float32', rank: 2 });
  }
  g.output(h);
  return g.build();
}

/** a + b. */
function addModel(dtype: 'float32' | 'int32' = 'float32'): Uint8Array {
  const g = new GraphBuilder('add');
  const a = g.input(dtype, 1);
  const b = g.input(dtype, 1);
  g.output(g.op('Add', [a, b], {}, { dtype, rank: 1 }));
  return g.build();
}

/** Two outputs of two dtypes: (a + b, a > b). */
function addAndCompareModel(): Uint8Array {
  const g = new GraphBuilder('add_cmp');
  const a = g.input('float32', 1);
  const b = g.input('float32', 1);
  g.output(g.op('Add', [a, b], {}, { dtype: 'float32', rank: 1 }));
  g.output(g.op('Greater', [a, b], {}, { dtype: 'bool', rank: 1 }));
  return g.build();
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomFloats(n: number, seed: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

/** A segment slow enough (tens to hundreds of ms) that the worker is visibly still busy with it. */
const SLOW = { width: 512, batch: 64, layers: 6 };
let slowBytes: Uint8Array | undefined;
const slowModel = () => (slowBytes ??= mlpModel(SLOW.width, SLOW.layers, 7));

describe('GraphRunner', () => {
  let runner: GraphRunner;
  beforeEach(() => { runner = new GraphRunner(); });
  afterEach(async () => { await runner.terminate(); });

  it('runs a segment and matches a direct SyncSession run', async () => {
    const model = mlpModel(64, 3);
    const x = randomFloats(8 * 64, 3);
    const direct = new SyncSession(model, { graphOptimizationLevel: 'all' });
    const [expected] = direct.run([new OrtTensorClass('float32', x, [8, 64])]);
    direct.dispose();

    runner.compile('mlp', model);
    const xi = runner.newId();
    const yi = runner.newId();
    runner.feed(xi, 'float32', [8, 64], x);
    runner.run('mlp', [xi], [yi]);
    const sync = runner.readSync(yi);
    expect(sync.dtype).toBe('float32');
    expect(sync.shape).toEqual([8, 64]);
    const want = expected.data as Float32Array;
    const got = sync.data as Float32Array;
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    // The async read of the same value gives the same numbers; the value stays in the worker.
    expect(Array.from((await runner.read(yi)).data)).toEqual(Array.from(got));
    expect(runner.stats()).toMatchObject({ values: 2, segments: 1, runs: 1, failedRuns: 0 });
  });

  it('holds several outputs of several dtypes, and int32 and bool feeds', async () => {
    runner.compile('add_cmp', addAndCompareModel());
    runner.compile('iadd', addModel('int32'));
    const [a, b, sum, gt, i, j, k] = Array.from({ length: 7 }, () => runner.newId());
    runner.feed(a, 'float32', [3], new Float32Array([1, 5, 3]));
    // A view into a larger buffer: only the view's elements are sent.
    runner.feed(b, 'float32', [3], new Float32Array([9, 2, 4, 3, 9]).subarray(1, 4));
    runner.run('add_cmp', [a, b], [sum, gt]);
    runner.feed(i, 'int32', [2], new Int32Array([2 ** 31 - 1, -4]));
    const owned = new Int32Array([1, 4]);
    runner.feed(j, 'int32', [2], owned, { transfer: true });
    expect(owned.byteLength).toBe(0); // transferred: detached on this side
    runner.run('iadd', [i, j], [k]);
    const flag = runner.newId();
    runner.feed(flag, 'bool', [2], new Uint8Array([1, 0]));

    expect(runner.readSync(sum)).toEqual({ dtype: 'float32', shape: [3], data: new Float32Array([3, 9, 6]) });
    expect(await runner.read(gt)).toEqual({ dtype: 'bool', shape: [3], data: new Uint8Array([0, 1, 0]) });
    expect(runner.readSync(k)).toEqual({ dtype: 'int32', shape: [2], data: new Int32Array([-(2 ** 31), 0]) });
    expect(runner.readSync(flag)).toEqual({ dtype: 'bool', shape: [2], data: new Uint8Array([1, 0]) });
  });

  describe('kernel programs', () => {
    /** One kernel, as the eager executor builds it: out = op(a, b). */
    const kernel = (op: 'Add' | 'Mul' | 'Div') => {
      const g = new GraphBuilder(op);
      const a = g.input('float32', 1);
      const b = g.input('float32', 1);
      g.output(g.op(op, [a, b], {}, { dtype: 'float32', rank: 1 }));
      return g.build();
    };
    const models: Record<string, Uint8Array> = { add: kernel('Add'), mul: kernel('Mul'), div: kernel('Div') };

    it('runs the steps in order on single-kernel sessions: values numbered inputs first, then each output', () => {
      const asked: string[] = [];
      const model = (k: string) => { asked.push(k); return models[k]; };
      // (x + y) * y and (x + y) / x; the sum is internal.
      runner.program('p', { inputs: 2, steps: [
        { kernel: 'add', inputs: [0, 1], outputs: 1 },
        { kernel: 'mul', inputs: [2, 1], outputs: 1 },
        { kernel: 'div', inputs: [2, 0], outputs: 1 },
      ], outputs: [4, 3] }, model);
      const [x, y, q, p] = Array.from({ length: 4 }, () => runner.newId());
      runner.feed(x, 'float32', [3], new Float32Array([1, 2, 4]));
      runner.feed(y, 'float32', [3], new Float32Array([3, 2, -1]));
      runner.run('p', [x, y], [q, p]);
      expect(Array.from(runner.readSync(q).data)).toEqual([4, 2, 0.75]);
      expect(Array.from(runner.readSync(p).data)).toEqual([12, 8, -3]);
      // A second program reuses the kernels the worker has: their models are not sent again.
      runner.program('p2', { inputs: 2, steps: [{ kernel: 'mul', inputs: [0, 1], outputs: 1 }], outputs: [2] }, model);
      const r = runner.newId();
      runner.run('p2', [x, y], [r]);
      expect(Array.from(runner.readSync(r).data)).toEqual([3, 4, -4]);
      expect(asked).toEqual(['add', 'mul', 'div']);
      // Internal values are not kept; programs are not sessions.
      expect(runner.stats()).toMatchObject({ values: 5, segments: 0, failedSegments: 0, runs: 2, failedRuns: 0 });
    });

    it('a kernel ONNX Runtime cannot create fails the run like a segment: its outputs throw, other runs go on', () => {
      runner.program('bad', { inputs: 2, steps: [{ kernel: 'broken', inputs: [0, 1], outputs: 1 }], outputs: [2] },
        () => new Uint8Array([1, 2, 3]));
      runner.program('wrong arity', { inputs: 1, steps: [{ kernel: 'add', inputs: [0, 0], outputs: 2 }], outputs: [1] }, (k) => models[k]);
      const [x, out, out2, ok] = Array.from({ length: 4 }, () => runner.newId());
      runner.feed(x, 'float32', [1], new Float32Array([2]));
      runner.run('bad', [x, x], [out]);
      runner.run('wrong arity', [x], [out2]);
      runner.run('wrong arity', [x, x], [ok]);
      expect(() => runner.readSync(out)).toThrow(/kernel session 'broken' could not be created/);
      expect(() => runner.readSync(out2)).toThrow(/kernel 'add' gave 1 outputs, not 2/);
      expect(() => runner.readSync(ok)).toThrow(/takes 1 inputs and gives 1 outputs; the run passed 2 and 1/);
      expect(runner.stats()).toMatchObject({ runs: 0, failedRuns: 3 });
    });
  });

  it('carries state across runs: v_{n+1} = v_n + x, reusing output ids after disposing the old value', () => {
    runner.compile('step', addModel());
    const x = runner.newId();
    runner.feed(x, 'float32', [2], new Float32Array([1, 0.5]));
    // Two ids, ping-ponged: each run writes the id whose old value was just disposed.
    let v = runner.newId();
    let spare = runner.newId();
    runner.feed(v, 'float32', [2], new Float32Array([10, 0]));
    for (let n = 0; n < 50; n++) {
      runner.run('step', [v, x], [spare]);
      runner.dispose(v);
      [v, spare] = [spare, v];
    }
    expect(Array.from(runner.readSync(v).data)).toEqual([60, 25]);
    // And in place: an output id that names an input replaces it.
    for (let n = 0; n < 10; n++) runner.run('step', [v, x], [v]);
    expect(Array.from(runner.readSync(v).data)).toEqual([70, 30]);
    expect(runner.stats()).toMatchObject({ values: 2, runs: 60 });
  });

  it('run returns before the segment finishes: JS runs ahead and waits only in the read', () => {
    runner.compile('slow', slowModel());
    const x = runner.newId();
    runner.feed(x, 'float32', [SLOW.batch, SLOW.width], randomFloats(SLOW.batch * SLOW.width, 1));
    // Warm up (compile, first run) so that what follows is the steady state.
    const warm = runner.newId();
    runner.run('slow', [x], [warm]);
    runner.readSync(warm);
    const before = runner.runsDone();

    // Held, the worker cannot finish the run whatever the two threads' timing: a run() that waited for
    // it would never return.
    const release = runner._holdForTests();
    const y = runner.newId();
    runner.run('slow', [x], [y]);
    expect(runner.runsDone()).toBe(before);
    expect(runner.pending()).toBeGreaterThan(0);
    release();

    const value = runner.readSync(y);
    expect(runner.runsDone()).toBe(before + 1);
    expect(value.shape).toEqual([SLOW.batch, SLOW.width]);
  });

  it('read() leaves the event loop free while the worker computes', async () => {
    runner.compile('slow', slowModel());
    const x = runner.newId();
    const y = runner.newId();
    runner.feed(x, 'float32', [SLOW.batch, SLOW.width], randomFloats(SLOW.batch * SLOW.width, 2));
    runner.readSync(x); // the worker is up and idle
    // Held until the third turn: the run cannot have finished before, whatever the threads' timing.
    const release = runner._holdForTests();
    runner.run('slow', [x], [y]);
    let settled = false;
    const reading = runner.read(y).then((v) => { settled = true; return v; });
    // Event-loop turns happen while the read is pending.
    let turns = 0;
    let runFinishedAtFirstTurn: boolean | undefined;
    await new Promise<void>((resolve) => {
      const tick = () => {
        if (runFinishedAtFirstTurn === undefined) runFinishedAtFirstTurn = runner.runsDone() > 0;
        if (++turns === 3) release();
        if (settled) resolve(); else setImmediate(tick);
      };
      setImmediate(tick);
    });
    expect(runFinishedAtFirstTurn).toBe(false);
    expect(turns).toBeGreaterThan(3);
    expect((await reading).shape).toEqual([SLOW.batch, SLOW.width]);
  });

  it('reports an ORT run failure with the segment key; independent later runs still work', async () => {
    runner.compile('add', addModel());
    const [a, b4, good, bad, after, downstream] = Array.from({ length: 6 }, () => runner.newId());
    runner.feed(a, 'float32', [3], new Float32Array([1, 2, 3]));
    runner.feed(b4, 'float32', [4], new Float32Array([1, 2, 3, 4]));
    runner.run('add', [a, a], [good]);
    runner.run('add', [a, b4], [bad]); // [3] + [4] does not broadcast: ORT fails
    runner.run('add', [bad, a], [downstream]); // depends on the failed value
    runner.run('add', [good, a], [after]); // independent

    let error: unknown;
    try { runner.readSync(bad); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(GraphValueError);
    expect((error as GraphValueError).key).toBe('add');
    expect((error as Error).message).toMatch(/segment 'add' failed in ONNX Runtime: .*(broadcast|dimension|shape)/i);
    await expect(runner.read(bad)).rejects.toThrow(/segment 'add' failed in ONNX Runtime/);
    expect(() => runner.readSync(downstream)).toThrow(/input \d+ failed: segment 'add' failed in ONNX Runtime/);
    expect(Array.from(runner.readSync(after).data)).toEqual([3, 6, 9]);
    expect(runner.stats()).toMatchObject({ runs: 2, failedRuns: 2, failedValues: 2 });

    // A failed id can be disposed, and reused by a later successful run.
    runner.dispose(bad);
    runner.run('add', [a, a], [bad]);
    expect(Array.from(runner.readSync(bad).data)).toEqual([2, 4, 6]);
    expect(runner.stats().failedValues).toBe(1);
  });

  it('surfaces a compile failure at the first run of the segment, naming the key', () => {
    runner.compile('broken', new Uint8Array([1, 2, 3, 4]));
    runner.compile('add', addModel());
    const [a, y, z] = [runner.newId(), runner.newId(), runner.newId()];
    runner.feed(a, 'float32', [1], new Float32Array([1]));
    runner.run('broken', [a], [y]);
    runner.run('add', [a, a], [z]);
    expect(() => runner.readSync(y)).toThrow(/segment 'broken' failed to compile: /);
    expect(Array.from(runner.readSync(z).data)).toEqual([2]);
    expect(runner.stats()).toMatchObject({ segments: 1, failedSegments: 1 });
  });

  it('compile with a callback returns before the session exists; runs queue behind it; the outcome comes with the next reply taken', () => {
    const outcomes: Array<{ key: string; error?: string; ms: number }> = [];
    const release = runner._holdForTests();
    runner.compile('slow', slowModel(), { done: (r) => outcomes.push({ key: 'slow', error: r.error, ms: r.ms }) });
    runner.compile('broken', new Uint8Array([1, 2, 3, 4]), { done: (r) => outcomes.push({ key: 'broken', error: r.error, ms: r.ms }) });
    const [x, y, z] = [runner.newId(), runner.newId(), runner.newId()];
    runner.feed(x, 'float32', [SLOW.batch, SLOW.width], randomFloats(SLOW.batch * SLOW.width, 3));
    runner.run('slow', [x], [y]);
    runner.run('broken', [x], [z]);
    // Nothing was waited for: no outcome has been taken yet, and the worker still has the requests.
    expect(outcomes).toEqual([]);
    expect(runner.pending()).toBeGreaterThan(0);
    release();
    expect(runner.readSync(y).shape).toEqual([SLOW.batch, SLOW.width]);
    // The read took the compile replies that came before its own.
    expect(outcomes.map((o) => o.key)).toEqual(['slow', 'broken']);
    expect(outcomes[0].error).toBeUndefined();
    expect(outcomes[0].ms).toBeGreaterThan(0);
    expect(outcomes[1].error).toMatch(/./);
    expect(() => runner.readSync(z)).toThrow(/segment 'broken' failed to compile: /);
    // collect() takes a reply that has arrived, without blocking. With nothing else to do, the worker
    // creates the session by itself (see executor_deferred.test.ts) and replies.
    runner.compile('add', addModel(), { done: (r) => outcomes.push({ key: 'add', error: r.error, ms: r.ms }) });
    while (runner.pending() > 0) { /* the request is handled */ }
    expect(outcomes).toHaveLength(2);
    const deadline = Date.now() + 10_000;
    while (outcomes.length < 3 && Date.now() < deadline) runner.collect();
    expect(outcomes.map((o) => o.key)).toEqual(['slow', 'broken', 'add']);
  });

  it('rejects misuse clearly', () => {
    expect(() => runner.run('nope', [], [])).toThrow(/segment 'nope' was never compiled/);
    expect(() => runner.readSync(12345)).toThrow(/value 12345 is not held/);
    runner.compile('add', addModel());
    const a = runner.newId();
    const y = runner.newId();
    runner.feed(a, 'float32', [1], new Float32Array([1]));
    runner.run('add', [a], [y]);
    expect(() => runner.readSync(y)).toThrow(/takes 2 inputs and gives 1 outputs; the run passed 1 and 1/);
  });

  it('keeps the held-value count flat over thousands of feed/run/read/dispose cycles', () => {
    runner.compile('add', addModel());
    const state = runner.newId();
    runner.feed(state, 'float32', [4], new Float32Array(4));
    let current = state;
    const counts: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const x = runner.newId();
      const next = runner.newId();
      runner.feed(x, 'float32', [4], new Float32Array([1, 1, 1, 1]));
      runner.run('add', [current, x], [next]);
      runner.dispose(x);
      runner.dispose(current);
      current = next;
      if (i % 10 === 0) expect(runner.readSync(current).data[0]).toBe(i + 1);
      if (i % 500 === 0) counts.push(runner.stats().values);
    }
    expect(Array.from(runner.readSync(current).data)).toEqual([3000, 3000, 3000, 3000]);
    expect(new Set(counts)).toEqual(new Set([1]));
    expect(runner.stats()).toMatchObject({ values: 1, failedValues: 0, runs: 3000, pending: 0 });
  });

  it('batching: frees held in a row go as one request, in their place among the others (an id freed and fed again holds the new value)', async () => {
    const batched = new GraphRunner({ batching: true });
    try {
      batched.compile('add', addModel());
      const [a, b, c] = [batched.newId(), batched.newId(), batched.newId()];
      batched.feed(a, 'float32', [2], new Float32Array([1, 2]));
      batched.feed(b, 'float32', [2], new Float32Array([10, 20]));
      batched.run('add', [a, b], [c]);
      batched.dispose(a);
      batched.dispose(b);
      batched.feed(a, 'float32', [2], new Float32Array([5, 5]));
      batched.dispose(c);
      batched.run('add', [a, a], [c]);
      const held = (batched as unknown as { held: Array<{ op: string; ids?: number[] }> }).held;
      expect(held.map((r) => r.op)).toEqual(['compile', 'feed', 'feed', 'run', 'dispose', 'feed', 'dispose', 'run']);
      expect(held.filter((r) => r.op === 'dispose').map((r) => r.ids)).toEqual([[a, b], [c]]);
      batched.send();
      expect(Array.from(batched.readSync(c).data)).toEqual([10, 10]);
      expect(batched.stats()).toMatchObject({ values: 2, runs: 2 });
    } finally {
      await batched.terminate();
    }
  });
});

describe('GraphRunner worker death', () => {
  function startSlow(runner: GraphRunner): { x: number; y: number } {
    runner.compile('slow', slowModel());
    const x = runner.newId();
    const y = runner.newId();
    runner.feed(x, 'float32', [SLOW.batch, SLOW.width], randomFloats(SLOW.batch * SLOW.width, 5));
    runner.run('slow', [x], [y]);
    return { x, y };
  }

  it.each(['exit', 'throw', 'terminate'] as const)('%s: pending and later reads throw GraphRunnerDied, no hang', async (how) => {
    const runner = new GraphRunner();
    const { x, y } = startSlow(runner);
    runner.readSync(y); // compiled and run once: the worker works
    const z = runner.newId();
    runner.run('slow', [x], [z]); // a second slow run is in flight
    runner._crashForTests(how);
    // An async read is pending when the worker dies (for exit/throw it is queued after the crash).
    const pendingRead = runner.read(z).catch((e: unknown) => e);
    // A blocking read on the same value: it must throw, not wait forever (Jest's timeout would fail it).
    let error: unknown;
    try { runner.readSync(z); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(GraphRunnerDied);
    const expected = { exit: /exited with code 7/, throw: /uncaught exception in the worker: Error: GraphRunner test crash/, terminate: /terminated/ }[how];
    expect((error as Error).message).toMatch(expected);
    expect(await pendingRead).toBeInstanceOf(GraphRunnerDied);
    // Future calls too; dispose is a no-op.
    expect(() => runner.readSync(y)).toThrow(GraphRunnerDied);
    await expect(runner.read(y)).rejects.toThrow(GraphRunnerDied);
    expect(() => runner.feed(runner.newId(), 'float32', [1], new Float32Array(1))).toThrow(GraphRunnerDied);
    expect(() => runner.dispose(y)).not.toThrow();
    expect(runner.alive).toBe(false);
    await runner.terminate();
  });

  it('terminate() makes later calls throw GraphRunnerDied', async () => {
    const runner = new GraphRunner();
    runner.compile('add', addModel());
    await runner.terminate();
    expect(() => runner.readSync(1)).toThrow(/terminated by GraphRunner.terminate\(\)/);
  });
});
