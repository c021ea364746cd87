// The compiled-graph cache's storage (entries, checksums, the size bound) and ORT's optimized sessions
// through it: a hit gives the same results as a fresh compile, a version change misses, and nothing the
// directory holds (corrupt, truncated, foreign entries) makes it throw.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import '@terrajs/runtime';
import { DiskCache } from '../../src/cache/disk_cache';
import { OPTIMIZED_KIND, OptimizedSessions } from '../../src/cache/optimized_sessions';
import { decodeSegment, encodeSegment, generatedKey } from '../../src/cache/segment_cache';
import { generatorFingerprint } from '../../src/cache/fingerprints';
import { GraphRunner } from '../../src/graph_runner/graph_runner';
import { GraphBuilder } from '../../src/onnx/graph_builder';
import { OrtTensorClass, SessionOptions, SyncSession } from '../../src/ort/sync_session';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'terra-cache-test-'));
const entries = (dir: string) => fs.readdirSync(dir).filter((n) => n.endsWith('.bin'));
const OPTIONS: SessionOptions = { graphOptimizationLevel: 'all', intraOpNumThreads: 1, executionProviders: ['cpu'] };

/** A small model ORT's optimizer rewrites (MatMul + Add fuse into Gemm/FusedMatMul; Relu fuses too). */
function model(): Uint8Array {
  const g = new GraphBuilder('test');
  const x = g.input('float32', 2, [4, 8]);
  const w = g.input('float32', 2, [8, 3]);
  const b = g.input('float32', 1, [3]);
  const y = g.op('Relu', [g.op('Add', [g.op('MatMul', [x, w], {}, { dtype: 'float32', rank: 2 }), b], {}, { dtype: 'float32', rank: 2 })], {},
    { dtype: 'float32', rank: 2 });
  g.output(y);
  return g.build();
}

function inputs(): InstanceType<typeof OrtTensorClass>[] {
  let s = 7;
  const r = (n: number) => Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) - 0.5);
  return [new OrtTensorClass('float32', r(32), [4, 8]), new OrtTensorClass('float32', r(24), [8, 3]), new OrtTensorClass('float32', r(3), [3])];
}

const run = (s: SyncSession) => Array.from(s.run(inputs())[0].data as Float32Array);

