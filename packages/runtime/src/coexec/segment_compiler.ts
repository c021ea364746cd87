/**
 * Turning a pending batch into a session in the GraphRunner, without the JS thread waiting: segment
 * generation (lowering the kernels to one ONNX model, on the JS thread), then the session. By default
 * (segments unoptimized) the GraphRunner's worker creates it from the generated model when it has
 * nothing else to do, or when a run needs it. At an optimization level, ONNX Runtime optimizes the model
 * in a worker of its own (the optimizer), then the GraphRunner's worker loads the optimized model with
 * optimizations off (a fraction of the time); meanwhile co-execution runs the segment's kernels on the
 * host or kernel by kernel. Without an optimizer (it died), the GraphRunner's worker creates the session
 * itself. Both steps go through the compiled-graph cache when there is one (docs/cache.md): the generated
 * model by the batch's structure, the optimized model by the generated model's bytes. A progress
 * display is driven from here while the JS thread is blocked by a compile: lowering, or waiting for a
 * value behind a session being loaded; it is cleared whenever JS goes on, so that the program's own
 * output never meets it.
 */
import { DiskCache, DiskCacheOptions } from '../cache/disk_cache';
import { GENERATED_KIND, decodeSegment, encodeSegment, generatedKey } from '../cache/segment_cache';
import { Segment, buildSegment } from '../generation/segment';
import { GraphRunnerDied } from '../graph_runner/errors';
import type { GraphRunner, OptimizeResult } from '../graph_runner/graph_runner';
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
  /** The workers creating the sessions (the optimizer's optimizing, the GraphRunner's loading), of the compiles answered so far. */
  sessionMs: number;
  /** Sessions the GraphRunner's worker created from the generated model itself (no optimizer, or it died). */
  withoutOptimizer: number;
}

/** How a compile ended: `error` is ORT's reason if the session could not be created; `ms`, the workers' time on it. */
export type CompileOutcome = { error?: string; ms: number };

/** What co-execution learns of a compile, as it happens. */
export interface CompileEvents {
  /** Runs of the segment may be posted from now on (its session is being loaded or created, in order). */
  ready(): void;
  /** The GraphRunner's worker has the session, or it could not be created (then ready may never have come). */
  done(outcome: CompileOutcome): void;
}

export class SegmentCompiler {
  private readonly cache: DiskCache | undefined;
  private generatedHits = 0;
  private generatedMisses = 0;
  private worker: WorkerCacheStats | undefined;
  private optimizerCache: WorkerCacheStats | undefined;
  /** Models at the optimizer, by compile: loaded by the GraphRunner's worker instead if the optimizer dies. */
  private readonly optimizing = new Map<number, () => void>();
  private compiles = 0;
  private generator: string | undefined;
  /** The latest compile, while the worker has not answered it: what the progress display may show. */
  private latest: { number: number; kernels: number } | undefined;
  /** The display is between begin and end. */
  private showing = false;
  readonly timings: CompileTimings = { generateMs: 0, sessionMs: 0, withoutOptimizer: 0 };

  private optimizer: GraphRunner | undefined;

  /** `startOptimizer`: none when the segments are not optimized. */
  constructor(private readonly runner: GraphRunner, private readonly startOptimizer: (() => GraphRunner) | undefined,
    cache: DiskCacheOptions | undefined, private readonly progress: CompileProgress | undefined) {
    if (cache) this.cache = new DiskCache(cache);
  }

