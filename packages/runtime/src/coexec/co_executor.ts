import { BackendValues, DataId, DataType, KernelFunc, NamedAttrMap, TensorInfo, engine } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { GraphBreak } from '../generation/segment';
import { GraphRunner } from '../graph_runner/graph_runner';
import type { HostData, ValueId } from '../graph_runner/protocol';
import { InFlight, RunLedger } from './run_ledger';
import { IterationProfile } from './iteration_profile';
import { Lineage } from './lineage';
import { SharedConstants } from './shared_constants';
import { sameValues } from '../trace/same_values';
import { TerraData, place, toHostData } from './terra_data';
import { GraphRunnerDied, GraphValueError } from '../graph_runner/errors';
import { isLowerableDtype } from '../onnx/dtypes';
import { sharedAttrs } from '../lowering/attrs';
import { VIEW_KERNELS, loweringFor } from '../lowering/registry';
import type { ValueCheck } from '../lowering/types';
import { lastDispatchPath } from '../stats';
import { TraceRecorder, kernelInputs } from '../trace/recorder';
import { GraphNode, START, TraceGraph } from '../trace/trace_graph';
import type { DraftKernel, Trace, TracedKernel, TensorSig } from '../trace/trace';
import { BoundaryCause, IterationBoundaries } from './boundaries';
import { CoexecCounters, Divergence, newCounters } from './counters';
import type { CoexecOptions } from './options';
import { BatchOutput, External, PendingBatch } from './pending_batch';
import { replayBatch } from './replay';
import { identityAttrs } from './identity_attrs';
import { provenIndexBound } from './index_range';
import { Replayed, Thrown } from './thrown';
import { ShadowCheck, ShadowHost } from './check/shadow_check';
import { SegmentCompiler } from './segment_compiler';
import { Position, Stretch, StretchContext, StretchPlan } from './stretch';
import { replaysRecording } from './static_match';
import { kernelProgram } from './kernel_program';
import { eagerExecutor } from '../eager/eager_executor';

/** Run-ahead gives up on a start node after this many abandoned stretches. */
const RUN_AHEAD_MAX_MISSES = 3;
const RUN_AHEAD_MAX_KERNELS = 20000;
/** Run-ahead plans kept per start node (see plans). */
const PLANS_PER_NODE = 4;
/** A trace longer than this with no boundary is dropped: memory stays bounded in boundary-less programs. */
const MAX_TRACE_KERNELS = 100_000;
/** Co-executed iterations in a row that diverged before co-execution rests (mayRest), and how long it rests. */
const REST_AFTER = 32;
const REST_ITERATIONS = 32;
const MAX_REST_ITERATIONS = 1024;

type Inputs = ReadonlyArray<readonly [string, TensorInfo]>;

/** A run posted: its values in the worker; `kernelByKernel`, run as a kernel program (see postKernels). */
interface Posted {
  readonly inputIds: ValueId[];
  readonly outputIds: ValueId[];
  readonly kernelByKernel: boolean;
}

interface PlanEntry {
  /** What was built, long enough or not (a short one stands for "none possible" while it holds). */
  readonly built: StretchPlan;
  readonly plan: StretchPlan | undefined;
  slotVersion: number;
  /** The TraceGraph version at which the plan was last found to hold. */
  heldAt: number;
}

/** What the next kernel is expected to be, for a validated call. */
interface Prediction {
  readonly node: number;
  readonly outputs: readonly TensorSig[];
  readonly breaks: boolean;
}

interface CompiledSegment {
  readonly runnerKey: string;
  /** For each segment input, the batch's external slot, or the batch kernel whose shape attr it takes. */
  readonly inputSources: ReadonlyArray<number | { readonly op: number; readonly attr: string }>;
  readonly inputs: readonly TensorSig[];
  readonly outputs: readonly TensorSig[];
  readonly model: Uint8Array;
  /** The TraceGraph nodes of its kernels, in order (static mode: positions in the recording). */
  readonly nodes: readonly number[];
  readonly kernels: readonly string[];
  runs: number;
  /** Runs may be posted (its model is no longer at the optimizer). */
  ready: boolean;
}

/** A compiled segment as tools see it (dumps, the benchmark's static limit). */
export interface SegmentInfo {
  readonly name: string;
  readonly model: Uint8Array;
  readonly inputs: readonly TensorSig[];
  readonly outputs: readonly TensorSig[];
  /** The TraceGraph nodes of its kernels, in order (static mode: positions in the recording). */
  readonly nodes: readonly number[];
  /** Its kernels' names, in order. */
  readonly kernels: readonly string[];
  readonly runs: number;
}

/**
 * Batches of one structure that get segments specialized to their shapes before the shape-general one
 * is compiled: a program that alternates between two shapes (two padded sequence lengths) keeps its
 * faster specialized segments; a third shape says the sizes keep changing.
 */
const SPECIALIZED_SHAPES = 2;

/**
 * Imperative-symbolic co-execution (DESIGN.md, phases 1 to 3), driven by the terra backend's kernel
 * calls, writes and reads:
 * - tracing: kernels run eagerly and are recorded; at each iteration boundary the trace merges into
 *   the TraceGraph. Once the graph stops growing, iterations are co-executed.
 * - co-execution: each kernel call is validated against the TraceGraph (its identity, including input
 *   provenance and shapes) and returns lazy tensors with the predicted shapes. Validated kernels
 *   accumulate in a pending batch, dispatched as one segment to the GraphRunner at a sync point (JS
 *   reads a value, a graph break, an iteration boundary). JS goes on at once; it waits only in reads.
 * - divergence: a call the graph does not predict dispatches what is pending, and the rest of the
 *   iteration runs eagerly while recorded; the new path merges and is co-executed when seen again.
 * - static mode: the first whole step (the first iteration begun and ended by the same kind of boundary) is recorded and later iterations replay it by position, checking
 *   only the kernel name (the tf.function-style baseline, which may be wrong: the benchmark checks it).
 *   A kernel beyond the recording or with another name runs eagerly for the rest of the iteration.
 */
export class CoExecutor {
  private readonly graph = new TraceGraph(identityAttrs);
  private readonly compiler: SegmentCompiler;
  private readonly recorder = new TraceRecorder();
  private readonly runner: GraphRunner;
  private readonly boundaries: IterationBoundaries;
  private readonly counters: CoexecCounters = newCounters();
  private readonly segments = new Map<string, CompiledSegment | { failed: string }>();
  /**
   * By PendingBatch.generalKey: how many sets of shapes that structure was seen in, and its
   * shape-general segment with the keys sharing it once compiled; 'no' where that could not be built or created.
   */
  private readonly structures = new Map<string, { shapes: number; general?: { compiled: CompiledSegment; keys: string[] } | 'no' }>();
  /** Batch keys seen once and run without a compile (see segmentFor), with their rank among their structure's shapes. */
  private readonly sightedOnce = new Map<string, number>();
  private sightings = 0;
  /** Graph nodes (static mode: positions) found not to lower inside a segment. */
  private readonly breakNodes = new Set<number>();
  private batch = new PendingBatch();
  private state: 'tracing' | 'coexec' | 'diverged' | 'resting' = 'tracing';
  /** Co-executed iterations that diverged since the last one that did not (see mayRest). */
  private divergedInRow = 0;
  /** Iterations left to rest, and how long the next rest is (it doubles while divergence goes on). */
  private restLeft = 0;
  private restLength = REST_ITERATIONS;
  private started = false;
  private prev = START;
  private nodeOfOp: number[] = [];
  /** The node each kernel of the current iteration was matched to, by index. */
  private matched: number[] = [];
  /** Indices of those matched as a node of another path, not as a successor of the call before (see predict). */
  private joined: number[] = [];
  private staticTrace: Trace | undefined;
  /** What ended the previous iteration (static mode records an iteration begun and ended alike). */
  private lastCause: BoundaryCause | undefined;
  /** Live buffers the worker holds a copy of (the tensors stop() must bring home). */
  private readonly resident = new Map<DataId, TerraData>();
  private readonly constants = new SharedConstants();
  private readonly ledger = new RunLedger();
  private readonly lineage = new Lineage();
  /** The worker died: every value was rebuilt on the host (see onWorkerDeath) and kernels run eagerly. */
  private dead = false;
  private deathValues = new Map<ValueId, Replayed>();
  /** Kernels replays found throwing (kernelThrew), counted or not: from the first, every kernel call checks its inputs. */
  private thrownReplays = 0;
  private warnedThrow = false;
  private warnedFailure = false;
  /** Segments whose session the worker could not create (runner keys): their runs' failures were said already. */
  private readonly failedCompiles = new Set<string>();
  private compileCount = 0;
  /** Kernels of a stretch whose segment is compiling, still to run on the host (see runPredicted). */
  private hostUntilCompiled = 0;
  /** The run-ahead stretch being claimed, if any. */
  private stretch: Stretch | undefined;
  /**
   * A stretch was abandoned in this iteration: the rest of it is batched. Each new stretch would start
   * at another node, so another segment to compile, and a step that left its prediction early (resnet's
   * learning-rate change) went on abandoning them: 160 stretches and 212 segments compiled in one step.
   */
  private runAheadSuspended = false;
  /** JS wrote a tensor while a batch was pending and no stretch ran (see runPredicted). */
  private wroteWhileBatching = false;
  /**
   * Run-ahead plans by start node, while they hold on the TraceGraph (plan undefined: none possible). A
   * few are kept per node: steps of two kinds (training, and an evaluation now and then) number their
   * feeds and carried values differently, and each kind's plan holds again when it is back;
   * and a node several paths share starts one plan per path (stretchFrom).
   */
  private readonly plans = new Map<number, PlanEntry[]>();
  /** Nodes from which run-ahead failed (abandoned or not compilable) too often to try again. */
  private readonly runAheadMisses = new Map<number, number>();
  /** The buffers this iteration's kernels took from before it or from JS's writes, by kernel index and input. */
  private outsideTaken: Array<{ op: number; input: number; dataId: DataId }> = [];
  /** The same by node, as of the last merged trace that called it (see takenAtSite). */
  private readonly outsideInputs = new Map<number, DataId[]>();
  /** The buffers of each node's latest outputs in this iteration (run-ahead resolves inputs by them). */
  private readonly nodeOutputs: Array<readonly TensorInfo[] | undefined> = [];
  /** The iteration each entry of nodeOutputs is from (nodeOutputsEpoch): a new iteration starts none. */
  private readonly nodeOutputsAt: number[] = [];
  private nodeOutputsEpoch = 0;
  private warnedCompile = false;
  private readonly unsubscribeKernels: (() => void) | undefined;
  private depth = 0;
  private kernelsIssued = 0;
  private stopped = false;
  /** Records one co-executed iteration's segment runs, when asked (see iteration_profile.ts). */
  readonly profile: IterationProfile | undefined;
  /** --check: the eager shadow of co-executed iterations (see check/shadow_check.ts). */
  private readonly check: ShadowCheck | undefined;

