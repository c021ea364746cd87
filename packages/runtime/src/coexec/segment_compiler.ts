/**
 * Turning a pending batch into a session in the GraphRunner: segment generation (lowering the kernels
 * to one ONNX model, on the JS thread), then ONNX Runtime creating the session (in the worker, while
 * the JS thread waits). Both go through the compiled-graph cache when there is one (docs/cache.md):
 * the generated model by the batch's structure, the optimized session by the model's bytes. The JS
 * thread is blocked throughout, so a progress display is driven from here.
 */
import { DiskCache, DiskCacheOptions } from '../cache/disk_cache';
import { GENERATED_KIND, decodeSegment, encodeSegment, generatedKey } from '../cache/segment_cache';
import { Segment, buildSegment } from '../generation/segment';
import type { GraphRunner } from '../graph_runner/graph_runner';
import type { CacheStore, WorkerCacheStats } from '../graph_runner/protocol';
import type { CompileProgress } from './compile_progress';
import type { BatchOutput, PendingBatch } from './pending_batch';

/** The compiled-graph cache as stats show it. */
export interface CacheCounters {
  dir: string;
  maxBytes: number;
  /** Segments whose generated model came from the cache / had to be generated. */
  generatedHits: number;
  generatedMisses: number;
  /** Sessions loaded from a cached optimized model / optimized by ONNX Runtime. */
  sessionHits: number;
  sessionMisses: number;
  /** Entries found corrupt or truncated (ignored, removed, rebuilt). */
  corrupt: number;
  writes: number;
  writeErrors: number;
  /** Entries removed to stay under the size bound. */
  evicted: number;
}

export interface CompileTimings {
  /** Lowering kernels to ONNX on the JS thread (or reading the generated model from the cache). */
  generateMs: number;
  /** Waiting for the worker to create the session (ORT's optimization, or loading a cached one). */
  sessionMs: number;
}

export class SegmentCompiler {
  private readonly cache: DiskCache | undefined;
  private generatedHits = 0;
  private generatedMisses = 0;
  private worker: WorkerCacheStats | undefined;
  private compiles = 0;
  private generator: string | undefined;
  readonly timings: CompileTimings = { generateMs: 0, sessionMs: 0 };

  constructor(private readonly runner: GraphRunner, cache: DiskCacheOptions | undefined,
    private readonly progress: CompileProgress | undefined) {
    if (cache) this.cache = new DiskCache(cache);
  }

  /**
   * The segment for the batch, registered in the worker under `runnerKey`; `error` is ORT's reason if
   * the session could not be created. Generation's own failures (a GraphBreak) are thrown.
   */
  compile(runnerKey: string, batch: PendingBatch, outputs: readonly BatchOutput[]): { segment: Segment; error?: string } {
    const progress = this.progress;
    progress?.begin({ number: ++this.compiles, kernels: batch.size });
    let cached = false;
    try {
      const start = performance.now();
      const key = this.cache && generatedKey(batch.key(outputs), this.generator ??= this.runner.generatorFingerprint());
      let segment = key === undefined ? undefined : this.lookup(key);
      let store: CacheStore | undefined;
      if (segment) this.generatedHits++;
      else {
        segment = buildSegment(batch.toTrace(), outputs, progress && ((n) => progress.update('lowering', n)));
        if (key !== undefined) {
          this.generatedMisses++;
          store = { kind: GENERATED_KIND, key, payload: encodeSegment(segment) };
        }
      }
      const generated = performance.now();
      this.timings.generateMs += generated - start;
      progress?.update('optimizing', batch.size);
      const result = this.runner.compileSync(runnerKey, segment.model, progress && (() => progress.update('optimizing', batch.size)), store);
      this.timings.sessionMs += performance.now() - generated;
      if (result.cache) this.worker = result.cache;
      cached = store === undefined && key !== undefined && result.cached === true;
      return { segment, error: result.error };
    } finally {
      progress?.end(cached);
    }
  }

  /** The cache's counters, if there is a cache. */
  counters(): CacheCounters | undefined {
    if (!this.cache) return undefined;
    const w = this.worker;
    return {
      dir: this.cache.dir,
      maxBytes: this.cache.maxBytes,
      generatedHits: this.generatedHits,
      generatedMisses: this.generatedMisses,
      sessionHits: w?.hits ?? 0,
      sessionMisses: w?.misses ?? 0,
      corrupt: this.cache.counters.corrupt + (w?.corrupt ?? 0),
      writes: w?.writes ?? 0,
      writeErrors: w?.writeErrors ?? 0,
      evicted: w?.evicted ?? 0,
    };
  }

  private lookup(key: string): Segment | undefined {
    const payload = this.cache!.get(GENERATED_KIND, key);
    if (!payload) return undefined;
    const segment = decodeSegment(payload);
    if (!segment) this.cache!.counters.corrupt++;
    return segment;
  }
}
