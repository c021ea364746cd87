/**
 * Turning a pending batch into a session in the GraphRunner: segment generation (lowering the kernels
 * to one ONNX model, on the JS thread), then ONNX Runtime creating the session in the worker, which
 * the JS thread does not wait for: runs of the segment are posted at once and queue behind the
 * compile, and JS goes on until it needs a value they produce. Both steps go through the
 * compiled-graph cache when there is one (docs/cache.md): the generated model by the batch's
 * structure, the optimized session by the model's bytes. A progress display is driven from here
 * while the JS thread is blocked by a compile: lowering, or waiting for a value behind the session;
 * it is cleared whenever JS goes on, so that the program's own output never meets it.
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
  /** The worker creating the sessions (ORT's optimization, or loading a cached one), of the compiles answered so far. */
  sessionMs: number;
}

/** How a compile ended in the worker: `error` is ORT's reason if the session could not be created; `ms`, the worker's time. */
export type CompileOutcome = { error?: string; ms: number };

export class SegmentCompiler {
  private readonly cache: DiskCache | undefined;
  private generatedHits = 0;
  private generatedMisses = 0;
  private worker: WorkerCacheStats | undefined;
  private compiles = 0;
  private generator: string | undefined;
  /** The latest compile, while the worker has not answered it: what the progress display may show. */
  private latest: { number: number; kernels: number } | undefined;
  /** The display is between begin and end. */
  private showing = false;
  readonly timings: CompileTimings = { generateMs: 0, sessionMs: 0 };

  constructor(private readonly runner: GraphRunner, cache: DiskCacheOptions | undefined,
    private readonly progress: CompileProgress | undefined) {
    if (cache) this.cache = new DiskCache(cache);
  }

  /**
   * The segment for the batch, registered in the worker under `runnerKey` (its runs may be posted at
   * once); `done` gets the worker's outcome later. Generation's own failures (a GraphBreak) are thrown.
   */
  compile(runnerKey: string, batch: PendingBatch, outputs: readonly BatchOutput[], done: (outcome: CompileOutcome) => void): Segment {
    const progress = this.progress;
    const current = { number: ++this.compiles, kernels: batch.size };
    this.latest = current;
    this.show(current);
    const start = performance.now();
    let key: string | undefined;
    let segment: Segment | undefined;
    let store: CacheStore | undefined;
    try {
      key = this.cache && generatedKey(batch.key(outputs), this.generator ??= this.runner.generatorFingerprint());
      segment = key === undefined ? undefined : this.lookup(key);
      if (segment) this.generatedHits++;
      else {
        segment = buildSegment(batch.toTrace(), outputs, progress && ((n) => progress.update('lowering', n)));
        if (key !== undefined) {
          this.generatedMisses++;
          store = { kind: GENERATED_KIND, key, payload: encodeSegment(segment) };
        }
      }
    } catch (e) {
      this.latest = undefined;
      throw e;
    } finally {
      this.timings.generateMs += performance.now() - start;
      this.hide(false);
    }
    const generatedFromCache = store === undefined && key !== undefined;
    this.runner.compile(runnerKey, segment.model, (result) => {
      this.timings.sessionMs += result.ms;
      if (result.cache) this.worker = result.cache;
      if (this.latest === current) {
        this.latest = undefined;
        this.hide(generatedFromCache && result.cached === true);
      }
      done({ error: result.error, ms: result.ms });
    }, store);
    return segment;
  }

  /** The GraphRunner's clock while JS is blocked on it: shows the latest compile if the worker has not answered it. */
  whileBlocked(blocked: boolean): void {
    const latest = this.latest;
    if (!blocked || !latest) {
      this.hide(false);
      return;
    }
    this.show(latest);
    this.progress?.update('optimizing', latest.kernels);
  }

  private show(segment: { number: number; kernels: number }): void {
    if (this.showing || !this.progress) return;
    this.showing = true;
    this.progress.begin(segment);
  }

  private hide(cached: boolean): void {
    if (!this.showing) return;
    this.showing = false;
    this.progress!.end(cached);
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