  constructor(private readonly backend: MathBackendCPU, private readonly eagerFuncs: ReadonlyMap<string, KernelFunc>,
    private readonly options: CoexecOptions) {
    const graphOptimizationLevel = options.segmentOptimization ?? 'disabled';
    this.runner = new GraphRunner({
      executionProviders: options.executionProviders,
      intraOpNumThreads: options.intraOpNumThreads,
      graphOptimizationLevel,
      workerEntry: options.workerEntry,
      batching: true,
      cache: options.cache,
      whileBlocked: (blocked) => this.compiler.whileBlocked(blocked),
    });
    // Sessions are optimized in a worker of their own (started at the first compile), so that a compile
    // holds up neither JS nor the runs; unoptimized, the GraphRunner's worker creates them when idle.
    const optimizer = graphOptimizationLevel === 'disabled' ? undefined : (): GraphRunner => new GraphRunner({
      executionProviders: options.executionProviders,
      intraOpNumThreads: options.intraOpNumThreads,
      graphOptimizationLevel,
      workerEntry: options.workerEntry,
      cache: options.cache,
      whileBlocked: (blocked) => this.compiler.whileBlocked(blocked),
    });
    this.compiler = new SegmentCompiler(this.runner, optimizer, options.cache, options.compileProgress);
    this.counters.mode = options.mode ?? 'terra';
    if (options.profileIteration !== undefined) this.profile = new IterationProfile(options.profileIteration, this.runner.sessionOptions);
    if (options.check) this.check = new ShadowCheck(this.shadowHost(), options.check === true ? {} : options.check);
    this.boundaries = new IterationBoundaries(() => this.kernelsIssued, (cause) => this.boundary(cause));
    this.boundaries.start(options.boundaries);
    // The GraphRunner creates its own sessions of the kernels the host compiles (it is idle while JS
    // traces), so that a first occurrence run kernel by kernel finds them ready. They are posted with the
    // next requests, at the latest at the iteration's end: one message for many.
    if (options.firstOccurrence === undefined || options.firstOccurrence === 'kernels') {
      this.unsubscribeKernels = eagerExecutor.onCompile((key, model) => {
        if (this.dead) return;
        try {
          this.runner.kernels([{ key, model }]);
        } catch (e) {
          if (!(e instanceof GraphRunnerDied)) throw e;
          this.onWorkerDeath(e);
        }
      });
    }
  }

  // ---- kernel calls, writes and reads (from the backend) ----

  runKernel(kernelName: string, args: Parameters<KernelFunc>[0], eager: KernelFunc): TensorInfo | TensorInfo[] {
    if (this.depth > 0) return eager(args);
    // A view computes nothing and returns its input's buffer, whose origin the trace already has: there is
    // nothing to record, predict or run. (tfjs-core's tape clones every tensor it saves for the backward
    // pass: a fifth of a training step's kernel calls.)
    if (VIEW_KERNELS.has(kernelName)) return this.runView(args, eager);
    if (this.dead) return this.runEagerly(kernelInputs(args.inputs), args, eager);
    this.kernelsIssued++;
    if (this.state === 'resting') return this.runEagerly(kernelInputs(args.inputs), args, eager);
    if (this.recorder.kernelCount >= (this.options.maxTraceKernels ?? MAX_TRACE_KERNELS)) this.discardTrace();
    // A stretch ends at the next call after its last kernel: values it kept inside are disposed by then.
    if (this.stretch?.complete) this.endStretch();
    const inputs = kernelInputs(args.inputs);
    if (this.thrownReplays > 0) this.throwIfThrown(inputs);
    const attrs = (args.attrs ?? {}) as NamedAttrMap;
    const draft = this.recorder.draft(kernelName, inputs, attrs, this.state === 'coexec' ? this.likelyPath() : undefined);
    for (let i = 0; i < draft.inputs.length; i++) {
      const kind = draft.inputs[i].from.kind;
      if (kind === 'carried' || kind === 'feed') this.outsideTaken.push({ op: draft.index, input: i, dataId: inputs[i][1].dataId });
    }
    try {
      if (this.state === 'coexec') {
        const prediction = this.predict(draft);
        if (prediction) return this.shadowed(draft, args, this.runPredicted(draft, prediction, inputs, args, eager));
        this.diverge(draft);
      }
      this.flush();
      const out = this.runEagerly(inputs, args, eager);
      this.recorder.commit(draft, Array.isArray(out) ? out : [out], lastDispatchPath());
      return this.shadowed(draft, args, out);
    } catch (e) {
      // tfjs's kernel rejected the call's inputs, as it does eagerly: the call is in the trace without
      // outputs, so that the path the program takes from its catch is learned after it.
      if (this.recorder.kernelCount === draft.index) this.recorder.commit(draft, [], 'threw');
      throw e;
    }
  }

  /** The call path of the kernel the TraceGraph expects next (the successor the latest trace took). */
  private likelyPath(): readonly string[] | undefined {
    if (this.counters.mode === 'static' || this.prev === START) return undefined;
    const likely = this.graph.nodes[this.prev].lastNext;
    return likely === undefined ? undefined : this.graph.nodes[likely].kernel.sitePath;
  }

  /** A kernel whose input stands for a thrown error throws it: the program meets it at its first use of the value. */
  private throwIfThrown(inputs: Inputs): void {
    for (const [, t] of inputs) {
      const threw = this.entry(t.dataId)?.threw;
      if (threw) throw threw.error;
    }
  }

  /** Under --check, the kernel also runs in the eager shadow. */
  private shadowed(draft: DraftKernel, args: Parameters<KernelFunc>[0], out: TensorInfo | TensorInfo[]): TensorInfo | TensorInfo[] {
    this.check?.kernel(draft, args.inputs, (args.attrs ?? {}) as NamedAttrMap, out);
    return out;
  }

  private shadowHost(): ShadowHost {
    return {
      backend: this.backend, eagerFuncs: this.eagerFuncs, runner: this.runner,
      quietly: (fn) => {
        this.depth++;
        try {
          return fn();
        } finally {
          this.depth--;
        }
      },
      iteration: () => this.counters.iterations.total + 1,
    };
  }

  /** A tensor written from JS: a feed of the current trace. */
  onWrite(dataId: DataId, shape: number[], dtype: DataType, values: BackendValues): void {
    if (this.depth > 0 || this.state === 'resting') return;
    this.recorder.write(dataId, { shape, dtype }, values);
    if (this.batch.size > 0 && !this.stretch) this.wroteWhileBatching = true;
  }

  /** JS reads a value: a sync point. Returns once the value is on the host. */
  readSync(dataId: DataId): void {
    if (this.depth === 0 && this.state !== 'resting') this.recorder.read(dataId);
    const entry = this.readable(dataId);
    if (entry) this.fetch(entry);
    this.readChecked(dataId);
  }

  /** Waits for a value the worker computes (see readable) and keeps it on the host. */
  private fetch(entry: TerraData): void {
    const start = performance.now();
    try {
      entry.values = this.runner.readSync(entry.worker!).data;
    } catch (e) {
      this.readFailed(e, entry);
    } finally {
      this.counters.waitMs += performance.now() - start;
    }
    this.retire();
  }

  /** Under --check, a value JS reads is compared with its shadow. */
  private readChecked(dataId: DataId): void {
    if (this.depth === 0) this.check?.read(dataId);
  }

  /**
   * The same for an async read: awaits the worker without blocking the event loop. Undefined when the
   * value is on the host already (then nothing is to be awaited).
   */
  read(dataId: DataId): Promise<void> | undefined {
    const entry = this.readable(dataId);
    return entry && this.awaitValue(entry);
  }

  private async awaitValue(entry: TerraData): Promise<void> {
    const start = performance.now();
    try {
      const value = await this.runner.read(entry.worker!);
      entry.values ??= value.data;
    } catch (e) {
      this.readFailed(e, entry);
    } finally {
      this.counters.waitMs += performance.now() - start;
    }
  }

