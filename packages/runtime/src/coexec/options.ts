import type { DiskCacheOptions } from '../cache/disk_cache';
import type { BoundaryOptions } from './boundaries';
import type { CompileProgress } from './compile_progress';
import type { CheckOptions } from './check/options';
import type { SessionOptions } from '../ort/sync_session';

export type CoexecMode = 'terra' | 'static';

export type SegmentOptimization = NonNullable<SessionOptions['graphOptimizationLevel']>;

export interface CoexecOptions {
  /**
   * 'terra' (default): validate every kernel against the TraceGraph and fall back on divergence.
   * 'static': record the first iteration and replay it by position, checking kernel names, attrs and input shapes.
   */
  mode?: CoexecMode;
  /** Co-execution starts once this many consecutive traces added nothing to the TraceGraph (default 2). */
  stableAfter?: number;
  /** ... or after this many traced iterations, stable or not (default 10). */
  maxTracedIterations?: number;
  /**
   * Co-executed iterations in a row that diverge before co-execution rests: the next ones run eagerly,
   * untraced (32, then 64, ... up to 1024 of them), before it tries again. Default 32.
   */
  restAfter?: number;
  /**
   * Dispatch the path the TraceGraph predicts before JS issues its kernels (default true); off, a
   * segment is dispatched only at sync points (reads, graph breaks, iteration ends).
   */
  runAhead?: boolean;
  /** A trace that reaches this many kernels with no boundary is dropped unmerged (default 100,000). */
  maxTraceKernels?: number;
  /** Where iterations end; see IterationBoundaries. */
  boundaries?: BoundaryOptions;
  /** ONNX Runtime execution providers for the segments (default ['cpu']). */
  executionProviders?: string[];
  /** ORT intra-op threads per segment session (default: cores - 1, see GraphRunner). */
  intraOpNumThreads?: number;
  /**
   * ONNX Runtime's graph optimization level for the segments' sessions. 'disabled' (default): the
   * GraphRunner's worker creates each session from the generated model itself, when it has nothing else
   * to do. Any other level: a second worker, the optimizer, has ORT optimize each model at that level (the
   * result cached on disk, with a cache), and the GraphRunner's worker loads it. The generated segments
   * run about as fast either way, and optimizing takes 1.5-2x the time of creating the session
   * (bench/profile.md), on a core the JS thread and the runs need.
   */
  segmentOptimization?: SegmentOptimization;
  /**
   * Record the segment runs of a co-executed iteration for staticLimit(): the latest of the first
   * `profileIteration` co-executed iterations that runs whole, or the first whole one after them
   * (see docs/static-limit.md). Recording reads every run's inputs back from the worker, so it slows
   * the iterations recorded. Default: off.
   */
  profileIteration?: number;
  /**
   * Shadow every co-executed iteration eagerly and compare each value read and the state at each
   * iteration's end (docs/check.md); a mismatch is reported on stderr and counted in stats().check.
   * Slow: every kernel runs twice and state is read back every iteration. Default: off.
   */
  check?: boolean | CheckOptions;
  /** Path of the compiled GraphRunner worker script, when the runtime is bundled. */
  workerEntry?: string;
  /**
   * The compiled-graph cache on disk (docs/cache.md): generated segments and ORT's optimized models,
   * so that a later run of the same program does not compile them again. Default: none.
   */
  cache?: DiskCacheOptions;
  /** Told while segments compile (the CLI's progress bar). */
  compileProgress?: CompileProgress;
  /**
   * A new segment's first occurrence, before its session exists (with an optimizer, later occurrences
   * wait for the optimizer if it has not answered yet):
   * - 'kernels' (default): it is run as the segment, queued in the GraphRunner's worker behind the
   *   session's creation, JS going on; while the session cannot take runs (its model is at the optimizer),
   *   the GraphRunner runs its kernels one by one, on the single-kernel sessions eager execution uses. A
   *   segment with a kernel that would not run on ORT runs on the host instead. A batch first seen once
   *   co-execution is under way is not compiled: it runs kernel by kernel.
   * - 'host': its kernels run on the host, as eager execution runs them;
   * - 'wait': it runs as a segment, waiting for the optimizer if there is one, so that every occurrence
   *   runs as a segment (tfjs-core's suite co-executed uses it: each spec's values are checked as
   *   segments computed them, where a spec runs only once co-executed).
   */
  firstOccurrence?: 'kernels' | 'host' | 'wait';
}
