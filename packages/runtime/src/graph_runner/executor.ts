/**
 * The worker's state and the execution of one request: the compiled segments, every value that lives
 * between runs, and the failure records that stand in for values a run could not produce. Kept apart
 * from the thread wiring (worker.ts) so that what a request does is readable in one place.
 */
import { DiskCache, DiskCacheOptions } from '../cache/disk_cache';
import { generatorFingerprint } from '../cache/fingerprints';
import * as os from 'os';
import { OptimizedSessions, optimizeModel } from '../cache/optimized_sessions';
import { NativeGateClosed } from '../ort/native_gate';
import { OrtTensor, OrtTensorClass, SyncSession } from '../ort/sync_session';
import { EAGER_SESSION_OPTIONS } from '../eager/session_cache';
import type {
  CacheStore, GraphDtype, HostData, HostValue, KernelProgram, Reply, Request, ValueId, WorkerCacheStats, WorkerSessionOptions,
  WorkerStats,
} from './protocol';

/**
 * A segment's session waits to be created until the worker has no request to handle, or until a run
 * needs it: creating one takes milliseconds to tens of them, and runs JS waits for may be queued behind.
 */
interface PendingSession {
  model: Uint8Array;
  optimized: boolean;
  seq?: number;
}

type Segment = { session: SyncSession } | { program: KernelProgram } | { compileError: string } | { pending: PendingSession };

/** Sessions to create when the worker is idle, in the order they were asked for. */
type Deferred = { segment: string } | { kernel: string };

/** Why an id holds no value: the message a read will throw, and the segment to blame if any. */
interface Failure {
  message: string;
  key?: string;
}

export class Executor {
  private readonly segments = new Map<string, Segment>();
  private readonly values = new Map<ValueId, OrtTensor>();
  private readonly failures = new Map<ValueId, Failure>();
  /** Single-kernel sessions of kernel programs, by key; a string is why ORT could not create one. */
  private readonly kernels = new Map<string, SyncSession | string>();
  /** Single-kernel models whose session is not created yet. */
  private readonly kernelModels = new Map<string, Uint8Array>();
  private deferred: Deferred[] = [];
  /** Segments whose session is pending (`deferred` may also name ones a run has created since). */
  private pendingSegments = 0;
  /** Replies of deferred compiles, for the thread wiring to post (see takeReplies). */
  private outbox: Reply[] = [];
  private readonly counts = {
    runs: 0, failedRuns: 0, compileMs: 0, runMs: 0, busyMs: 0,
  };

  private failNext = false;
  /** The compiled-graph cache, if any: sessions from ORT's saved optimized models. */
  private readonly cached: OptimizedSessions | undefined;
  private generator: string | undefined;

  constructor(private readonly sessionOptions: WorkerSessionOptions, cache?: DiskCacheOptions) {
    if (!cache) return;
    this.cached = new OptimizedSessions(new DiskCache(cache));
    // Hashing the runtime's code reads a hundred files: done here, while the JS thread traces the
    // first iterations, so that the first compile finds it ready.
    this.generator = generatorFingerprint();
  }

  get failedRuns(): number {
    return this.counts.failedRuns;
  }

  /** Test-only: the next run fails as if ONNX Runtime had thrown. */
  failNextRun(): void {
    this.failNext = true;
  }

  /** Executes one request; returns the reply to post, if the request asks for one. */
  handle(req: Request): Reply | undefined {
    const start = performance.now();
    try {
      switch (req.op) {
        case 'compile': this.defer(req.key, req.model, req.store, req.optimized === true, req.seq); return undefined;
        case 'optimize': return this.optimize(req.model, req.seq);
        case 'program': this.replace(req.key, { program: req.program }); return undefined;
        case 'kernels': this.addKernels(req.models); return undefined;
        case 'feed': this.feed(req.id, req.dtype, req.shape, req.data); return undefined;
        case 'run': this.run(req.key, req.inputs, req.outputs); return undefined;
        case 'read': return this.read(req.id, req.seq);
        case 'dispose':
          for (const id of req.ids) {
            this.values.delete(id);
            this.failures.delete(id);
          }
          return undefined;
        case 'stats':
          // A caller of stats waits for everything posted before, compiles included.
          this.createSegmentSessions();
          return { kind: 'stats', seq: req.seq, stats: this.stats() };
        case 'generator': return { kind: 'generator', seq: req.seq, fingerprint: this.generator ??= generatorFingerprint() };
        default: return undefined;
      }
    } finally {
      this.counts.busyMs += performance.now() - start;
    }
  }