  /**
   * The segment for the batch, to be registered in the GraphRunner's worker under `runnerKey`; `events`
   * say when its runs may be posted and how it ended. Generation's own failures (a GraphBreak) are thrown.
   * With `generalKey` (PendingBatch.generalKey), the shape-general segment (buildSegment), cached under it.
   */
  compile(runnerKey: string, batch: PendingBatch, outputs: readonly BatchOutput[], events: CompileEvents, generalKey?: string): Segment {
    const progress = this.progress;
    const current = { number: ++this.compiles, kernels: batch.size };
    this.latest = current;
    this.show(current);
    const start = performance.now();
    let key: string | undefined;
    let segment: Segment | undefined;
    let store: CacheStore | undefined;
    try {
      const structure = generalKey !== undefined ? `general:${generalKey}` : batch.key(outputs);
      key = this.cache && generatedKey(structure, this.generator ??= this.runner.generatorFingerprint());
      segment = key === undefined ? undefined : this.lookup(key);
      if (segment) this.generatedHits++;
      else {
        segment = buildSegment(batch.toTrace(), outputs, progress && ((n) => progress.update('lowering', n)), generalKey !== undefined);
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
    let optimizedFromCache = false;
    let optimizeMs = 0;
    const load = (model: Uint8Array, optimized: boolean): void => {
      if (!optimized) this.timings.withoutOptimizer++;
      this.runner.compile(runnerKey, model, {
        optimized, store, done: (result) => {
          if (result.stopping) return;
          this.timings.sessionMs += result.ms;
          if (result.cache) this.worker = result.cache;
          if (this.latest === current) {
            this.latest = undefined;
            this.hide(generatedFromCache && (optimized ? optimizedFromCache : result.cached === true));
          }
          events.done({ error: result.error, ms: optimizeMs + result.ms });
        },
      });
      events.ready();
    };
    const model = segment.model;
    if (!this.startOptimizer) {
      load(model, false);
      return segment;
    }
    this.optimizer ??= this.startOptimizer();
    if (!this.optimizer.alive) {
      load(model, false);
      return segment;
    }
    const number = current.number;
    this.optimizing.set(number, () => load(model, false));
    const optimizing = (result: OptimizeResult): void => {
      // A stopping optimizer (co-execution ends, or the process exits) answers nothing about the model.
      if (result.stopping || !this.optimizing.delete(number)) return;
      this.timings.sessionMs += result.ms;
      optimizeMs = result.ms;
      if (result.cache) this.optimizerCache = result.cache;
      if (result.model) {
        optimizedFromCache = result.cached === true;
        load(result.model, true);
        return;
      }
      if (this.latest === current) this.latest = undefined;
      events.done({ error: result.error, ms: result.ms });
    };
    try {
      this.optimizer.optimize(model, optimizing);
    } catch (e) {
      if (!(e instanceof GraphRunnerDied)) throw e;
      this.optimizing.delete(number);
      load(model, false);
    }
    return segment;
  }

  /** Takes the optimizer's answers that have arrived; if it died, the GraphRunner's worker creates the sessions it owed. */
  collect(): void {
    if (this.optimizing.size === 0) return;
    this.optimizer!.collect();
    if (this.optimizing.size === 0 || this.optimizer!.alive) return;
    const owed = [...this.optimizing.values()];
    this.optimizing.clear();
    for (const load of owed) load();
  }

  /** Compiles whose segment's runs cannot be posted yet (their model is at the optimizer). */
  get inProgress(): number {
    return this.optimizing.size;
  }

  /** Blocks until the optimizer has answered every model sent to it (or is found dead); collect() takes the answers. */
  waitForOptimizer(): void {
    if (this.optimizing.size === 0) return;
    try {
      this.optimizer!.stats();
    } catch (e) {
      // A dead optimizer: collect() has the GraphRunner's worker create the sessions it owed.
      if (!(e instanceof GraphRunnerDied)) throw e;
    }
  }

  /** Stops the optimizer, if it was started. */
  async stopOptimizer(): Promise<void> {
    await this.optimizer?.terminate();
  }

  /** TEST-ONLY: the optimizer, started if it was not (co-execution at an optimization level). */
  optimizerForTests(): GraphRunner {
    if (!this.startOptimizer) throw new Error('no optimizer: the segments are not optimized');
    return (this.optimizer ??= this.startOptimizer());
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
    // Both workers write entries: the generated models (the GraphRunner's), the optimized ones (the optimizer's).
    const sum = (f: keyof WorkerCacheStats): number => (this.worker?.[f] ?? 0) + (this.optimizerCache?.[f] ?? 0);
    return {
      dir: this.cache.dir,
      maxBytes: this.cache.maxBytes,
      generatedHits: this.generatedHits,
      generatedMisses: this.generatedMisses,
      sessionHits: sum('hits'),
      sessionMisses: sum('misses'),
      corrupt: this.cache.counters.corrupt + sum('corrupt'),
      writes: sum('writes'),
      writeErrors: sum('writeErrors'),
      evicted: sum('evicted'),
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