  /**
   * The entry of a value JS reads, once its computation is dispatched, if it must come from the
   * worker; undefined if it is on the host (already, or recomputed there now).
   */
  private readable(dataId: DataId): TerraData | undefined {
    const entry = this.entry(dataId);
    if (!entry || entry.values != null) return undefined;
    if (entry.stretch) this.recomputeInside(entry.stretch, (ext) => this.hostValues(ext));
    if (entry.pending) this.flush();
    if (entry.threw) throw entry.threw.error;
    return entry.values == null && entry.worker !== undefined ? entry : undefined;
  }

  /** A read from the worker failed: a dead worker or a failed run is recovered from, with the value on the host. */
  private readFailed(e: unknown, entry: TerraData): void {
    if (e instanceof GraphRunnerDied) {
      this.onWorkerDeath(e);
      return;
    }
    if (!(e instanceof GraphValueError)) throw this.lostValue(e);
    this.recover(`a segment failed in ONNX Runtime (${e.message})`);
    if (entry.threw) throw entry.threw.error;
    if (entry.values == null) throw this.lostValue(e);
  }

  /** tfjs disposed the buffer: free the worker's copy (after the pending batch, if that uses it). */
  released(dataId: DataId, entry: TerraData): void {
    if (this.stopped || this.dead) return;
    this.recorder.disposed(dataId);
    this.check?.released(dataId);
    if (entry.worker === undefined) return;
    this.resident.delete(dataId);
    if (entry.shared) return;
    if (this.ledger.release(entry.worker, (v) => this.batch.uses(v))) this.freeWorkerValues([entry.worker]);
  }

  /** An explicit iteration boundary (the escape hatch). */
  markIteration(): void {
    this.boundary('marker');
  }

  stats(): CoexecCounters {
    this.collectReplies();
    // Compile counts and times come with the workers' answers: stats wait for the compiles in progress.
    if (!this.dead) this.waitForCompiles();
    return {
      ...this.counters,
      divergences: [...this.counters.divergences],
      graph: { nodes: this.graph.nodes.length, traces: this.graph.traceCount, branches: this.graph.branchNodes().length },
      boundaryLoop: this.boundaries.loop,
      checkpoints: this.lineage.checkpoints,
      ...(this.check ? { check: this.check.counters() } : {}),
      compile: { ...this.compiler.timings },
      cache: this.compiler.counters(),
    };
  }

  /** The compiled segments, in compile order (a shape-general one once, though batch keys share it). */
  compiledSegments(): SegmentInfo[] {
    return [...new Set(this.segments.values())].flatMap((s) => ('model' in s
      ? [{ name: s.runnerKey, model: s.model, inputs: s.inputs, outputs: s.outputs, nodes: s.nodes, kernels: s.kernels, runs: s.runs }] : []));
  }

  /** The TraceGraph merged so far, for dumps. */
  get traceGraph(): TraceGraph {
    return this.graph;
  }

  /** The GraphRunner's own counters (blocks until it has handled everything posted). */
  workerStats(): ReturnType<GraphRunner['stats']> {
    return this.runner.stats();
  }

  /**
   * Ends co-execution: dispatches what is pending, brings every value still held only by the worker
   * to the host (so the program's tensors stay valid on the plain backend), and stops the worker.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.boundaries.stop();
    this.unsubscribeKernels?.();
    try {
      if (this.runner.alive) {
        this.endStretch();
        this.flush();
        this.runner.stats(); // waits for every run posted, so that retire() sees any failure
        this.retire();
        this.check?.endIteration();
        for (const entry of this.resident.values()) {
          if (entry.values == null && entry.worker !== undefined) place(entry, this.readWorker(entry.worker));
        }
      }
    } finally {
      for (const entry of this.resident.values()) entry.worker = undefined;
      this.resident.clear();
      this.stopped = true;
    }
    await Promise.all([this.runner.terminate(), this.compiler.stopOptimizer()]);
  }

  /** What co-execution holds, for memory tests: none of it may grow with the number of iterations. */
  footprint(): {
    workerValues: number; resident: number; constants: number; segments: number; inFlight: number; pins: number; doomed: number;
    lineage: number; graphNodes: number;
  } {
    return {
      workerValues: this.dead ? 0 : this.runner.stats().values,
      resident: this.resident.size,
      constants: this.constants.size,
      segments: this.segments.size,
      ...this.ledger.sizes,
      lineage: this.lineage.size,
      graphNodes: this.graph.nodes.length,
    };
  }

  /** TEST-ONLY: the worker's next run fails as if ONNX Runtime had thrown, or the worker dies. */
  _faultForTests(fault: 'fail-next-run' | 'exit' | 'optimizer-exit' | 'optimizer-terminate'): void {
    if (fault === 'optimizer-exit') {
      // Returns once it is dead, so that what follows does not depend on how fast it went.
      const optimizer = this.compiler.optimizerForTests();
      optimizer._crashForTests('exit');
      const nap = new Int32Array(new SharedArrayBuffer(4));
      for (let waited = 0; optimizer.alive && waited < 10_000; waited += 5) Atomics.wait(nap, 0, 0, 5);
    } else if (fault === 'optimizer-terminate') this.compiler.optimizerForTests()._crashForTests('terminate');
    else this.runner._crashForTests(fault);
  }

  /** TEST-ONLY: a model is at the optimizer. */
  compiling(): boolean {
    return this.compiler.inProgress > 0;
  }

  // ---- prediction ----

  private predict(draft: DraftKernel): Prediction | undefined {
    if (this.counters.mode === 'static') return this.predictStatic(draft);
    let node = this.graph.match(this.prev, draft, this.nodeOfOp);
    if (node === undefined) {
      // Not a successor of the call before, but a call the graph knows from another path (two choices
      // an iteration makes independently, each seen before): co-execution goes on from there.
      node = this.graph.known(draft, this.nodeOfOp);
      if (node === undefined) return undefined;
      this.joined.push(draft.index);
      this.counters.joins++;
    }
    this.matched[draft.index] = node;
    const n = this.graph.nodes[node];
    return { node, outputs: n.kernel.outputs, breaks: n.breaks || this.breakNodes.has(node) };
  }

  /**
   * Static mode: the kernel at the same position of the recorded iteration, if it has the same name.
   * Attrs, shapes and where the inputs come from are not checked: a tf.function-style replay.
   */
  private predictStatic(draft: DraftKernel): Prediction | undefined {
    const recorded = this.staticTrace!.kernels[draft.index];
    if (!recorded || !replaysRecording(recorded, draft)) return undefined;
    return {
      node: draft.index, outputs: recorded.outputs,
      breaks: recorded.path === 'cpu' || recorded.path === 'threw' || this.breakNodes.has(draft.index),
    };
  }

  private runPredicted(draft: DraftKernel, p: Prediction, inputs: Inputs, args: Parameters<KernelFunc>[0],
    eager: KernelFunc): TensorInfo | TensorInfo[] {
    this.nodeOfOp.push(p.node);
    this.prev = p.node;
    const lowering = loweringFor(draft.kernelName);
    let breaks = p.breaks;
    if (!breaks && lowering?.valueCheck && this.failsCheck(lowering.valueCheck, draft, inputs, args.attrs ?? {})) {
      // tfjs's kernel will throw on these values: on the host it throws at the call, as eagerly.
      this.breakAt(p.node);
      breaks = true;
    }
    // A node whose identity leaves data attrs out (a Slice's offset): a stretch must have run with the call's.
    const n = this.counters.mode === 'static' ? undefined : this.graph.nodes[p.node];
    const attrsToCheck = n !== undefined && n.attrsKey !== n.kernel.attrs ? draft.attrs : undefined;
    if (this.stretch) {
      const claim = breaks ? undefined : this.stretch.claim(p.node, inputs, this.holdsValuesOf, attrsToCheck);
      if (claim) return this.takeClaim(draft, p.node, claim);
      this.endStretch();
    }
    // A stretch starting at an earlier kernel is still compiling: its kernels run on the host meanwhile.
    const onHost = this.hostUntilCompiled > 0;
    if (onHost) this.hostUntilCompiled--;
    const lazy = !breaks && lowering !== undefined &&
      inputs.every(([, t]) => isLowerableDtype(t.dtype)) && p.outputs.every((o) => isLowerableDtype(o.dtype));
    if (!lazy) {
      // A graph break: what is pending is dispatched, and the kernel runs on the host.
      this.flush();
      this.counters.kernels.breaks++;
      return this.runOnHost(draft, p.node, inputs, args, eager);
    }
    if (onHost) {
      this.counters.kernels.whileCompiling++;
      return this.runOnHost(draft, p.node, inputs, args, eager);
    }
    // A feed written mid-batch may be what stopped run-ahead at the batch's start (a target tensor
    // made after the forward pass began): the batch so far is dispatched if a stretch may start here.
    if (this.wroteWhileBatching) {
      this.wroteWhileBatching = false;
      if (this.batch.size > 0 && this.mayRunAhead(p.node)) this.flush();
    }
    // Not from a node whose data attrs change: the plan could only guess them.
    if (this.batch.size === 0 && !n?.attrsVary) {
      const ahead = this.runAhead(p.node, inputs);
      if (ahead === true) {
        const claim = this.stretch!.claim(p.node, inputs, () => false, attrsToCheck);
        if (claim) return this.takeClaim(draft, p.node, claim);
        this.endStretch();
      } else if (typeof ahead === 'number') {
        this.hostUntilCompiled = ahead - 1;
        this.counters.kernels.whileCompiling++;
        return this.runOnHost(draft, p.node, inputs, args, eager);
      }
    }
    // Dispatching (the batch so far, or a stretch) may have found the worker dead: from here on, eager.
    if (this.dead) return this.runEagerly(inputs, args, eager);
    const outputs = p.outputs.map((o) => ({ dataId: this.allocateLazy(o.dtype, this.batch).dataId, dtype: o.dtype, shape: o.shape }));
    this.batch.add(p.node, draft.kernelName, draft.attrs, inputs, outputs, (info) => this.external(info));
    // tfjs copies a kernel output's shape into the tensor it makes: the node's own array can be passed.
    const infos: TensorInfo[] = outputs.map((o) => ({ dataId: o.dataId, dtype: o.dtype, shape: o.shape as number[] }));
    this.commit(draft, p.node, infos, 'lazy', p.outputs);
    return lowering.multiOutput ? infos : infos[0];
  }