  /** Sessions are waiting to be created (see workWhileIdle). */
  get hasDeferred(): boolean {
    return this.pendingSegments > 0 || this.kernelModels.size > 0;
  }

  /** Creates one deferred session, the oldest. */
  workWhileIdle(): void {
    const start = performance.now();
    this.createOldest();
    this.counts.busyMs += performance.now() - start;
  }

  /** Replies owed since the last call: those of compiles whose session was created meanwhile. */
  takeReplies(): Reply[] {
    const replies = this.outbox;
    if (replies.length > 0) this.outbox = [];
    return replies;
  }

  /** Creates the oldest deferred session still pending (a run may have created the ones before it). */
  private createOldest(): void {
    while (this.deferred.length > 0) {
      const task = this.deferred.shift()!;
      if ('segment' in task ? this.createSegment(task.segment) : this.createKernel(task.kernel)) return;
    }
  }

  /** Creates every pending segment session; kernel sessions wait on (no reply is owed for them). */
  private createSegmentSessions(): void {
    for (const task of this.deferred) if ('segment' in task) this.createSegment(task.segment);
    this.deferred = this.deferred.filter((task) => 'kernel' in task);
  }

  /** A compile: the session is created later (see PendingSession); a compile still pending for the key is done first. */
  private defer(key: string, model: Uint8Array, store: CacheStore | undefined, optimized: boolean, seq: number | undefined): void {
    this.replace(key, { pending: { model, optimized, seq } });
    // The generated segment is written now: a process that ends before the session is needed loses nothing.
    if (store) this.cached?.cache.put(store.kind, store.key, store.payload);
    this.deferred.push({ segment: key });
    this.pendingSegments++;
  }

  /** Registers a segment under `key`, in place of the one before (whose owed compile reply is given first). */
  private replace(key: string, segment: Segment): void {
    this.createSegment(key);
    this.release(key);
    this.segments.set(key, segment);
  }

  /** Creates the session of the key's pending compile, if it has one; false if it had none. */
  private createSegment(key: string): boolean {
    const segment = this.segments.get(key);
    if (!segment || !('pending' in segment)) return false;
    const { model, optimized, seq } = segment.pending;
    this.pendingSegments--;
    const { error, cached, ms, stopping } = this.compile(key, model, optimized);
    if (seq !== undefined) this.outbox.push({ kind: 'compiled', seq, error, cached, cache: this.cacheStats(), ms, ...(stopping ? { stopping } : {}) });
    return true;
  }

  /** Creates the session (through the cache, if any); returns why it failed, if it did. */
  private compile(key: string, model: Uint8Array, optimized: boolean):
    { error?: string; cached?: boolean; ms: number; stopping?: boolean } {
    this.release(key);
    const start = performance.now();
    let outcome: { error?: string; cached?: boolean; stopping?: boolean };
    try {
      const { session, cached } = optimized ? { session: new SyncSession(model, { ...this.sessionOptions, graphOptimizationLevel: 'disabled' }), cached: false }
        // Unoptimized, ORT's saved model would be the model itself: nothing to cache.
        : this.cached && this.sessionOptions.graphOptimizationLevel !== 'disabled' ? this.cached.create(model, this.sessionOptions)
          : { session: new SyncSession(model, this.sessionOptions), cached: false };
      this.segments.set(key, { session });
      outcome = { cached };
    } catch (e) {
      // Runs of the segment posted before the main thread learns this fail their outputs with this
      // message, and reading them throws it.
      const compileError = errorMessage(e);
      this.segments.set(key, { compileError });
      outcome = { error: compileError, ...(e instanceof NativeGateClosed ? { stopping: true } : {}) };
    }
    const ms = performance.now() - start;
    this.counts.compileMs += ms;
    return { ...outcome, ms };
  }


