/**
 * The main-thread face of the GraphRunner: a worker thread that owns the ONNX Runtime sessions of
 * the compiled segments and every value that lives between runs. JS names values by ids it
 * allocates itself, so compile/feed/run/dispose only post a message and return at once: JS runs ahead
 * while the worker executes. JS waits only where it reads a value:
 * - readSync blocks in Atomics.wait on a shared counter the worker bumps after each reply, and takes
 *   the reply with receiveMessageOnPort, which needs no event-loop turn (tfjs's dataSync);
 * - read awaits the reply as an ordinary message, leaving the event loop free (tfjs's data()).
 */
import * as os from 'os';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { closeNativeGate } from '../ort/native_gate';
import type { SessionOptions } from '../ort/sync_session';
import { GraphRunnerDied, GraphValueError } from './errors';
import { osThreadAlive } from './liveness';
import type { DiskCacheOptions } from '../cache/disk_cache';
import type {
  CacheStore, CrashKind, GraphDtype, HostData, HostValue, KernelProgram, Reply, Request, ValueId, WorkerCacheStats, WorkerInit,
  WorkerSessionOptions, WorkerStats,
} from './protocol';
import { createSignal, Slot } from './signal';
import { spawnWorker } from './spawn';

export interface GraphRunnerOptions {
  /** ORT intra-op threads per session; default: see defaultIntraOpThreads(). */
  intraOpNumThreads?: number;
  /**
   * Whether ORT's intra-op threads spin while waiting for work (ORT's default). Spinning burns the
   * cores the JS thread needs while it runs ahead; default: see defaultSpinning().
   */
  spinning?: boolean;
  /** ORT execution providers, passed through; default ['cpu']. Only 'cpu' is tested here. */
  executionProviders?: string[];
  /**
   * Default 'basic': the JS thread, not the segments, bounds co-execution, and 'basic' creates sessions
   * 10-45% faster than 'all' with segment runs as fast on the evaluation fixtures (bench/profile.md).
   */
  graphOptimizationLevel?: SessionOptions['graphOptimizationLevel'];
  /** Path of the compiled worker script, when this module is bundled (see spawn.ts). */
  workerEntry?: string;
  /** How often a blocked readSync re-checks that the worker is alive (ms); default 20. */
  livenessPollMs?: number;
  /**
   * Hold fire-and-forget requests (compile, feed, run, dispose) until send(), and post them as one
   * message: a message costs ~10 us, a co-executed iteration makes dozens. Any request that waits for
   * a reply sends what is held first, so the order is always the order of the calls. Default false.
   */
  batching?: boolean;
  /** The compiled-graph cache (docs/cache.md): sessions from ORT's saved optimized models. None by default. */
  cache?: DiskCacheOptions;
  /**
   * A progress display's clock: called with true every livenessPollMs while a request blocks the JS
   * thread, and with false once when such a wait ends.
   */
  whileBlocked?: (blocked: boolean) => void;
}

/** What compileSync or compile learned. */
export interface CompileResult {
  /** ORT's reason, if the session could not be created (the key then stays registered, and runs of it fail). */
  error?: string;
  /** The session was loaded from the compiled-graph cache. */
  cached?: boolean;
  /** The worker's cache counters after this compile (with a cache). */
  cache?: WorkerCacheStats;
  /** How long the worker took to create the session (ms). */
  ms: number;
  /** It failed because the worker is being stopped: says nothing about the model. */
  stopping?: boolean;
}

export interface CompileOptions {
  /** Gets the outcome, once the reply is taken. */
  done?: (result: CompileResult) => void;
  /** A cache entry the worker writes if the session is created. */
  store?: CacheStore;
  /** The model is one optimize() returned: loaded with optimizations off. */
  optimized?: boolean;
}

/** What optimize learned: the optimized model, or ORT's reason there is none. */
export interface OptimizeResult {
  model?: Uint8Array;
  error?: string;
  /** The optimized model came from the compiled-graph cache. */
  cached?: boolean;
  cache?: WorkerCacheStats;
  ms: number;
  /** No model because the worker is being stopped: says nothing about the model. */
  stopping?: boolean;
}