  /**
   * Whether the checked input's values make the kernel throw (see KernelLowering.valueCheck). Values the
   * host lacks (computed on the worker, or still to be) are waited for, so that the call throws where
   * it does eagerly, unless the kernels that made them bound them to a range that passes.
   */
  private failsCheck(check: ValueCheck, draft: DraftKernel, inputs: Inputs, attrs: NamedAttrMap): boolean {
    const shapes = Object.fromEntries(inputs.map(([name, t]) => [name, t.shape]));
    let values: BackendValues | undefined;
    if (check.input !== undefined) {
      const at = inputs.findIndex(([name]) => name === check.input);
      if (at < 0) return false;
      const dataId = inputs[at][1].dataId;
      values = this.entry(dataId)?.values;
      if (values == null) {
        const bound = check.bound?.(shapes, attrs);
        const proven = bound === undefined ? undefined : provenIndexBound(draft.inputs[at].from, this.recorder);
        if (proven !== undefined && proven <= bound!) return false;
        values = this.valuesForCheck(dataId);
        if (values == null) return false;
      }
    }
    return check.fails(values, shapes, attrs);
  }

  /** A checked input's values, from the worker if need be: a wait at the call that JS did not ask for (not a read of the trace). */
  private valuesForCheck(dataId: DataId): BackendValues | undefined {
    const entry = this.readable(dataId);
    if (entry) {
      this.counters.kernels.checkWaits++;
      this.fetch(entry);
    }
    return this.entry(dataId)?.values ?? undefined;
  }

  /** The node runs on the host from now on, between segments. */
  private breakAt(node: number): void {
    if (this.breakNodes.has(node)) return;
    this.breakNodes.add(node);
    const n = this.counters.mode === 'static' ? undefined : this.graph.nodes[node];
    if (n) this.graph.changedSources(n);
  }

  /** A predicted kernel run on the host now (its inputs brought there), recorded as such. */
  private runOnHost(draft: DraftKernel, node: number, inputs: Inputs, args: Parameters<KernelFunc>[0], eager: KernelFunc): TensorInfo | TensorInfo[] {
    const out = this.runEagerly(inputs, args, eager);
    this.commit(draft, node, out, lastDispatchPath());
    return out;
  }

  /** A view shares its input's buffer and computes nothing: the input may stay lazy. */
  private runView(args: Parameters<KernelFunc>[0], eager: KernelFunc): TensorInfo | TensorInfo[] {
    this.depth++;
    try {
      return eager(args);
    } finally {
      this.depth--;
    }
  }

  /** Records a call in the trace, and its outputs as the node's latest (for run-ahead). */
  private commit(draft: DraftKernel, node: number | undefined, out: TensorInfo | TensorInfo[], path: TracedKernel['path'],
    sigs?: readonly TensorSig[]): void {
    const list = Array.isArray(out) ? out : [out];
    this.recorder.commit(draft, list, path, sigs);
    if (node !== undefined) {
      this.nodeOutputs[node] = list;
      this.nodeOutputsAt[node] = this.nodeOutputsEpoch;
    }
  }

  /** The buffers of the node's latest outputs in this iteration, if it was called in it. */
  private outputsOf(node: number): readonly TensorInfo[] | undefined {
    return this.nodeOutputsAt[node] === this.nodeOutputsEpoch ? this.nodeOutputs[node] : undefined;
  }

  // ---- run-ahead ----

  /** Whether run-ahead from `node` is worth a try: not off, not given up on, not known impossible now. */
  private mayRunAhead(node: number): boolean {
    if (this.counters.mode !== 'terra' || this.options.runAhead === false || this.runAheadSuspended) return false;
    if ((this.runAheadMisses.get(node) ?? 0) >= RUN_AHEAD_MAX_MISSES) return false;
    const known = this.knownPlans(node);
    return known.length === 0 || known.some((e) => e.plan !== undefined);
  }

  /** The plans from `node` that hold on the TraceGraph as it stands. */
  private knownPlans(node: number): PlanEntry[] {
    const known: PlanEntry[] = [];
    for (const entry of this.holdingPlans(node)) {
      if (entry.slotVersion !== this.graph.slotVersion) {
        if (!entry.plan?.sourcesHold(this.graph)) continue;
        entry.slotVersion = this.graph.slotVersion;
      }
      known.push(entry);
    }
    return known;
  }

  /** The plans from `node` whose TraceGraph nodes are as they were built on; those that no longer hold are dropped. */
  private holdingPlans(node: number): PlanEntry[] {
    const entries = this.plans.get(node);
    if (!entries) return [];
    const version = this.graph.version;
    const holding = entries.filter((e) => {
      if (e.heldAt === version) return true;
      if (!e.built.holdsOn()) return false;
      e.heldAt = version;
      return true;
    });
    if (holding.length !== entries.length) this.plans.set(node, holding);
    return holding;
  }

  /**
   * The stretch from `node` for this iteration: from a plan already built if one fits what JS wrote,
   * else from a new one. A node several paths share (a step's first kernel, on the weights alone) starts
   * a plan per path; at most PLANS_PER_NODE are built per node while the graph around them stands.
   */
  private stretchFrom(node: number, inputs: Inputs): Stretch | undefined {
    const known = this.knownPlans(node);
    for (const entry of known) {
      const stretch = entry.plan?.instantiate(this.stretchContext, inputs);
      if (stretch) return stretch;
    }
    const holding = this.holdingPlans(node);
    if (known.length > 0 && holding.length >= PLANS_PER_NODE) return undefined;
    const built = StretchPlan.build(this.stretchContext, node, inputs, RUN_AHEAD_MAX_KERNELS);
    const entry = { built, plan: built.long(2) ? built : undefined, slotVersion: this.graph.slotVersion, heldAt: this.graph.version };
    this.counters.runAhead.plans++;
    this.plans.set(node, [...holding.slice(-(PLANS_PER_NODE - 1)), entry]);
    return entry.plan?.instantiate(this.stretchContext, inputs);
  }

  /**
   * Tries to dispatch the predicted stretch starting at `node`; true if one is now being claimed, its
   * length if its segment is still compiling (those kernels are best run on the host meanwhile).
   */
  private runAhead(node: number, inputs: Inputs): boolean | number {
    if (!this.mayRunAhead(node)) return false;
    const stretch = this.stretchFrom(node, inputs);
    if (!stretch) return false;
    const posted = this.postSegment(stretch.batch, stretch.outputs, stretch.plan.key);
    if (posted === 'compiling') return stretch.plan.positions.length;
    if (!posted) {
      this.runAheadMisses.set(node, RUN_AHEAD_MAX_MISSES);
      return false;
    }
    this.counters.runAhead.stretches++;
    // Pinned for the stretch too: recomputing a value it kept inside needs its inputs until it ends.
    // A stretch with no outputs posts no run, yet what it keeps inside may still be recomputed.
    const inputIds = posted.outputIds.length > 0 ? posted.inputIds
      : stretch.batch.externals.flatMap((e) => (e.worker === undefined ? [] : [e.worker]));
    this.ledger.pin(inputIds);
    stretch.dispatched(inputIds, posted.outputIds);
    stretch.kernelByKernel = posted.kernelByKernel;
    this.stretch = stretch;
    this.freeDoomed();
    this.send();
    // Freeing or sending may have found the worker dead, and the stretch was given up with it.
    return this.stretch !== undefined;
  }

  /** The call claimed a stretch position: lazy tensors bound to the stretch's values. */
  private takeClaim(draft: DraftKernel, node: number, claim: Position): TensorInfo | TensorInfo[] {
    const stretch = this.stretch!;
    const infos = new Array<TensorInfo>(claim.outputs.length);
    for (let o = 0; o < infos.length; o++) {
      const placeholder = claim.outputs[o];
      const { dtype, shape } = claim.sigs[o];
      const { dataId, entry } = this.allocateLazy(dtype);
      const worker = stretch.workerValue(placeholder);
      if (worker !== undefined) {
        entry.worker = worker;
        this.resident.set(dataId, entry);
      } else {
        entry.stretch = stretch;
      }
      stretch.bound.set(placeholder, dataId);
      infos[o] = { dataId, dtype, shape: shape as number[] };
    }
    this.commit(draft, node, infos, 'lazy', claim.sigs);
    if (stretch.kernelByKernel) this.counters.kernels.kernelByKernel++;
    else this.counters.kernels.delegated++;
    this.counters.runAhead.kernels++;
    return loweringFor(draft.kernelName)!.multiOutput ? infos : infos[0];
  }