  private release(key: string): void {
    const old = this.segments.get(key);
    if (old && 'session' in old) old.session.dispose();
  }

  /** Single-kernel models for kernel programs: their sessions are created when idle, or when a program needs them. */
  private addKernels(models: ReadonlyArray<{ key: string; model: Uint8Array }>): void {
    for (const { key: kernel, model } of models) {
      if (this.kernels.has(kernel) || this.kernelModels.has(kernel)) continue;
      this.kernelModels.set(kernel, model);
      this.deferred.push({ kernel });
    }
  }

  /** Creates the session of a kernel model still pending; false if there is none. */
  private createKernel(kernel: string): boolean {
    if (!this.kernelModels.has(kernel)) return false;
    this.kernelSession(kernel);
    return true;
  }

  /** A kernel's session, at eager execution's options (created now if it was not yet); undefined if its model never came. */
  private kernelSession(kernel: string): SyncSession | string | undefined {
    const known = this.kernels.get(kernel);
    if (known !== undefined) return known;
    const model = this.kernelModels.get(kernel);
    if (model === undefined) return undefined;
    this.kernelModels.delete(kernel);
    const start = performance.now();
    let session: SyncSession | string;
    try {
      session = new SyncSession(model, EAGER_SESSION_OPTIONS);
    } catch (e) {
      session = errorMessage(e);
    }
    this.kernels.set(kernel, session);
    this.counts.compileMs += performance.now() - start;
    return session;
  }

  /** The model as ORT optimizes it under the session options (through the cache, if any), for another worker to load. */
  private optimize(model: Uint8Array, seq: number): Reply {
    const start = performance.now();
    try {
      const { model: optimized, cached } = this.cached
        ? this.cached.optimized(model, this.sessionOptions)
        : { model: optimizeModel(model, this.sessionOptions, os.tmpdir()), cached: false };
      return { kind: 'optimized', seq, model: optimized, cached, cache: this.cacheStats(), ms: performance.now() - start };
    } catch (e) {
      return {
        kind: 'optimized', seq, error: errorMessage(e), cache: this.cacheStats(), ms: performance.now() - start,
        ...(e instanceof NativeGateClosed ? { stopping: true } : {}),
      };
    } finally {
      this.counts.compileMs += performance.now() - start;
    }
  }

  private feed(id: ValueId, dtype: GraphDtype, shape: number[], data: HostData): void {
    try {
      this.store(id, new OrtTensorClass(dtype, data, shape));
    } catch (e) {
      this.fail([id], { message: `feed of value ${id} (${dtype} [${shape}]) failed: ${errorMessage(e)}` });
    }
  }

  private run(key: string, inputIds: ValueId[], outputIds: ValueId[]): void {
    const failure = this.execute(key, inputIds, outputIds);
    if (failure) {
      this.counts.failedRuns++;
      this.fail(outputIds, failure);
    } else {
      this.counts.runs++;
    }
  }

