import type { BackendValues, DataId, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { engine } from '@tensorflow/tfjs-core';
import { callPathSince } from '../hooks';
import type { DraftKernel, Feed, Fetch, Provenance, TensorSig, Trace, TracedKernel } from './trace';
import { canonicalAttrs } from '../lowering/attrs';

/**
 * Records one trace at a time from the backend's events: kernel dispatches, writes from JS and reads.
 * Provenance is tracked by dataId: a buffer produced by a recorded kernel or fed during the trace is
 * known; any other input is a variable (the engine's registered variables) or a carried value.
 */
export class TraceRecorder {
  private kernels: TracedKernel[] = [];
  private feeds: Feed[] = [];
  private fetches: Fetch[] = [];
  // Maps, not WeakMaps: they live for one trace, and WeakMap lookups cost several times more.
  private origin = new Map<DataId, Provenance>();
  private carried = new Map<DataId, number>();
  private carriedCount = 0;
  /** The registered variables' buffers when the trace began, as provenances, built on first need. */
  private variables: Map<DataId, Provenance> | undefined;
  /** The provenance of each carried slot, made once per trace (inputs share it). */
  private carriedFrom: Provenance[] = [];
  /**
   * The call paths of the site activations the last kernel ran under, outermost first, each with the
   * ordinal of the last kernel issued directly under it. A kernel issued after deeper user code returned
   * (a customGrad's gradFunc, called from the backward pass of a `minimize`) goes on counting for its
   * activation: restarting at 0 gave two kernels of one activation the same identity.
   */
  private activations: Array<{ path: readonly string[]; ordinal: number }> = [];

  /** The buffers JS wrote in this trace, by feed index. */
  private feedIds: DataId[] = [];

  /** The buffer of the current trace's feed `index`, if JS has written it yet. */
  feedBuffer(index: number): DataId | undefined {
    return this.feedIds[index];
  }

  /** How many tensors JS has written in the current trace. */
  get writeCount(): number {
    return this.feeds.length;
  }

  /** The current trace's feed `index` (its signature and values), if JS has written it yet. */
  feed(index: number): Feed | undefined {
    return this.feeds[index];
  }

  /** The buffer that was the last trace's carried value `slot`. */
  previousCarried(slot: number): DataId | undefined {
    return this.lastCarried[slot];
  }

  private lastCarried: DataId[] = [];
  /** The call path of the latest draft (shared with the next while it is the same). */
  private lastPath: readonly string[] = [];

  /** A tensor written from JS (not from inside a kernel). */
  write(dataId: DataId, info: Omit<TensorInfo, 'dataId'>, values: BackendValues): void {
    const index = this.feeds.length;
    this.feedIds.push(dataId);
    this.feeds.push({ index, dtype: info.dtype, shape: [...info.shape], afterKernel: this.kernels.length, values });
    this.origin.set(dataId, { kind: 'feed', feed: index });
  }

  kernel(kernelName: string, inputs: ReadonlyArray<readonly [string, TensorInfo]>, attrs: NamedAttrMap,
    outputs: readonly TensorInfo[], path?: TracedKernel['path']): void {
    this.commit(this.draft(kernelName, inputs, attrs), outputs, path);
  }

  /**
   * Describes the next kernel call before it runs (call path, ordinal, attrs, input provenance).
   * `likelyPath`: the call path of the kernel predicted next, if any (see callPathSince).
   */
  draft(kernelName: string, inputs: ReadonlyArray<readonly [string, TensorInfo]>, attrs: NamedAttrMap,
    likelyPath?: readonly string[]): DraftKernel {
    const sitePath = (this.lastPath = callPathSince(this.lastPath, likelyPath));
    const draft: Committable = {
      index: this.kernels.length,
      writes: this.feeds.length,
      sitePath,
      ordinal: this.nextOrdinal(sitePath),
      kernelName,
      attrs: canonicalAttrs(attrs),
      // The engine passes tensors, whose shapes tfjs copied when it made them and never changes.
      inputs: inputs.map(([name, t]) => ({ name, from: this.provenance(t.dataId), dtype: t.dtype, shape: t.shape })),
      // Present from the start, so that committing the draft in place keeps its hidden class.
      outputs: NO_OUTPUTS,
      path: undefined,
      lifetimes: undefined,
    };
    return draft;
  }

  /**
   * Records a drafted call with its outputs; it must be the next kernel of the trace. `known` are the
   * outputs' signatures when they are a TraceGraph node's (a predicted kernel's lazy outputs): kept as
   * they are, not copied.
   */
  commit(draft: DraftKernel, outputs: readonly TensorInfo[], path?: TracedKernel['path'], known?: readonly TensorSig[]): TracedKernel {
    const index = this.kernels.length;
    if (draft.index !== index) throw new Error(`terra: kernel ${draft.kernelName} was drafted at ${draft.index} and committed at ${index}`);
    if (known && known.length !== outputs.length) throw new Error(`terra: kernel ${draft.kernelName} has ${outputs.length} outputs, its node ${known.length}`);
    const sigs: TensorSig[] | undefined = known ? undefined : new Array<TensorSig>(outputs.length);
    for (let output = 0; output < outputs.length; output++) {
      const t = outputs[output];
      // A kernel run on the host may return an array of its caller's (cpu's Reshape returns attrs.shape).
      if (sigs) sigs[output] = { dtype: t.dtype, shape: t.shape.slice() };
      // A kernel that returns its input's buffer (Identity, cpu's Reshape) keeps the input's origin.
      if (!this.origin.has(t.dataId)) this.origin.set(t.dataId, { kind: 'op', op: index, output });
    }
    // The draft becomes the trace's kernel: one object per call, not two.
    const kernel = draft as Committable;
    kernel.outputs = known ?? sigs!;
    kernel.path = path;
    this.kernels.push(kernel);
    return kernel;
  }

  /** The values JS wrote as the current trace's feed `index`, if it has written it yet. */
  feedValues(index: number): BackendValues | undefined {
    return this.feeds[index]?.values;
  }

  /** The current trace's kernel `op`, if recorded yet. */
  kernelAt(op: number): TracedKernel | undefined {
    return this.kernels[op];
  }

  /** Kernels recorded in the current trace. */
  get kernelCount(): number {
    return this.kernels.length;
  }

  /** JS read a value. */
  read(dataId: DataId): void {
    const from = this.provenance(dataId, false);
    this.fetches.push({ from, afterKernel: this.kernels.length });
    if (from.kind === 'op') this.lifetime(from, Infinity);
  }

  /** tfjs freed a buffer: if a kernel of this trace made it, its lifetime ends here. */
  disposed(dataId: DataId): void {
    const from = this.origin.get(dataId);
    if (from?.kind === 'op') this.lifetime(from, this.kernels.length - from.op - 1);
  }

  private lifetime(from: { op: number; output: number }, kernels: number): void {
    const k = this.kernels[from.op];
    const lifetimes = k.lifetimes ?? (k.lifetimes = []);
    if (lifetimes[from.output] !== Infinity) lifetimes[from.output] = kernels;
  }

  /** Ends the current trace and starts the next; values of this trace become carried values of the next. */
  cut(): Trace {
    const trace: Trace = { kernels: this.kernels, feeds: this.feeds, fetches: this.fetches };
    this.kernels = [];
    this.feeds = [];
    this.fetches = [];
    this.origin = new Map();
    this.lastCarried = [];
    for (const [dataId, slot] of this.carried) this.lastCarried[slot] = dataId;
    this.carried = new Map();
    this.feedIds = [];
    this.carriedCount = 0;
    this.carriedFrom = [];
    this.variables = undefined;
    this.activations = [];
    return trace;
  }

  /** The ordinal of a kernel issued under `path`: activations the path left are closed first. */
  private nextOrdinal(path: readonly string[]): number {
    const open = this.activations;
    const innermost = open[open.length - 1];
    if (innermost?.path === path) return ++innermost.ordinal;
    while (open.length > 0 && !isPrefix(open[open.length - 1].path, path)) open.pop();
    const top = open[open.length - 1];
    if (top !== undefined && top.path.length === path.length) return ++top.ordinal;
    open.push({ path, ordinal: 0 });
    return 0;
  }

  /**
   * Where a buffer comes from. A kernel input from before the trace gets the next carried slot; a read
   * does not number one (`allocate` false, slot -1 if new), so that reading a value does not shift the
   * slots of the kernels after it.
   */
  private provenance(dataId: DataId, allocate = true): Provenance {
    const known = this.origin.get(dataId);
    if (known) return known;
    // A variable assigned during the trace points at a buffer whose origin is already known, so
    // the registered variables as they were when the trace began are enough.
    const variable = (this.variables ??= variableBuffers()).get(dataId);
    if (variable !== undefined) return variable;
    let slot = this.carried.get(dataId);
    if (slot === undefined) {
      if (!allocate) return NOT_CARRIED;
      slot = this.carriedCount++;
      this.carried.set(dataId, slot);
      this.carriedFrom[slot] = { kind: 'carried', slot };
    }
    return this.carriedFrom[slot];
  }
}

/**
 * A kernel call's inputs as (name, tensor) pairs. Absent optional inputs are left out; a list input
 * (the ragged kernels' nested splits) gives one pair per tensor, named `name[i]`.
 */
export function kernelInputs(inputs: NamedTensorInfoMap): Array<[string, TensorInfo]> {
  const out: Array<[string, TensorInfo]> = [];
  // Called for every kernel: for...in makes no array of entries.
  for (const name in inputs) {
    const value = inputs[name] as TensorInfo | TensorInfo[] | null | undefined;
    if (value == null) continue;
    if (Array.isArray(value)) value.forEach((t, i) => out.push([`${name}[${i}]`, t]));
    else out.push([name, value]);
  }
  return out;
}

/** A draft as the recorder makes it: committing it fills in its outputs and path. */
type Committable = { -readonly [K in keyof TracedKernel]: TracedKernel[K] };

const NO_OUTPUTS: readonly TensorSig[] = [];

/** A read of a value from before the trace that no kernel took yet. */
const NOT_CARRIED: Provenance = { kind: 'carried', slot: -1 };

function variableBuffers(): Map<DataId, Provenance> {
  const vars = engine().registeredVariables;
  return new Map(Object.keys(vars).map((name) => [vars[name].dataId, { kind: 'variable', name }]));
}

function isPrefix(a: readonly string[], b: readonly string[]): boolean {
  if (a.length > b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}