  /**
   * The stretch is fully claimed, or abandoned (JS did something else, the iteration ended, a run
   * failed). Values it kept inside that JS still holds are recomputed on the host; outputs nobody
   * claimed are freed.
   */
  private endStretch(hostValues: (ext: External) => Replayed = (ext) => this.hostValues(ext)): void {
    const stretch = this.stretch;
    if (!stretch) return;
    this.stretch = undefined;
    if (!stretch.complete) {
      this.counters.runAhead.abandoned++;
      this.runAheadSuspended = true;
      const start = stretch.plan.startNode;
      this.runAheadMisses.set(start, (this.runAheadMisses.get(start) ?? 0) + 1);
    }
    this.recomputeInside(stretch, hostValues);
    for (const id of stretch.unclaimedOutputIds()) this.ledger.discard(id);
    this.ledger.unpin(stretch.inputIds);
    this.freeDoomed();
  }

  /** Gives every buffer JS holds that the stretch kept inside its graph a host value, by replay. */
  private recomputeInside(stretch: Stretch, hostValues: (ext: External) => Replayed): void {
    const wanted = stretch.boundOutputs((real) => {
      const e = this.entry(real);
      return e !== undefined && e.stretch === stretch && e.values == null;
    });
    if (wanted.length === 0) return;
    this.counters.runAhead.recomputed++;
    this.depth++;
    try {
      const values = replayBatch(stretch.batch, wanted, this.backend, this.eagerFuncs, hostValues, (t) => this.kernelThrew(t));
      wanted.forEach((o, i) => {
        const e = this.entry(o.real)!;
        place(e, values[i]);
        e.stretch = undefined;
      });
    } finally {
      this.depth--;
    }
  }

  private readonly stretchContext: StretchContext = {
    graph: this.graph,
    canDelegate: (node: GraphNode) => !node.breaks && !node.attrsVary && !this.breakNodes.has(node.id) && loweringFor(node.kernel.kernelName) !== undefined &&
      node.kernel.inputs.every((i) => isLowerableDtype(i.dtype)) && node.kernel.outputs.every((o) => isLowerableDtype(o.dtype)),
    nodeOutput: (node, output) => this.resolvable(this.outputsOf(node)?.[output]?.dataId),
    issued: (node) => this.outputsOf(node) !== undefined,
    variable: (name) => this.resolvable(engine().registeredVariables[name]?.dataId),
    feed: (index) => this.resolvable(this.recorder.feedBuffer(index)),
    written: (index) => this.recorder.feed(index),
    writes: () => this.recorder.writeCount,
    carried: (slot, node, input) => this.resolvable(this.recorder.previousCarried(slot)) ?? this.takenAtSite(node, input),
    external: (info) => this.external(info),
  };

  /** Whether the buffer JS wrote holds a predicted feed's values (run-ahead's guard); one closure for every claim. */
  private readonly holdsValuesOf = (actual: DataId, expected: BackendValues): boolean => {
    const values = this.entry(actual)?.values as ArrayLike<number> | undefined;
    return values !== undefined && sameValues(values, expected as ArrayLike<number>);
  };

  /**
   * The live buffer that input of the node, or of a node at its call site, took in the last trace that
   * called it: a value JS keeps, found when its carried slot does not tell it (the last trace took it as
   * a write, the learning rate of a schedule set anew in that step).
   */
  private takenAtSite(node: number, input: number): TensorInfo | undefined {
    for (const sibling of this.graph.nodes[node].siblings) {
      const taken = this.resolvable(this.outsideInputs.get(sibling)?.[input]);
      if (taken) return taken;
    }
    return undefined;
  }

  /** A buffer a stretch may take as input now: alive, with its value on the host or in the worker. */
  private resolvable(dataId: DataId | undefined): TensorInfo | undefined {
    if (!dataId) return undefined;
    const e = this.entry(dataId);
    if (!e || e.pending || e.stretch || (e.values == null && e.worker === undefined)) return undefined;
    if (e.dtype === 'string' || e.dtype === 'complex64') return undefined;
    // Shapes are checked against the node's by the stretch; tfjs keeps them on the tensor, not here.
    return { dataId, dtype: e.dtype, shape: this.shapeOf(dataId) };
  }

  private diverge(draft: DraftKernel): void {
    this.endStretch();
    this.hostUntilCompiled = 0;
    this.state = 'diverged';
    // Static mode predicts by position: `prev` is then a position in the recording, not a TraceGraph node.
    const recorded = this.staticTrace?.kernels[draft.index];
    const successors = this.counters.mode === 'static' ? []
      : [...(this.prev === START ? this.graph.starts.keys() : this.graph.nodes[this.prev].next.keys())].map((n) => this.graph.nodes[n]);
    const expected = this.counters.mode === 'static'
      ? (recorded ? [recorded.kernelName] : [])
      : successors.slice(0, 3).map((n) => n.kernel.kernelName);
    const sameKernel = successors.find((n) => n.kernel.kernelName === draft.kernelName);
    const d: Divergence = {
      iteration: this.counters.iterations.total + 1,
      kernel: draft.kernelName,
      index: draft.index,
      site: draft.sitePath.at(-1) ?? '(no instrumented site)',
      expected,
      ...(sameKernel && { differs: this.graph.difference(sameKernel, draft, this.nodeOfOp) }),
    };
    this.counters.divergenceCount++;
    if (this.counters.divergences.length < 100) this.counters.divergences.push(d);
  }

  // ---- iterations ----

  private boundary(cause: BoundaryCause): void {
    if (this.stopped || this.dead || this.depth > 0) return;
    if (this.state === 'resting') {
      this.rested(cause);
      return;
    }
    if (this.recorder.kernelCount === 0) return;
    const ended = this.state;
    this.endStretch();
    this.flush();
    this.check?.endIteration();
    this.checkpoint();
    const trace = this.recorder.cut();
    const it = this.counters.iterations;
    it.total++;
    it.byCause[cause] = (it.byCause[cause] ?? 0) + 1;
    if (this.state === 'coexec') it.coexecuted++;
    else if (this.state === 'diverged') it.diverged++;
    else it.traced++;
    if (this.counters.mode === 'static') {
      // The first iteration also holds the program's setup; the next one that begins at the kind of
      // boundary it ends at is a whole step (a loop taken for the training loop during the first step
      // cuts it in two, until the step's end shows that optimizer steps are the boundaries).
      if (!this.started && it.total >= 2 && cause === this.lastCause) {
        this.staticTrace = trace;
        this.started = true;
      }
      this.lastCause = cause;
    } else {
      const { nodes } = this.graph.merge(trace, this.matched, this.joined);
      for (const { op, input, dataId } of this.outsideTaken) {
        let taken = this.outsideInputs.get(nodes[op]);
        if (!taken) this.outsideInputs.set(nodes[op], (taken = []));
        taken[input] = dataId;
      }
      const stableAfter = this.options.stableAfter ?? 2;
      const maxTraced = this.options.maxTracedIterations ?? 10;
      if (!this.started && (this.graph.isStable(stableAfter) || it.traced >= maxTraced)) this.started = true;
    }
    this.state = this.started ? 'coexec' : 'tracing';
    this.mayRest(ended);
    this.startIteration();
    this.profile?.boundary(this.counters, this.state === 'coexec');
    this.send();
  }

  /**
   * Many co-executed iterations in a row diverged (shapes that never repeat, say): each one made the
   * TraceGraph grow and cost tracing, and none was ever predicted. Co-execution rests: the next
   * iterations run eagerly and are not traced, longer each time it comes to this, then it tries again.
   */
  private mayRest(ended: CoExecutor['state']): void {
    if (ended === 'coexec') {
      this.divergedInRow = 0;
      this.restLength = REST_ITERATIONS;
      return;
    }
    if (ended !== 'diverged' || ++this.divergedInRow < (this.options.restAfter ?? REST_AFTER)) return;
    this.divergedInRow = 0;
    this.restLeft = this.restLength;
    this.restLength = Math.min(2 * this.restLength, MAX_REST_ITERATIONS);
    this.state = 'resting';
  }

  /** An iteration's end while resting (mayRest): counted; the last one hands back to co-execution. */
  private rested(cause: BoundaryCause): void {
    const it = this.counters.iterations;
    it.total++;
    it.rested++;
    it.byCause[cause] = (it.byCause[cause] ?? 0) + 1;
    if (--this.restLeft === 0) this.state = 'coexec';
  }

  /** The next kernel is predicted as an iteration's first. */
  private startIteration(): void {
    this.runAheadSuspended = false;
    this.hostUntilCompiled = 0;
    this.prev = START;
    this.nodeOfOp = [];
    this.matched = [];
    this.joined = [];
    this.nodeOutputsEpoch++;
    this.outsideTaken = [];
  }

  /**
   * No boundary for maxTraceKernels kernels: the trace is dropped unmerged (so that memory stays
   * bounded) and the next kernel is predicted as an iteration's first.
   */
  private discardTrace(): void {
    this.endStretch();
    this.flush();
    this.check?.endIteration();
    this.recorder.cut();
    this.counters.iterations.discarded++;
    this.startIteration();
  }

  // ---- dispatch ----

  /** Dispatches the pending batch as one segment (compiled on first use), or replays it eagerly. */
  private flush(): void {
    try {
      this.dispatch();
    } catch (e) {
      throw this.lostValue(e);
    }
  }