  /** Runs the segment and stores its outputs; returns why it could not, instead of throwing. */
  private execute(key: string, inputIds: ValueId[], outputIds: ValueId[]): Failure | undefined {
    this.createSegment(key);
    const segment = this.segments.get(key);
    if (!segment || 'pending' in segment) return { key, message: `segment '${key}' was never compiled` };
    if ('compileError' in segment) {
      return { key, message: `segment '${key}' failed to compile: ${segment.compileError}` };
    }
    const takes = 'session' in segment ? segment.session.inputNames.length : segment.program.inputs;
    const gives = 'session' in segment ? segment.session.outputNames.length : segment.program.outputs.length;
    if (inputIds.length !== takes || outputIds.length !== gives) {
      return {
        key,
        message: `segment '${key}' takes ${takes} inputs and gives ${gives} outputs; the run passed ${inputIds.length} and ${outputIds.length}`,
      };
    }
    const inputs: OrtTensor[] = [];
    for (const id of inputIds) {
      const value = this.values.get(id);
      if (value) { inputs.push(value); continue; }
      // A failure propagates, so the value JS eventually reads names the segment that caused it.
      const upstream = this.failures.get(id);
      if (upstream) return { key: upstream.key, message: `segment '${key}' input ${id} failed: ${upstream.message}` };
      return { key, message: `segment '${key}' input ${id} is not held by the GraphRunner (never fed or produced, or disposed)` };
    }
    const start = performance.now();
    let outputs: OrtTensor[];
    try {
      if (this.failNext) {
        this.failNext = false;
        throw new Error('injected run failure (test)');
      }
      outputs = 'session' in segment ? segment.session.run(inputs) : this.interpret(segment.program, inputs);
    } catch (e) {
      return { key, message: `segment '${key}' failed in ONNX Runtime: ${errorMessage(e)}` };
    } finally {
      this.counts.runMs += performance.now() - start;
    }
    // Inputs were all taken before any output is stored, so an output id may name one of the inputs
    // (an in-place state update); the old value is released.
    outputIds.forEach((id, i) => this.store(id, outputs[i]));
    return undefined;
  }

  /** Runs a kernel program's steps in order; throws as a session run would. */
  private interpret(program: KernelProgram, inputs: OrtTensor[]): OrtTensor[] {
    const values = [...inputs];
    for (const step of program.steps) {
      const session = this.kernelSession(step.kernel);
      if (session === undefined) throw new Error(`kernel session '${step.kernel}' was never sent`);
      if (typeof session === 'string') throw new Error(`kernel session '${step.kernel}' could not be created: ${session}`);
      const outputs = session.run(step.inputs.map((i) => values[i]));
      if (outputs.length !== step.outputs) throw new Error(`kernel '${step.kernel}' gave ${outputs.length} outputs, not ${step.outputs}`);
      values.push(...outputs);
    }
    return program.outputs.map((i) => values[i]);
  }

  private read(id: ValueId, seq: number): Reply {
    const value = this.values.get(id);
    if (!value) {
      const failure = this.failures.get(id);
      if (failure) return { kind: 'error', seq, message: failure.message, key: failure.key };
      return { kind: 'error', seq, message: `value ${id} is not held by the GraphRunner (never fed or produced, or disposed)` };
    }
    if (value.type !== 'float32' && value.type !== 'int32' && value.type !== 'bool') {
      return { kind: 'error', seq, message: `value ${id} has dtype ${value.type}, which a tfjs tensor cannot hold` };
    }
    return { kind: 'value', seq, value: toHost(value) };
  }

  private store(id: ValueId, value: OrtTensor): void {
    this.values.set(id, value);
    this.failures.delete(id);
  }

  private fail(ids: ValueId[], failure: Failure): void {
    for (const id of ids) {
      this.values.delete(id);
      this.failures.set(id, failure);
    }
  }

  private cacheStats(): WorkerCacheStats | undefined {
    return this.cached && { ...this.cached.counters, ...this.cached.cache.counters };
  }

  stats(): WorkerStats {
    let segments = 0;
    let failedSegments = 0;
    for (const s of this.segments.values()) {
      if ('session' in s) segments++;
      else if ('compileError' in s) failedSegments++;
    }
    return {
      values: this.values.size,
      failedValues: this.failures.size,
      segments,
      failedSegments,
      ...this.counts,
    };
  }
}

/**
 * The reply is structured-cloned (copied): the worker keeps the value, since JS may read it again or
 * feed it to a later run. A view over a larger buffer is sliced first, because cloning a view
 * copies its whole underlying buffer.
 */
function toHost(t: OrtTensor): HostValue {
  let data = t.data as HostData;
  if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength) data = data.slice();
  return { dtype: t.type as GraphDtype, shape: [...t.dims], data };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