export interface GraphRunnerStats extends WorkerStats {
  /** Requests posted that the worker has not finished yet (read without a message). */
  pending: number;
}

export interface FeedOptions {
  /**
   * Transfer the data's buffer to the worker instead of copying it. Only when the caller owns the
   * buffer outright: it is detached (unusable) afterwards. Ignored for views that do not cover their
   * whole buffer and for SharedArrayBuffers.
   */
  transfer?: boolean;
}

/**
 * ORT intra-op threads for the machine: every core but the one the JS thread runs on while it runs
 * ahead, so the two never compete for a core. See docs/graph-runner.md and
 * bench/results-graph-runner.md.
 */
export function defaultIntraOpThreads(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/**
 * ORT's pool threads spin while waiting for work by default, taking the core the JS thread needs
 * exactly when co-execution runs it ahead: measured on 2 cores, ORT's defaults lose the whole overlap.
 * Off by default (irrelevant with a single intra-op thread, which has no pool threads).
 */
export function defaultSpinning(): boolean {
  return false;
}

/** The ORT session options of the GraphRunner's segments, for these runner options. */
function runnerSessionOptions(options: GraphRunnerOptions = {}): WorkerSessionOptions {
  return {
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'basic',
    intraOpNumThreads: options.intraOpNumThreads ?? defaultIntraOpThreads(),
    // Segments are chains; parallelism comes from the intra-op pool and from overlapping with JS.
    interOpNumThreads: 1,
    executionProviders: options.executionProviders ?? ['cpu'],
    // Passed through the binding as ORT session config entries.
    extra: { session: { intra_op: { allow_spinning: (options.spinning ?? defaultSpinning()) ? '1' : '0' } } },
  };
}

type Pending = { resolve: (r: Reply) => void; reject: (e: Error) => void };

/** How long stopping the worker waits for an ONNX Runtime call in progress (a session being created may take seconds). */
const NATIVE_CALL_WAIT_MS = 60_000;

/**
 * Node terminates every worker when the process exits, which aborts the process if the worker is
 * inside ONNX Runtime (ort/native_gate.ts): one exit hook closes the gate of every live runner.
 */
const live = new Set<GraphRunner>();
process.on('exit', () => {
  for (const runner of live) runner.closeGate();
});

export class GraphRunner {
  private readonly worker: Worker;
  private readonly replies: MessagePort;
  private readonly signal: Int32Array;
  private readonly pollMs: number;
  private nextId = 1;
  private nextSeq = 1;
  private posted = 0;
  private readonly batching: boolean;
  private held: Request[] = [];
  private heldTransfers: ArrayBuffer[] = [];
  private readonly compiled = new Set<string>();
  /** The single-kernel models the worker has (see program). */
  private readonly kernelsSent = new Set<string>();
  /** Replies taken off the port (by either path) that their reader has not collected yet. */
  private readonly arrived = new Map<number, Reply>();
  /** Async reads waiting for their reply. */
  private readonly awaiting = new Map<number, Pending>();
  /** Compiles and optimizations waiting for their reply. */
  private readonly callbacks = new Map<number, (reply: Reply) => void>();
  private readonly whileBlocked: ((blocked: boolean) => void) | undefined;
  private death: GraphRunnerDied | undefined;
  private terminating = false;
  /** worker.terminate() was called (by the test fault) without the runner marking itself dead. */
  private stopRequested = false;
  private workerError: string | undefined;

  /** The options every segment session is created with (the static-limit measurement reuses them). */
  readonly sessionOptions: WorkerSessionOptions;

  constructor(options: GraphRunnerOptions = {}) {
    this.sessionOptions = runnerSessionOptions(options);
    this.pollMs = options.livenessPollMs ?? 20;
    this.batching = options.batching ?? false;
    this.whileBlocked = options.whileBlocked;
    const signal = createSignal();
    this.signal = new Int32Array(signal);
    const { port1, port2 } = new MessageChannel();
    this.replies = port1;
    const init: WorkerInit = { signal, replyPort: port2, sessionOptions: this.sessionOptions, cache: options.cache };
    this.worker = spawnWorker(init, [port2], options.workerEntry);

    // Neither the worker nor the reply port keeps the process alive by itself: a program that ends
    // ends. While an async read is pending the port is ref'd, so the process waits for the answer.
    this.worker.unref();
    this.replies.on('message', (r: Reply) => this.dispatch(r));
    this.replies.unref();
    // Without an 'error' listener a worker's uncaught exception would be rethrown in the main thread.
    this.worker.on('error', (e) => { this.workerError = `uncaught exception in the worker: ${e.name}: ${e.message}`; });
    this.worker.on('exit', (code) => this.markDead(
      this.terminating ? 'terminated by GraphRunner.terminate()' : this.workerError ?? `the worker exited with code ${code}`));
    live.add(this);
  }

  /** A fresh id for a value (fed or produced by a run). Ids are never reused by the runner. */
  newId(): ValueId {
    return this.nextId++;
  }

  /** Registers a segment and blocks until its session exists (see CompileResult). */
  compileSync(key: string, model: Uint8Array): CompileResult {
    const seq = this.nextSeq++;
    this.post({ op: 'compile', key, model, seq }, undefined, true);
    this.compiled.add(key);
    return compileResult(this.waitSync(seq));
  }

  /**
   * Registers a segment without waiting: runs of it may be posted at once, and the worker runs them
   * once the session exists. If it cannot be created, those runs fail (reading their outputs throws
   * GraphValueError naming the key). `done`, if given, gets the outcome when the reply is taken: in
   * any later blocking call, collect(), or an event-loop turn. `optimized`: the model came from
   * optimize() (of this or another runner), and is loaded with ORT's optimizations off. Compiling a
   * key again replaces its session.
   */
  compile(key: string, model: Uint8Array, options: CompileOptions = {}): void {
    const { done, store, optimized } = options;
    let seq: number | undefined;
    if (done) this.callbacks.set(seq = this.nextSeq++, (reply) => done(compileResult(reply)));
    this.post({ op: 'compile', key, model, ...(seq === undefined ? {} : { seq }), ...(store ? { store } : {}), ...(optimized ? { optimized } : {}) });
    this.compiled.add(key);
  }

  /**
   * Registers a segment that the worker runs kernel by kernel (see KernelProgram), at once: there is no
   * session to create but the kernels'. `model(kernel)` gives the model of a kernel not sent before.
   */
  program(key: string, program: KernelProgram, model: (kernel: string) => Uint8Array): void {
    const unsent = new Set(program.steps.map((s) => s.kernel).filter((k) => !this.kernelsSent.has(k)));
    this.kernels([...unsent].map((k) => ({ key: k, model: model(k) })));
    this.post({ op: 'program', key, program });
    this.compiled.add(key);
  }

  /** Sends single-kernel models for kernel programs (those not sent before): the worker creates their sessions. */
  kernels(models: ReadonlyArray<{ key: string; model: Uint8Array }>): void {
    const unsent: Array<{ key: string; model: Uint8Array }> = [];
    for (const m of models) {
      if (this.kernelsSent.has(m.key)) continue;
      this.kernelsSent.add(m.key);
      unsent.push(m);
    }
    if (unsent.length > 0) this.post({ op: 'kernels', models: unsent });
  }

  /**
   * Has the worker optimize a model as it would for a session, without keeping one: `done` gets the
   * optimized model (or ORT's reason there is none) when the reply is taken, as for compile. A runner
   * that only optimizes lets another one's runs go on meanwhile.
   */
  optimize(model: Uint8Array, done: (result: OptimizeResult) => void): void {
    const seq = this.nextSeq++;
    this.callbacks.set(seq, (reply) => {
      if (reply.kind !== 'optimized') throw new Error(`GraphRunner: unexpected reply ${reply.kind} to optimize`);
      done({ model: reply.model, error: reply.error, cached: reply.cached, cache: reply.cache, ms: reply.ms, stopping: reply.stopping });
    });
    this.post({ op: 'optimize', model, seq });
  }

  /** Takes the replies that have arrived, without waiting: the callbacks of compiles and optimizations run. */
  collect(): void {
    if (this.callbacks.size > 0) this.drain();
  }

  /** Compiles and optimizations posted with a callback whose reply has not been taken yet. */
  get unanswered(): number {
    return this.callbacks.size;
  }

  /**
   * Puts a host value in the worker under `id`. The data is copied (structured clone) unless
   * `transfer` is asked for: a tfjs tensor's buffer usually stays readable by JS after it is fed.
   */
  feed(id: ValueId, dtype: GraphDtype, shape: readonly number[], data: HostData, options: FeedOptions = {}): void {
    const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    // Cloning a view clones its whole buffer: send just the view's bytes.
    const sent = whole ? data : data.slice();
    const transfer = options.transfer && whole && data.buffer instanceof ArrayBuffer ? [data.buffer] : undefined;
    this.post({ op: 'feed', id, dtype, shape: [...shape], data: sent }, transfer);
  }

  /**
   * Enqueues a run of segment `key` on the given input values; its outputs are stored under
   * `outputIds`. Returns at once. An output id that already holds a value replaces it (inputs are
   * taken first, so `run(k, [v, x], [v])` updates v in place). If the run fails, every output id is
   * marked failed and reading it throws; later runs that do not depend on it are unaffected.
   */
  run(key: string, inputIds: readonly ValueId[], outputIds: readonly ValueId[]): void {
    if (!this.compiled.has(key)) throw new Error(`GraphRunner.run: segment '${key}' was never compiled`);
    this.post({ op: 'run', key, inputs: [...inputIds], outputs: [...outputIds] });
  }

  /** Blocks until the value is ready and returns a copy of it. */
  readSync(id: ValueId): HostValue {
    const seq = this.nextSeq++;
    this.post({ op: 'read', id, seq });
    return this.unpackValue(this.waitSync(seq), id);
  }

  /**
   * Asks for a value without waiting for it: pollRead(seq) takes it once it has arrived. For reads
   * that must not block and must not depend on the event loop turning (a synchronous program).
   */
  requestRead(id: ValueId): number {
    const seq = this.nextSeq++;
    this.post({ op: 'read', id, seq });
    return seq;
  }

  /** The value asked for by requestRead, if it has arrived (undefined if not yet); throws if the read failed. */
  pollRead(seq: number, id: ValueId): HostValue | undefined {
    this.drain();
    const reply = this.arrived.get(seq);
    if (!reply) {
      this.throwIfDead();
      return undefined;
    }
    this.arrived.delete(seq);
    return this.unpackValue(reply, id);
  }

  /** Awaits the value without blocking the event loop. */
  async read(id: ValueId): Promise<HostValue> {
    const seq = this.nextSeq++;
    this.post({ op: 'read', id, seq });
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.awaiting.set(seq, { resolve, reject });
      this.replies.ref();
      // The reply may already have been taken by a readSync's drain.
      const early = this.arrived.get(seq);
      if (early) { this.arrived.delete(seq); this.settle(seq, early); }
    });
    return this.unpackValue(reply, id);
  }

  /** Frees the value in the worker. A no-op once the worker is dead (there is nothing left to free). */
  dispose(id: ValueId): void {
    if (this.death) return;
    const last = this.held[this.held.length - 1];
    if (last?.op === 'dispose') last.ids.push(id);
    else this.post({ op: 'dispose', ids: [id] });
  }

  /** The worker's counters, after every request posted so far (blocks like readSync). */
  stats(): GraphRunnerStats {
    const seq = this.nextSeq++;
    this.post({ op: 'stats', seq });
    const reply = this.waitSync(seq);
    if (reply.kind !== 'stats') throw new Error(`GraphRunner: unexpected reply ${reply.kind} to stats`);
    return { ...reply.stats, pending: this.pending() };
  }

  /**
   * The fingerprint of segment generation's code (cache/fingerprints.ts), which keys generated segments in
   * the compiled-graph cache. With a cache the worker computes it when it starts, in parallel with the JS
   * thread; this blocks only if it is not done yet.
   */
  generatorFingerprint(): string {
    const seq = this.nextSeq++;
    this.post({ op: 'generator', seq });
    const reply = this.waitSync(seq);
    if (reply.kind !== 'generator') throw new Error(`GraphRunner: unexpected reply ${reply.kind} to generator`);
    return reply.fingerprint;
  }

  /** Requests posted and not yet finished by the worker; reads shared memory, waits for nothing. */
  pending(): number {
    return this.posted - Atomics.load(this.signal, Slot.DONE);
  }

  /** Runs finished by the worker (successfully or not); reads shared memory, waits for nothing. */
  runsDone(): number {
    return Atomics.load(this.signal, Slot.RUNS_DONE);
  }

  /** Runs that failed so far; counted before RUNS_DONE, so it covers every run runsDone() covers. */
  runsFailed(): number {
    return Atomics.load(this.signal, Slot.RUNS_FAILED);
  }

  get alive(): boolean {
    return this.checkAlive();
  }

  /** Stops the worker; its values are lost, and later calls throw GraphRunnerDied. */
  async terminate(): Promise<void> {
    if (this.death) return;
    this.terminating = true;
    this.markDead('terminated by GraphRunner.terminate()');
    this.closeGate();
    await this.worker.terminate();
  }

  /** Blocks until the worker is in no ONNX Runtime call and will start none: it may then be terminated. */
  closeGate(): void {
    live.delete(this);
    closeNativeGate(this.signal, Slot.NATIVE_GATE, NATIVE_CALL_WAIT_MS);
  }

  /**
   * TEST-ONLY: 'fail-next-run' makes the next run fail as if ONNX Runtime had thrown. The others kill
   * the worker the three ways it can die unasked: process.exit() or an uncaught
   * exception inside it (both executed in order, after the requests already posted), or
   * `worker.terminate()` from outside, which runs none of the worker's code and is noticed only
   * by the liveness probe or the 'exit' event. That one lands between two ONNX Runtime calls
   * (see closeGate), the only place a worker can be stopped without aborting the process.
   */
  _crashForTests(how: Exclude<CrashKind, 'hold'> | 'terminate'): void {
    if (how === 'terminate') {
      this.closeGate();
      this.stopRequested = true;
      void this.worker.terminate();
    } else this.post({ op: 'crash', how });
  }

  /**
   * TEST-ONLY: the worker handles nothing after the requests posted so far until the returned function
   * is called, so that a test can tell what JS does without waiting for the worker from what a race
   * between the two threads happened to give.
   */
  _holdForTests(): () => void {
    Atomics.store(this.signal, Slot.HOLD, 1);
    this.post({ op: 'crash', how: 'hold' });
    return () => {
      Atomics.store(this.signal, Slot.HOLD, 0);
      Atomics.notify(this.signal, Slot.HOLD);
    };
  }

  // ---- internals ----

  /** Posts the requests held by batching, as one message. */
  send(): void {
    if (this.held.length === 0) return;
    const requests = this.held;
    const transfers = this.heldTransfers;
    this.held = [];
    this.heldTransfers = [];
    this.throwIfDead();
    this.countPosted();
    this.worker.postMessage(requests.length === 1 ? requests[0] : { op: 'batch', requests } satisfies Request, transfers);
  }

  /** Counted before the message goes, so that the worker never sees it handled and not posted (see worker.ts whenIdle). */
  private countPosted(): void {
    Atomics.store(this.signal, Slot.POSTED, ++this.posted);
  }

  private post(req: Request, transfer?: ArrayBuffer[], blocking = false): void {
    const waits = blocking || req.op === 'read' || req.op === 'stats' || req.op === 'generator' || req.op === 'optimize' ||
      (req.op === 'crash' && req.how !== 'fail-next-run');
    if (this.batching && !waits) {
      this.throwIfDead();
      this.held.push(req);
      if (transfer) this.heldTransfers.push(...transfer);
      return;
    }
    this.send();
    this.throwIfDead();
    this.countPosted();
    this.worker.postMessage(req, transfer);
  }

  /** Blocks until the reply to `seq` arrives or the worker is found dead. */
  private waitSync(seq: number): Reply {
    let told = false;
    try {
      for (;;) {
        // Load the counter before draining: a reply posted after the drain bumps it, so the wait
        // below returns at once instead of missing the notification.
        const seen = Atomics.load(this.signal, Slot.REPLIES);
        this.drain();
        const reply = this.arrived.get(seq);
        if (reply) {
          this.arrived.delete(seq);
          return reply;
        }
        this.throwIfDead();
        if (Atomics.wait(this.signal, Slot.REPLIES, seen, this.pollMs) === 'timed-out') {
          this.checkAlive();
          this.whileBlocked?.(true);
          told = this.whileBlocked !== undefined;
        }
      }
    } finally {
      if (told) this.whileBlocked!(false);
    }
  }

  /** Takes every reply already delivered to the port, without an event-loop turn. */
  private drain(): void {
    for (let m = receiveMessageOnPort(this.replies); m; m = receiveMessageOnPort(this.replies)) {
      this.dispatch(m.message as Reply);
    }
  }

  private dispatch(reply: Reply): void {
    if (reply.kind === 'died') {
      this.markDead(reply.reason);
      return;
    }
    const callback = this.callbacks.get(reply.seq);
    if (callback) {
      this.callbacks.delete(reply.seq);
      callback(reply);
    } else if (this.awaiting.has(reply.seq)) this.settle(reply.seq, reply);
    else this.arrived.set(reply.seq, reply);
  }

  private settle(seq: number, reply: Reply): void {
    const p = this.awaiting.get(seq)!;
    this.awaiting.delete(seq);
    if (this.awaiting.size === 0) this.replies.unref();
    p.resolve(reply);
  }

  private unpackValue(reply: Reply, id: ValueId): HostValue {
    if (reply.kind === 'value') return reply.value;
    if (reply.kind === 'error') throw new GraphValueError(reply.message, id, reply.key);
    throw new Error(`GraphRunner: unexpected reply ${reply.kind} to a read`);
  }

  /** True unless the worker is known dead: its own exit hook, the 'exit' event, or the OS probe. */
  private checkAlive(): boolean {
    if (this.death) return false;
    if (Atomics.load(this.signal, Slot.DEAD) === 1) {
      this.drain(); // the worker's 'died' message says why
      if (!this.death) this.markDead(this.workerError ?? 'the worker exited');
      return false;
    }
    const tid = Atomics.load(this.signal, Slot.TID);
    // A worker stopped before its script ran never publishes its thread id, and never will.
    if (!osThreadAlive(tid) || (this.stopRequested && tid === 0)) {
      this.drain();
      if (!this.death) this.markDead(this.terminating ? 'terminated by GraphRunner.terminate()' : 'the worker thread was terminated');
      return false;
    }
    return true;
  }

  private throwIfDead(): void {
    if (!this.checkAliveCheap()) throw this.death!;
  }

  /** The cheap part of checkAlive, for every post: no filesystem probe. */
  private checkAliveCheap(): boolean {
    if (this.death) return false;
    if (Atomics.load(this.signal, Slot.DEAD) === 1) return this.checkAlive();
    return true;
  }

  private markDead(reason: string): void {
    if (this.death) return;
    this.death = new GraphRunnerDied(reason);
    live.delete(this);
    for (const p of this.awaiting.values()) p.reject(this.death);
    this.awaiting.clear();
    // Their answers are lost with the worker; whoever asked learns it from GraphRunnerDied.
    this.callbacks.clear();
    this.replies.unref();
  }
}

function compileResult(reply: Reply): CompileResult {
  if (reply.kind !== 'compiled') throw new Error(`GraphRunner: unexpected reply ${reply.kind} to compile`);
  return { error: reply.error, cached: reply.cached, cache: reply.cache, ms: reply.ms, stopping: reply.stopping };
}