  private dispatch(): void {
    this.retire();
    const batch = this.batch;
    if (batch.size === 0) return;
    const outputs = batch.liveOutputs((dataId) => this.backend.data.has(dataId));
    const key = batch.key(outputs);
    // A replay reads its inputs from the worker, and runs still in flight may have failed (their
    // session could not be created, which the worker says only after they were posted): they are
    // recovered first, which also gives this batch their values.
    if (this.replays(key)) this.settle();
    this.batch = new PendingBatch();
    const posted = this.postSegment(batch, outputs, key);
    if (posted === 'compiling') {
      this.counters.kernels.whileCompiling += batch.size;
      this.replay(batch, outputs, (ext) => this.hostValues(ext));
    } else if (!posted) {
      this.counters.segments.replays++;
      this.counters.kernels.replayed += batch.size;
      this.replay(batch, outputs, (ext) => this.hostValues(ext));
    } else {
      if (posted.kernelByKernel) this.counters.kernels.kernelByKernel += batch.size;
      else this.counters.kernels.delegated += batch.size;
      outputs.forEach((o, i) => {
        const entry = this.entry(o.dataId)!;
        entry.pending = undefined;
        entry.worker = posted.outputIds[i];
        this.resident.set(o.dataId, entry);
      });
    }
    this.freeDoomed();
    this.send();
  }

  /**
   * Posts a run of the segment for these kernels and outputs (compiled on first use, then cached by
   * structure); undefined if it cannot be compiled, 'compiling' while its session is not ready to take
   * runs and its first occurrence cannot run as a kernel program (the caller runs the kernels on the host
   * instead). The run is in flight until the worker confirms it.
   */
  private postSegment(batch: PendingBatch, outputs: readonly BatchOutput[], key = batch.key(outputs)): Posted | 'compiling' | undefined {
    if (this.dead) return undefined;
    // Nothing the batch computes is still held by anyone: there is nothing to run.
    if (outputs.length === 0) return { inputIds: [], outputIds: [], kernelByKernel: false };
    try {
      let segment = this.segments.get(key);
      if (!segment) {
        const found = this.segmentFor(key, batch, outputs);
        if (found === 'sighted') {
          this.counters.segments.deferred++;
          return this.postKernels(`sighting${this.sightings++}`, batch, outputs) || 'compiling';
        }
        segment = found.segment;
        // Its first occurrence runs queued in the worker behind the session's creation, JS going on; kernel
        // by kernel only while the session cannot take runs yet (its model is at the optimizer): a kernel
        // program costs the JS thread more than the segment's own generation, and the worker more than
        // creating its session.
        if (found.fresh && !('failed' in segment)) {
          if (this.options.firstOccurrence === 'host') return 'compiling';
          if (!segment.ready && this.options.firstOccurrence !== 'wait') {
            return this.postKernels(segment.runnerKey, batch, outputs, segment) || 'compiling';
          }
        }
      }
      if (!('failed' in segment) && !segment.ready) {
        // A later occurrence waits for the session: what runs where does not depend on how fast the
        // optimizer was, so every run of a program co-executes alike.
        this.waitForOptimizer();
        segment = this.segments.get(key)!;
      }
      if ('failed' in segment) return undefined;
      // (Not reachable while the optimizer answers or is found dead; never post a run of an unknown key.)
      if (!segment.ready) return 'compiling';
      const inputIds = this.segmentInputIds(segment, batch);
      this.profile?.run(segment.runnerKey, segment.model, inputIds, (id) => this.runner.readSync(id));
      segment.runs++;
      return this.postRun(segment.runnerKey, inputIds, batch, outputs, false);
    } catch (e) {
      if (!(e instanceof GraphRunnerDied)) throw e;
      this.onWorkerDeath(e);
      return undefined;
    }
  }

  /**
   * The first occurrence of a segment whose session is not ready, posted as a kernel program: the
   * GraphRunner runs its kernels one by one on the single-kernel sessions eager execution uses, so JS
   * goes on as it does for a segment (it neither computes them nor waits for the values they take).
   * False if one of its kernels would not run on ORT. `segment`: the one compiled for the batch, if any.
   */
  private postKernels(key: string, batch: PendingBatch, outputs: readonly BatchOutput[], segment?: CompiledSegment): Posted | false {
    const built = kernelProgram(batch, outputs, (name, inputs, attrs) => eagerExecutor.kernelModel(loweringFor(name)!, inputs, attrs));
    if (!built) return false;
    // The static limit measures the segment: what its run would have taken is recorded all the same.
    if (this.profile && segment) {
      const segmentInputs = this.segmentInputIds(segment, batch);
      this.profile.run(segment.runnerKey, segment.model, segmentInputs, (id) => this.runner.readSync(id));
    }
    const runnerKey = `${key}.kernels`;
    this.runner.program(runnerKey, built.program, (kernel) => built.models.get(kernel)!);
    this.counters.segments.kernelPrograms++;
    const inputIds = built.slots.map((slot) => this.upload(batch.externals[slot]));
    return this.postRun(runnerKey, inputIds, batch, outputs, true);
  }

  /** Posts a run of a registered segment; it is in flight until the worker confirms it. */
  private postRun(runnerKey: string, inputIds: ValueId[], batch: PendingBatch, outputs: readonly BatchOutput[], kernelByKernel: boolean): Posted {
    const outputIds = outputs.map(() => this.runner.newId());
    this.runner.run(runnerKey, inputIds, outputIds);
    this.check?.afterRun(outputIds);
    this.counters.segments.runs++;
    this.ledger.posted({ batch, outputs, outputIds, inputIds, segment: runnerKey });
    this.lineage.record({ batch, outputs, outputIds });
    return { inputIds, outputIds, kernelByKernel };
  }

  /** Posts what the runner holds; a dead worker turns co-execution into eager execution (onWorkerDeath). */
  private send(): void {
    try {
      this.runner.send();
    } catch (e) {
      if (!(e instanceof GraphRunnerDied)) throw e;
      this.onWorkerDeath(e);
    }
  }

  /** At an iteration boundary: the lineage's checkpoint (see lineage.ts) advances. */
  private checkpoint(): void {
    try {
      this.lineage.atBoundary(
        { request: (id) => this.runner.requestRead(id), poll: (seq, id) => this.runner.pollRead(seq, id) },
        () => [...this.resident.values()].filter((e) => e.values == null && !e.shared).map((e) => e.worker!),
      );
    } catch (e) {
      if (!(e instanceof GraphRunnerDied)) throw e;
      this.onWorkerDeath(e);
    }
  }

  /**
   * The worker died, and every value it held with it. They are rebuilt on the host from the lineage
   * (the last checkpoint, and the runs since replayed eagerly); what was pending runs eagerly too; and
   * from now on every kernel runs eagerly. The program goes on with all its state; said once.
   */
  private onWorkerDeath(e: GraphRunnerDied): void {
    if (this.dead) return;
    this.dead = true;
    this.unsubscribeKernels?.();
    // Nothing is compiled from here on.
    void this.compiler.stopOptimizer();
    this.counters.workerDied = e.message;
    const values = this.lineage.rebuild((run, hostValues) => this.replay(run.batch, run.outputs, hostValues));
    this.deathValues = values;
    const hostValues = (ext: External): Replayed => ext.values ?? this.deadValue(ext.worker!);
    for (const entry of this.resident.values()) {
      if (entry.values == null) place(entry, this.deadValue(entry.worker!));
      entry.worker = undefined;
    }
    this.resident.clear();
    const stretch = this.stretch;
    this.stretch = undefined;
    if (stretch) this.recomputeInside(stretch, hostValues);
    const batch = this.batch;
    this.batch = new PendingBatch();
    if (batch.size > 0) this.replay(batch, batch.liveOutputs((dataId) => this.backend.data.has(dataId)), hostValues);
    process.stderr.write(`terra: the GraphRunner worker stopped (${e.message}); its values were rebuilt on the host from the ` +
      'last checkpoint, no state was lost, and the program goes on eagerly\n');
  }

  /**
   * A kernel threw on its values where a segment (or a kernel program) had run it: ORT failed the run,
   * and its replay gave tfjs's error, which the program meets where it uses a value computed from it.
   * From now on the call runs on the host, where it throws at the call, as in eager execution.
   */
  private kernelThrew(t: Thrown): void {
    this.thrownReplays++;
    // Known to throw already (a run ahead of its call, or a call replayed twice because JS holds a value
    // its stretch kept inside): the program has the error or gets it at the call.
    if (this.breakNodes.has(t.node)) return;
    this.breakAt(t.node);
    // A kernel whose values are checked at the call throws there, run ahead or not (failsCheck): calls
    // made before were checked and passed, so this one is the current call or a later one.
    if (loweringFor(t.kernelName)?.valueCheck?.input !== undefined) return;
    this.counters.kernels.threw++;
    const node = this.counters.mode === 'static' ? undefined : this.graph.nodes[t.node];
    if (this.warnedThrow) return;
    this.warnedThrow = true;
    const site = node?.kernel.sitePath.at(-1);
    const message = t.error instanceof Error ? t.error.message : String(t.error);
    process.stderr.write(`terra: ${t.kernelName}${site ? ` at ${site}` : ''} threw (${message}) after co-execution had run ahead of ` +
      'it: the program gets the error where it first uses a value computed from it, not at the call; from now on that call ' +
      'runs on the host, where it throws at the call as in eager execution\n');
  }