describe('DiskCache', () => {
  it('returns what was put, and misses what was not', () => {
    const c = new DiskCache({ dir: tmp() });
    expect(c.put('seg', 'a'.repeat(64), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(Array.from(c.get('seg', 'a'.repeat(64))!)).toEqual([1, 2, 3]);
    expect(c.get('seg', 'b'.repeat(64))).toBeUndefined();
    expect(c.get('ort', 'a'.repeat(64))).toBeUndefined();
  });

  it('ignores and removes a corrupt, truncated or foreign entry, counting it', () => {
    const dir = tmp();
    const c = new DiskCache({ dir });
    const key = (ch: string) => ch.repeat(64);
    for (const ch of 'abcd') c.put('seg', key(ch), new Uint8Array(100).fill(7));
    const file = (ch: string) => path.join(dir, `seg-${key(ch)}.bin`);
    const flipped = fs.readFileSync(file('a'));
    flipped[flipped.length - 1] ^= 0xff;
    fs.writeFileSync(file('a'), flipped);
    fs.truncateSync(file('b'), 60);
    fs.writeFileSync(file('c'), 'not a cache entry at all');
    fs.writeFileSync(file('d'), '');
    for (const ch of 'abcd') expect(c.get('seg', key(ch))).toBeUndefined();
    expect(c.counters.corrupt).toBe(4);
    expect(entries(dir)).toEqual([]);
    // ... and the entry is written again as usual.
    c.put('seg', key('a'), new Uint8Array([9]));
    expect(Array.from(c.get('seg', key('a'))!)).toEqual([9]);
  });

  it('stays under its size bound, evicting the least recently used entries first', () => {
    const dir = tmp();
    const entry = 10_000;
    const c = new DiskCache({ dir, maxBytes: 5 * entry });
    const key = (i: number) => i.toString(16).padStart(64, '0');
    const used = new Date(Date.now() - 3600_000);
    for (let i = 0; i < 4; i++) {
      c.put('seg', key(i), new Uint8Array(entry));
      // Entries written in the same millisecond would tie: give each an older access time, in order.
      fs.utimesSync(path.join(dir, `seg-${key(i)}.bin`), used, new Date(used.getTime() + i * 1000));
    }
    // Entry 0 is the oldest written, but read now: entry 1 is the least recently used.
    expect(c.get('seg', key(0))).toBeDefined();
    const size = () => entries(dir).reduce((s, n) => s + fs.statSync(path.join(dir, n)).size, 0);
    for (let i = 4; i < 6; i++) c.put('seg', key(i), new Uint8Array(entry));
    expect(size()).toBeLessThanOrEqual(5 * entry);
    expect(c.counters.evicted).toBe(2);
    expect(c.get('seg', key(1))).toBeUndefined();
    expect(c.get('seg', key(2))).toBeUndefined();
    expect(c.get('seg', key(0))).toBeDefined();
    expect(c.get('seg', key(5))).toBeDefined();
    // However many are written, the directory stays under the bound.
    for (let i = 6; i < 40; i++) c.put('seg', key(i), new Uint8Array(entry));
    expect(size()).toBeLessThanOrEqual(5 * entry);
  });

  it('only misses when the directory cannot be written', () => {
    const file = path.join(tmp(), 'a-file');
    fs.writeFileSync(file, '');
    const c = new DiskCache({ dir: path.join(file, 'cache') });
    expect(c.put('seg', 'a'.repeat(64), new Uint8Array([1]))).toBe(false);
    expect(c.get('seg', 'a'.repeat(64))).toBeUndefined();
    expect(c.counters.writeErrors).toBe(1);
  });
});

describe('generated segments in the cache', () => {
  it('round-trip with their signatures', () => {
    const segment = { model: model(), inputs: [{ from: { kind: 'carried' as const, slot: 2 }, dtype: 'float32' as const, shape: [4, 8] }],
      outputs: [{ op: 3, output: 0, dtype: 'float32' as const, shape: [4, 3] }] };
    const back = decodeSegment(encodeSegment(segment))!;
    expect(back.inputs).toEqual(segment.inputs);
    expect(back.outputs).toEqual(segment.outputs);
    expect(Buffer.from(back.model).equals(Buffer.from(segment.model))).toBe(true);
    expect(decodeSegment(new Uint8Array([200, 0, 0, 0, 1]))).toBeUndefined();
  });

  it('are keyed by the batch structure and the generator', () => {
    expect(generatedKey('Add;x0', 'gen A')).toBe(generatedKey('Add;x0', 'gen A'));
    expect(generatedKey('Add;x0', 'gen A')).not.toBe(generatedKey('Add;x1', 'gen A'));
    expect(generatedKey('Add;x0', 'gen A')).not.toBe(generatedKey('Add;x0', 'gen B'));
  });
});

describe('ORT sessions through the cache', () => {
  it('a hit loads the saved optimized model and computes exactly what a fresh compile does', () => {
    const cache = new DiskCache({ dir: tmp() });
    const sessions = new OptimizedSessions(cache, 'ort A');
    const m = model();
    const first = sessions.create(m, OPTIONS);
    expect(first.cached).toBe(false);
    const second = sessions.create(m, OPTIONS);
    expect(second.cached).toBe(true);
    expect(sessions.counters).toEqual({ hits: 1, misses: 1 });
    const fresh = new SyncSession(m, OPTIONS);
    expect(run(second.session)).toEqual(run(fresh));
    expect(run(first.session)).toEqual(run(fresh));
    // The entry is ORT's rewritten graph, not the model given.
    const saved = cache.get(OPTIMIZED_KIND, sessions.key(m, OPTIONS))!;
    expect(Buffer.from(saved).equals(Buffer.from(m))).toBe(false);
  });

  it('misses when the ORT fingerprint or the options that shape the graph change', () => {
    const cache = new DiskCache({ dir: tmp() });
    const m = model();
    new OptimizedSessions(cache, 'onnxruntime-node 1.30.0').create(m, OPTIONS);
    expect(new OptimizedSessions(cache, 'onnxruntime-node 1.30.0').create(m, OPTIONS).cached).toBe(true);
    expect(new OptimizedSessions(cache, 'onnxruntime-node 1.31.0').create(m, OPTIONS).cached).toBe(false);
    expect(new OptimizedSessions(cache, 'onnxruntime-node 1.30.0').create(m, { ...OPTIONS, graphOptimizationLevel: 'basic' }).cached).toBe(false);
    // Thread counts do not change the optimized graph: same entry.
    expect(new OptimizedSessions(cache, 'onnxruntime-node 1.30.0').create(m, { ...OPTIONS, intraOpNumThreads: 2 }).cached).toBe(true);
  });

  it('an entry ORT cannot load (whole, but not a model) is optimized again and replaced', () => {
    const cache = new DiskCache({ dir: tmp() });
    const sessions = new OptimizedSessions(cache, 'ort A');
    const m = model();
    cache.put(OPTIMIZED_KIND, sessions.key(m, OPTIONS), new Uint8Array([1, 2, 3, 4]));
    const s = sessions.create(m, OPTIONS);
    expect(s.cached).toBe(false);
    expect(run(s.session)).toEqual(run(new SyncSession(m, OPTIONS)));
    expect(sessions.create(m, OPTIONS).cached).toBe(true);
  });

  it('a cache directory that cannot be written still gives a working session', () => {
    const file = path.join(tmp(), 'a-file');
    fs.writeFileSync(file, '');
    const sessions = new OptimizedSessions(new DiskCache({ dir: path.join(file, 'cache') }), 'ort A');
    const m = model();
    const s = sessions.create(m, OPTIONS);
    expect(s.cached).toBe(false);
    expect(run(s.session)).toEqual(run(new SyncSession(m, OPTIONS)));
  });
});

describe('the generator fingerprint', () => {
  it('is computed by the worker as the JS thread would, and asked for without waiting on a batch', async () => {
    const runner = new GraphRunner({ batching: true, cache: { dir: tmp() } });
    try {
      expect(runner.generatorFingerprint()).toBe(generatorFingerprint());
    } finally {
      await runner.terminate();
    }
  });
});
