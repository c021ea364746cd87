/**
 * The messages between the main thread and the GraphRunner worker. Requests travel on the worker's
 * own port and are executed strictly in the order they were posted; replies travel on a dedicated
 * MessageChannel so the main thread can take them with receiveMessageOnPort while it is blocked
 * (the Worker object itself is not a port that function accepts).
 */
import type { DiskCacheCounters, DiskCacheOptions } from '../cache/disk_cache';
import type { SessionCounters } from '../cache/optimized_sessions';
import type { SessionOptions } from '../ort/sync_session';

/** A value living in the worker. Allocated on the main thread, so JS never waits to learn an id. */
export type ValueId = number;

/** The dtypes a tfjs tensor can have on the ONNX side (complex64 and string stay in JS). */
export type GraphDtype = 'float32' | 'int32' | 'bool';

/** Host storage, in tfjs-backend-cpu's format: bool is a Uint8Array of 0/1. */
export type HostData = Float32Array | Int32Array | Uint8Array;

export interface HostValue {
  dtype: GraphDtype;
  shape: number[];
  data: HostData;
}

/**
 * Test-only faults (see GraphRunner._crashForTests): kill the worker, make its next run fail, or hold it
 * (it handles nothing more until released: see GraphRunner._holdForTests).
 */
export type CrashKind = 'exit' | 'throw' | 'fail-next-run' | 'hold';

export type Request =
  /**
   * The session is created when the worker has no request waiting, or when a run needs it, whichever
   * comes first (a 'stats' request creates it too). With `seq`, the worker replies 'compiled' once the
   * session exists or failed (GraphRunner.compileSync, or compile with a callback).
   * `optimized`: the model is one ORT already optimized ('optimize'): loaded with optimizations off, not cached.
   * `store`: a cache entry (see docs/cache.md) the worker writes at once, off the JS thread (the
   * optimizer's worker writes the optimized models).
   */
  | { op: 'compile'; key: string; model: Uint8Array; seq?: number; store?: CacheStore; optimized?: boolean }
  /**
   * Optimize a model without keeping a session: the worker replies 'optimized' with the model ORT
   * optimized (from the cache when it has it), which another worker loads with `optimized: true`.
   */
  | { op: 'optimize'; model: Uint8Array; seq: number }
  /**
   * Registers a segment that runs kernel by kernel on single-kernel sessions (see KernelProgram): no
   * compile to wait for. Runs of it are posted and counted like any segment's.
   */
  | { op: 'program'; key: string; program: KernelProgram }
  /** Single-kernel models for kernel programs, by key: their sessions are created as compiles' are, kept for every program. */
  | { op: 'kernels'; models: Array<{ key: string; model: Uint8Array }> }
  | { op: 'feed'; id: ValueId; dtype: GraphDtype; shape: number[]; data: HostData }
  | { op: 'run'; key: string; inputs: ValueId[]; outputs: ValueId[] }
  | { op: 'read'; id: ValueId; seq: number }
  /** Consecutive frees, one request: a step frees hundreds of values, and each request is an object to clone. */
  | { op: 'dispose'; ids: ValueId[] }
  | { op: 'stats'; seq: number }
  /** The generator fingerprint the worker computed at startup (see GraphRunner.generatorFingerprint). */
  | { op: 'generator'; seq: number }
  | { op: 'crash'; how: CrashKind }
  /** Several fire-and-forget requests in one message (see GraphRunnerOptions.batching), executed in order. */
  | { op: 'batch'; requests: Request[] };

/**
 * A segment as a list of kernel calls, each run on a single-kernel session as eager execution runs it
 * on the host: what a segment's first occurrence runs while ORT is still creating its session. Values
 * are numbered: the run's inputs first, then each step's outputs in order.
 */
export interface KernelProgram {
  /** Each step's kernel names a single-kernel model sent before ('kernels'). */
  steps: Array<{ kernel: string; inputs: number[]; outputs: number }>;
  inputs: number;
  /** The run's outputs, as value numbers. */
  outputs: number[];
}

/** What the worker counts; returned by GraphRunner.stats(). */
export interface WorkerStats {
  /** Values held (fed or produced, not yet disposed). */
  values: number;
  /** Ids marked failed by a run that did not succeed (reading them throws). */
  failedValues: number;
  /** Segments whose session was created successfully (kernel programs are not counted). */
  segments: number;
  /** Segments whose compilation failed (reported at their first run). */
  failedSegments: number;
  /** Runs executed successfully / unsuccessfully. */
  runs: number;
  failedRuns: number;
  /** Wall time creating ORT sessions. */
  compileMs: number;
  /** Wall time inside ORT session runs. */
  runMs: number;
  /** Wall time handling requests of any kind (compile, feed, run, read, dispose). */
  busyMs: number;
}

export type Reply =
  | { kind: 'value'; seq: number; value: HostValue }
  | { kind: 'stats'; seq: number; stats: WorkerStats }
  | { kind: 'generator'; seq: number; fingerprint: string }
  | { kind: 'error'; seq: number; message: string; key?: string }
  /**
   * `cached`: the session was loaded from the cache; `cache`: the worker's cache counters after it;
   * `ms`: how long creating (or failing to create) the session took; `stopping`: it failed because the
   * worker is being stopped (not a failure of the model).
   */
  | { kind: 'compiled'; seq: number; error?: string; cached?: boolean; cache?: WorkerCacheStats; ms: number; stopping?: boolean }
  /**
   * The answer to 'optimize': the optimized model, or why there is none; `cached`: it came from the cache;
   * `stopping`: there is none because the worker is being stopped (not a failure of the model).
   */
  | { kind: 'optimized'; seq: number; model?: Uint8Array; error?: string; cached?: boolean; cache?: WorkerCacheStats; ms: number; stopping?: boolean }
  /** Sent by the dying worker from its exit hook, before its ports close. */
  | { kind: 'died'; reason: string };

/** The session options the worker compiles segments with (SyncSession's, passed through to ORT). */
export type WorkerSessionOptions = SessionOptions;

/** What the worker receives as workerData. */
export interface WorkerInit {
  signal: SharedArrayBuffer;
  replyPort: import('worker_threads').MessagePort;
  sessionOptions: WorkerSessionOptions;
  /** The compiled-graph cache; none if undefined. */
  cache?: DiskCacheOptions;
}

/** A cache entry to write after a successful compile. */
export interface CacheStore {
  kind: string;
  key: string;
  payload: Uint8Array;
}

/** The worker's side of the compiled-graph cache: optimized sessions, and every write. */
export interface WorkerCacheStats extends SessionCounters, DiskCacheCounters {}