  private deadValue(id: ValueId): Replayed {
    const v = this.deathValues.get(id);
    if (!v) throw new Error(`terra: the GraphRunner worker stopped and value ${id} could not be rebuilt (internal error)`);
    return v;
  }

  /** Runs the batch's kernels on the host; live outputs get their values. Returns every output's values. */
  private replay(batch: PendingBatch, outputs: readonly BatchOutput[], hostValues: (ext: External) => Replayed): Replayed[] {
    this.depth++;
    try {
      const values = replayBatch(batch, outputs, this.backend, this.eagerFuncs, hostValues, (t) => this.kernelThrew(t));
      outputs.forEach((o, i) => {
        const entry = this.entry(o.dataId);
        if (entry) {
          place(entry, values[i]);
          entry.pending = undefined;
        }
      });
      return values;
    } finally {
      this.depth--;
    }
  }

  /**
   * Confirms the runs the worker has finished: their pins are released. If any run failed, every
   * unconfirmed run is replayed eagerly instead (see recover).
   */
  private retire(): void {
    this.collectReplies();
    if (this.dead) return;
    const done = this.runner.runsDone();
    if (!this.ledger.confirm(done, this.runner.runsFailed())) {
      this.recover('a segment failed in ONNX Runtime');
      return;
    }
    this.freeDoomed();
  }

  /**
   * A run failed: the unconfirmed runs are replayed eagerly in order, from their pinned inputs, so
   * every value they produced is computed on the host instead and no state is lost. Replaying runs
   * that succeeded is redundant but harmless (kernels are deterministic); failures are rare.
   */
  private recover(reason: string): void {
    // Let every posted run finish first: a run that depends on a failed one fails too, and all of
    // them must be among the runs replayed now.
    if (!this.waitForWorker()) return;
    const flights = this.ledger.takeAll(this.runner.runsFailed());
    let said = this.warnedFailure;
    if (!said) {
      const failure = this.firstFailure(flights);
      if (failure) reason = `a segment failed in ONNX Runtime (${failure.message})`;
      // Runs of a segment whose session could not be created: compileFailed said so already. (A failed
      // output tfjs has disposed since cannot be asked why: the segments of the runs tell.)
      said = failure ? this.failedCompiles.has(failure.key!) : flights.some((f) => this.failedCompiles.has(f.segment));
    }
    const threwBefore = this.thrownReplays;
    const replayed = new Map<ValueId, Replayed>();
    const hostValues = (ext: External): Replayed => {
      if (ext.values != null) return ext.values;
      return replayed.get(ext.worker!) ?? this.readWorker(ext.worker!);
    };
    for (const f of flights) {
      const values = this.replay(f.batch, f.outputs, hostValues);
      f.outputs.forEach((o, i) => {
        const id = f.outputIds[i];
        replayed.set(id, values[i]);
        const entry = this.entry(o.dataId);
        if (entry?.worker === id) {
          entry.worker = undefined;
          this.resident.delete(o.dataId);
        }
        this.ledger.discard(id);
      });
      this.ledger.unpin(f.inputIds);
      this.counters.segments.recovered++;
    }
    // Buffers bound to the replayed runs' outputs (run-ahead binds them as JS claims) take host values.
    for (const [dataId, entry] of this.resident) {
      const values = entry.worker === undefined ? undefined : replayed.get(entry.worker);
      if (!values) continue;
      place(entry, values);
      entry.worker = undefined;
      this.resident.delete(dataId);
    }
    this.endStretch(hostValues);
    // The batch being built may use values of the replayed runs: it takes their host values instead, or,
    // where one of them is a kernel's error, is replayed now, so that what depends on it gets that error.
    const batch = this.batch;
    if (batch.externals.some((ext) => ext.worker !== undefined && replayed.get(ext.worker) instanceof Thrown)) {
      this.batch = new PendingBatch();
      this.replay(batch, batch.liveOutputs((dataId) => this.backend.data.has(dataId)), hostValues);
    } else {
      batch.rebase((id) => {
        const r = replayed.get(id);
        return r instanceof Thrown ? undefined : r;
      });
    }
    // A kernel that threw said so itself: the runs failed because of it.
    said ||= this.thrownReplays > threwBefore;
    if (!said) {
      this.warnedFailure = true;
      process.stderr.write(`terra: ${reason}; the affected iterations were recomputed eagerly and no state was lost ` +
        '(further failures are counted in --stats, not reported)\n');
    }
    this.freeDoomed();
  }

  /** The error of the first failed run among these (ONNX Runtime's message), for the one report on stderr. */
  private firstFailure(flights: readonly InFlight[]): GraphValueError | undefined {
    for (const f of flights) {
      if (f.outputIds.length === 0) continue;
      try {
        this.runner.readSync(f.outputIds[0]);
      } catch (e) {
        if (!(e instanceof GraphValueError)) throw e;
        // A run's failure names its segment; an output tfjs disposed meanwhile is gone from the worker,
        // failure record and all (that read error names none).
        if (e.key !== undefined) return e;
      }
    }
    return undefined;
  }

  /** Frees the worker values tfjs disposed that no run or pending batch needs any more. */
  private freeDoomed(): void {
    this.freeWorkerValues(this.ledger.freeable((v) => this.batch.uses(v)));
  }

  private freeWorkerValues(ids: readonly ValueId[]): void {
    if (this.dead) return;
    try {
      for (const id of ids) this.runner.dispose(id);
    } catch (e) {
      if (!(e instanceof GraphRunnerDied)) throw e;
      this.onWorkerDeath(e);
    }
  }

  /**
   * The segment for a batch whose key has none yet. A batch first seen once co-execution is under way
   * (a path learned from a divergence, an evaluation every few steps, a new sampled configuration) is
   * often never seen again, and generating and creating a large segment costs as much as tens of runs
   * of it: it first runs kernel by kernel with no compile ('sighted'), and is compiled when it comes
   * again. So is a structure's second set of shapes (a proposal count that changes every step). What the
   * first co-executed iteration meets is the program's steady path, compiled at once; so is a
   * structure's set of shapes beyond SPECIALIZED_SHAPES, which compiles the shape-general segment
   * (buildSegment) that every later one shares without a compile. Specialized segments are the fastest
   * to run and to create (shapes fold into constants). `fresh`: compiled now, its session not made yet.
   */
  private segmentFor(key: string, batch: PendingBatch, outputs: readonly BatchOutput[]):
    { segment: CompiledSegment | { failed: string }; fresh: boolean } | 'sighted' {
    const generalKey = batch.generalKey(outputs);
    const structure = generalKey === undefined ? undefined : this.structures.get(generalKey) ?? { shapes: 0 };
    if (generalKey !== undefined && structure) {
      this.structures.set(generalKey, structure);
      if (typeof structure.general === 'object') {
        structure.general.keys.push(key);
        this.segments.set(key, structure.general.compiled);
        this.counters.segments.sharedShapes++;
        return { segment: structure.general.compiled, fresh: false };
      }
    }
    let rank = this.sightedOnce.get(key);
    if (rank === undefined) {
      rank = structure ? ++structure.shapes : 1;
      const specialized = !structure || rank <= SPECIALIZED_SHAPES || structure.general === 'no';
      const { coexecuted, diverged } = this.counters.iterations;
      if (specialized && (rank > 1 || coexecuted + diverged > 0) && this.mayDefer()) {
        this.sightedOnce.set(key, rank);
        return 'sighted';
      }
    } else this.sightedOnce.delete(key);
    if (generalKey !== undefined && structure && rank > SPECIALIZED_SHAPES && structure.general === undefined) {
      const general = this.compile(key, batch, outputs, generalKey);
      if (!('failed' in general)) {
        structure.general = { compiled: general, keys: [key] };
        this.segments.set(key, general);
        this.counters.segments.general++;
        return { segment: general, fresh: true };
      }
      structure.general = 'no';
    }
    const segment = this.compile(key, batch, outputs);
    this.segments.set(key, segment);
    return { segment, fresh: true };
  }

  /**
   * Whether a batch may run kernel by kernel instead of compiling: not where every run must be a
   * segment's (the static limit's profile, firstOccurrence 'wait') or where first occurrences run on the
   * host instead (firstOccurrence 'host').
   */
  private mayDefer(): boolean {
    return this.options.firstOccurrence !== 'wait' && this.options.firstOccurrence !== 'host' && !this.profile;
  }

  /** ORT could not create a shape-general session: the batches that were to share it compile their own. */
  private dropGeneral(generalKey: string): void {
    const structure = this.structures.get(generalKey);
    if (!structure) return;
    const entry = structure.general;
    structure.general = 'no';
    if (typeof entry !== 'object') return;
    for (const key of entry.keys) this.segments.delete(key);
    this.counters.segments.general--;
  }

  /**
   * The segment for the batch: generated now, its session created by the worker while JS goes on.
   * If the session cannot be created, the runs posted meanwhile fail and are recovered (see recover),
   * and the batch's later occurrences run eagerly. With `generalKey`, the shape-general segment
   * (segmentFor): its failures are not graph breaks or warnings, the batches compile their own.
   */
  private compile(key: string, batch: PendingBatch, outputs: readonly BatchOutput[], generalKey?: string): CompiledSegment | { failed: string } {
    const start = performance.now();
    const general = generalKey !== undefined;
    try {
      const runnerKey = `segment${this.compileCount++}`;
      let compiled: CompiledSegment | undefined;
      let readyNow = false;
      const segment = this.compiler.compile(runnerKey, batch, outputs, {
        ready: () => {
          if (compiled) compiled.ready = true;
          else readyNow = true;
        },
        done: (outcome) => {
          this.counters.compileMs += outcome.ms;
          if (outcome.error === undefined) return;
          this.counters.segments.compiled--;
          this.failedCompiles.add(runnerKey);
          if (general) {
            this.dropGeneral(generalKey);
            return;
          }
          this.counters.segments.failed++;
          this.segments.set(key, this.compileFailed(`ONNX Runtime could not create the session: ${outcome.error}`));
        },
      }, generalKey);
      const inputSources = segment.inputs.map((i) => (i.from.kind === 'carried' ? i.from.slot
        : i.from.kind === 'attr' ? { op: i.from.op, attr: i.from.attr } : -1));
      const kernels = batch.kernelList().map((k) => k.kernelName);
      // Counted from now on (an exit may come before the workers' answer), unless ORT fails it.
      this.counters.segments.compiled++;
      compiled = {
        runnerKey, inputSources, inputs: segment.inputs.map((i) => ({ dtype: i.dtype, shape: i.shape })), model: segment.model, runs: 0,
        outputs: segment.outputs.map((o) => ({ dtype: o.dtype, shape: o.shape })),
        nodes: kernels.map((_, op) => batch.nodeAt(op)), kernels, ready: readyNow,
      };
      return compiled;
    } catch (e) {
      if (e instanceof GraphRunnerDied) throw e;
      if (general) return { failed: (e as Error).message };
      this.counters.segments.failed++;
      // The kernel runs on the host from now on, between segments.
      if (e instanceof GraphBreak) {
        this.breakAt(batch.nodeAt(e.op));
        return { failed: e.message };
      }
      return this.compileFailed((e as Error).message);
    } finally {
      this.counters.compileMs += performance.now() - start;
    }
  }

  /** Whether a batch with this key will be replayed on the host rather than run: its segment failed. */
  private replays(key: string): boolean {
    const segment = this.segments.get(key);
    return segment !== undefined && 'failed' in segment;
  }

  /** Waits for every run posted so far, and confirms or recovers them. */
  private settle(): void {
    if (this.ledger.busy && this.waitForWorker()) this.retire();
  }

  /** Waits until every compile posted so far has its session or its failure. */
  private waitForCompiles(): void {
    this.waitForOptimizer();
    if (!this.dead && this.runner.unanswered > 0) this.waitForWorker();
  }

  /** Waits until the optimizer has answered every model sent to it (their runs may be posted then). */
  private waitForOptimizer(): void {
    if (this.compiler.inProgress > 0) {
      const start = performance.now();
      this.compiler.waitForOptimizer();
      this.counters.waitMs += performance.now() - start;
    }
    this.collectReplies();
  }

  /** Waits until the worker has done everything posted (its replies taken); false if it died instead. */
  private waitForWorker(): boolean {
    try {
      this.runner.stats();
      return true;
    } catch (e) {
      if (!(e instanceof GraphRunnerDied)) throw e;
      this.onWorkerDeath(e);
      return false;
    }
  }

  /** Takes the worker's answers to compiles that have arrived (they may mark segments failed). */
  private collectReplies(): void {
    if (this.dead) return;
    try {
      this.compiler.collect();
      this.runner.collect();
    } catch (e) {
      if (!(e instanceof GraphRunnerDied)) throw e;
      this.onWorkerDeath(e);
    }
  }

  /** A segment that cannot be compiled runs eagerly instead; said once, since it costs the speed-up. */
  private compileFailed(reason: string): { failed: string } {
    if (!this.warnedCompile) {
      this.warnedCompile = true;
      process.stderr.write(`terra: a segment could not be compiled, so its kernels run eagerly: ${reason.split('\n')[0]} ` +
        '(further failures are counted in --stats, not reported)\n');
    }
    return { failed: reason };
  }

  /** The worker's ids of a run's inputs: the batch's externals, and the shape attrs a shape-general segment is fed. */
  private segmentInputIds(segment: CompiledSegment, batch: PendingBatch): ValueId[] {
    return segment.inputSources.map((source) => {
      if (typeof source === 'number') return this.upload(batch.externals[source]);
      const dims = sharedAttrs(batch.kernelList()[source.op].attrs)[source.attr] as number[];
      // A value of no tensor's: uploaded as a shared constant, or freed after the run.
      return this.upload({ dataId: {}, dtype: 'int32', shape: [dims.length], values: Int32Array.from(dims) });
    });
  }

  /** The worker's id for an external, feeding the host value if the worker has none yet. */
  private upload(ext: External): ValueId {
    if (ext.worker !== undefined) return ext.worker;
    // Uploaded since the batch took the external (by an earlier batch's run).
    const uploaded = this.entry(ext.dataId)?.worker;
    if (uploaded !== undefined) return uploaded;
    const values = toHostData(ext.values!, ext.dtype);
    const shared = SharedConstants.kind(values);
    if (shared) return this.uploadConstant(shared, ext, values);
    const id = this.runner.newId();
    this.runner.feed(id, ext.dtype as 'float32', ext.shape, values);
    this.counters.feeds++;
    return this.ownUpload(ext, id);
  }

  /** Keeps an upload for later batches while tfjs holds the tensor, or frees it after this run. */
  private ownUpload(ext: External, id: ValueId): ValueId {
    const entry = this.entry(ext.dataId);
    if (entry && entry.worker === undefined) {
      entry.worker = id;
      this.resident.set(ext.dataId, entry);
    } else this.ledger.discard(id);
    return id;
  }

  private uploadConstant(kind: 'small' | 'fill', ext: External, values: HostData): ValueId {
    let id = this.constants.find(kind, ext.dtype, ext.shape, values);
    if (id === undefined) {
      id = this.runner.newId();
      this.runner.feed(id, ext.dtype as 'float32', ext.shape, values);
      this.counters.feeds++;
      if (!this.constants.add(kind, ext.dtype, ext.shape, values, id)) return this.ownUpload(ext, id);
    }
    const entry = this.entry(ext.dataId);
    if (entry && entry.worker === undefined) {
      entry.worker = id;
      entry.shared = true;
      this.resident.set(ext.dataId, entry);
    }
    return id;
  }

  private shapeOf(dataId: DataId): number[] {
    const state = (engine() as unknown as { state: { tensorInfo: WeakMap<DataId, { shape: number[] }> } }).state;
    return state.tensorInfo.get(dataId)?.shape ?? [];
  }

  private external(info: TensorInfo): External {
    const entry = this.entry(info.dataId)!;
    if (entry.stretch) this.recomputeInside(entry.stretch, (ext) => this.hostValues(ext));
    if (entry.pending) {
      // Produced by the batch but no longer pending there means a bug; never guess a value.
      throw new Error(`terra: internal error: input ${JSON.stringify(info.dataId)} is pending in another batch`);
    }
    return { dataId: info.dataId, dtype: info.dtype, shape: info.shape, worker: entry.worker, values: entry.values };
  }

  private hostValues(ext: External): Replayed {
    if (ext.values != null) return ext.values;
    return this.readWorker(ext.worker!);
  }

  private readWorker(id: ValueId): Replayed {
    if (this.dead) return this.deadValue(id);
    try {
      return this.runner.readSync(id).data;
    } catch (e) {
      if (!(e instanceof GraphRunnerDied)) throw this.lostValue(e);
      this.onWorkerDeath(e);
      return this.deadValue(id);
    }
  }

  // ---- eager execution ----

  /** Runs a kernel on the host: its inputs (lazy ones included) are brought to the host first. */
  private runEagerly(inputs: Inputs, args: Parameters<KernelFunc>[0], eager: KernelFunc): TensorInfo | TensorInfo[] {
    for (const [, info] of inputs) this.materialize(info);
    this.counters.kernels.eager++;
    this.depth++;
    try {
      return eager(args);
    } finally {
      this.depth--;
    }
  }

  private materialize(info: TensorInfo): void {
    this.readSyncQuiet(info.dataId);
    const parts = this.entry(info.dataId)?.complexTensorInfos;
    if (parts) {
      this.materialize(parts.real);
      this.materialize(parts.imag);
    }
  }

  /** Like readSync, without recording a read by JS. */
  private readSyncQuiet(dataId: DataId): void {
    this.depth++;
    try {
      this.readSync(dataId);
    } finally {
      this.depth--;
    }
  }

  /** A new buffer without values, produced by `pending` (the batch) or, without it, by a dispatched stretch. */
  private allocateLazy(dtype: DataType, pending?: PendingBatch): { dataId: DataId; entry: TerraData } {
    const dataId = { id: (this.backend as unknown as { nextDataId(): number }).nextDataId() };
    const entry: TerraData = { values: undefined, dtype, refCount: 1, pending };
    this.backend.data.set(dataId, entry as never);
    return { dataId, entry };
  }

  private entry(dataId: DataId): TerraData | undefined {
    // DataStorage.get of an unknown id asks the engine to move it from another backend: check first.
    return this.backend.data.has(dataId) ? this.backend.data.get(dataId) as TerraData : undefined;
  }

  /** The error for a value the worker cannot give (a run failure that recovery could not cover). */
  private lostValue(e: unknown): Error {
    if (e instanceof Error && e.message.startsWith('terra: ')) return e;
    if (!(e instanceof GraphValueError)) return e as Error;
    return new Error(`terra: a value computed by the GraphRunner could not be read: ${e.message}`);
  }
}

