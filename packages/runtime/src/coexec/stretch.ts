import type { BackendValues, DataId, TensorInfo } from '@tensorflow/tfjs-core';
import type { ValueId } from '../graph_runner/protocol';
import type { GraphNode, TraceGraph } from '../trace/trace_graph';
import type { TensorSig } from '../trace/trace';
import { BatchOutput, External, PendingBatch } from './pending_batch';

/** How a stretch finds the values its kernels will take from outside it, as the program stands now. */
export interface StretchContext {
  readonly graph: TraceGraph;
  /** Whether the node can run inside a segment (lowered, lowerable dtypes, not a graph break). */
  canDelegate(node: GraphNode): boolean;
  /** A node's output issued earlier in this iteration, if JS still holds it and its value is not pending. */
  nodeOutput(node: number, output: number): TensorInfo | undefined;
  /** Whether the node was called in this iteration (its outputs may be gone since). */
  issued(node: number): boolean;
  variable(name: string): TensorInfo | undefined;
  feed(index: number): TensorInfo | undefined;
  /** The signature and values of this iteration's feed `index`, if written yet (its buffer may be gone). */
  written(index: number): (TensorSig & { readonly values: BackendValues }) | undefined;
  /** How many tensors JS has written in this iteration so far. */
  writes(): number;
  /**
   * The value from before the iteration that will be carried slot `slot`, the last trace's slot told
   * the same way; if that one is gone, the one that input of `node` or of a node at its call site took
   * last (a learning rate JS wrote anew in the last step was a feed there, not a carried slot).
   */
  carried(slot: number, node: number, input: number): TensorInfo | undefined;
  external(info: TensorInfo): External;
}

/** Where a stretch's external input comes from, resolved anew for every instance. */
type Source =
  | { readonly kind: 'call'; readonly input: number }
  | { readonly kind: 'node'; readonly node: number; readonly output: number }
  | { readonly kind: 'variable'; readonly name: string }
  /** A tensor JS wrote before the stretch starts, `back` writes before its start (see TracedKernel.writes). */
  | { readonly kind: 'feed'; readonly back: number }
  /** `node` and `input`: where the traces took it (a hint for finding it when its slot does not say, see carried). */
  | { readonly kind: 'carried'; readonly slot: number; readonly node: number; readonly input: number }
  /** A feed not written yet, predicted by value: checked when JS writes it (the guard). */
  | { readonly kind: 'predicted'; readonly values: BackendValues }
  /** A feed not written yet, predicted to repeat the values of the write `back` writes before the start (the guard). */
  | { readonly kind: 'echo'; readonly back: number };

/** One predicted kernel. Inputs and outputs are tokens: placeholders made inside, or external slots. */
export interface Position {
  readonly node: number;
  /** The batch kernel it is. */
  readonly op: number;
  readonly inputs: readonly DataId[];
  readonly outputs: readonly DataId[];
  readonly sigs: readonly TensorSig[];
}

let tokenCount = 0;
const token = (): DataId => ({ id: -(++tokenCount) });

/**
 * The structure of a stretch: the path the TraceGraph predicts from a node on, while it is unique
 * (one feasible successor at every node, see successor(); no graph break) and each input it takes from outside has a known
 * source (an output issued earlier in the iteration, a variable, a feed, the previous iteration's
 * carried value, a small feed predicted by value or as a repeat of an earlier write, before any read). Built once per start node
 * while the TraceGraph nodes it was read from stay as they were (holdsOn), instantiated for every iteration by resolving only
 * those sources.
 */
export class StretchPlan {
  readonly positions: Position[] = [];
  /** The kernels, wired by tokens; an instance swaps in the externals it resolved. */
  readonly batch = new PendingBatch();
  readonly outputs: BatchOutput[] = [];
  readonly key: string;
  /** For each external slot (the batch's order): its token, source and signature. */
  private readonly slots: Array<{ token: DataId; source: Source; sig: TensorSig }> = [];
  /** The path went past a node JS read a value before (GraphNode.afterRead): feeds are no longer predicted. */
  private pastRead = false;
  /**
   * Writes before the start node's call in the traces the plan is read from. Feeds are placed by their
   * distance back from the start, not by index: a step that begins with extra writes (an evaluation's
   * inputs) shifts every index of the step, not that distance.
   */
  private readonly startWrites: number;
  /**
   * The feed distances and carried slots the plan read from its nodes' latest calls (GraphNode.recent).
   * Their numbering moves when an iteration of another kind comes between two alike (an evaluation
   * using other carried values first): the plan holds again once it is back (sourcesHold).
   */
  private readonly recentSources: Array<{ node: GraphNode; input: number; back?: number; slot?: number }> = [];
  /** The paths (GraphNode.paths) that went through every position so far; undefined if none did or not known. */
  private within: Set<number> | undefined;
  /** The TraceGraph's version when the plan was built. */
  private readonly builtAt: number;
  /** Its positions' nodes: the plan read everything about them. */
  private readonly readNodes: GraphNode[] = [];
  /** The successors it weighed: it read whether it could go on to them (GraphNode.sourcesChanged). */
  private readonly weighed: GraphNode[] = [];
  /** The positions whose latest successor (GraphNode.lastNext) decided where the plan went on. */
  private readonly byLastNext: GraphNode[] = [];
  /** A successor was told apart by the paths through the nodes (narrow): their paths matter too. */
  private usesPaths = false;

  private constructor(ctx: StretchContext, first: number, firstInputs: ReadonlyArray<readonly [string, TensorInfo]>, maxLength: number) {
    const graph = ctx.graph;
    this.builtAt = graph.version;
    this.startWrites = graph.nodes[first].recent.writes;
    this.append(graph, first, firstInputs.map(([name, info], i) => [name, { kind: 'call', input: i } as Source, info] as const));
    let node = graph.nodes[first];
    this.narrow(node);
    while (this.positions.length < maxLength) {
      if (node.ends > 0) break;
      const step = this.successor(node, ctx);
      if (!step) break;
      this.append(graph, step.id, step.inputs);
      node = graph.nodes[step.id];
      this.narrow(node);
      this.pastRead ||= node.afterRead;
    }
    this.chooseOutputs(graph);
    this.key = this.batch.key(this.outputs);
  }

  /** The plan for the path from `first` (see long: it may predict too few kernels to be worth a segment). */
  static build(ctx: StretchContext, first: number, firstInputs: ReadonlyArray<readonly [string, TensorInfo]>,
    maxLength: number): StretchPlan {
    return new StretchPlan(ctx, first, firstInputs, maxLength);
  }

  /** Whether it predicts at least `minLength` kernels. */
  long(minLength: number): boolean {
    return this.batch.size >= minLength;
  }

  /**
   * Whether building the plan again from the graph as it stands would read the same nodes the same way:
   * none of them changed since (traces that went elsewhere leave it standing).
   */
  holdsOn(): boolean {
    const built = this.builtAt;
    for (const n of this.readNodes) if (n.changed > built || (this.usesPaths && n.pathsChanged > built)) return false;
    for (const n of this.weighed) if (n.sourcesChanged > built || (this.usesPaths && n.pathsChanged > built)) return false;
    for (const n of this.byLastNext) if (n.lastNextChanged > built) return false;
    return true;
  }

  get startNode(): number {
    return this.positions[0].node;
  }

  /**
   * Whether the feeds and carried values the plan reads are numbered in the nodes' latest calls as they
   * were when it was built: then building it again would give the same plan.
   */
  sourcesHold(graph: TraceGraph): boolean {
    const startWrites = graph.nodes[this.startNode].recent.writes;
    for (const r of this.recentSources) {
      const from = r.node.recent.inputs[r.input]?.from;
      if (r.slot !== undefined ? from?.kind !== 'carried' || from.slot !== r.slot
        : from?.kind !== 'feed' || startWrites - from.feed !== r.back) return false;
    }
    return true;
  }

  /** Resolves every external source as the program stands now; undefined if one is not available. */
  instantiate(ctx: StretchContext, callInputs: ReadonlyArray<readonly [string, TensorInfo]>): Stretch | undefined {
    const byToken = new Map<DataId, External>();
    const bound = new Map<DataId, DataId>();
    const guards = new Map<DataId, BackendValues>();
    for (const { token: t, source, sig } of this.slots) {
      if (source.kind === 'predicted') {
        byToken.set(t, { dataId: t, dtype: sig.dtype, shape: sig.shape, values: source.values });
        guards.set(t, source.values);
        continue;
      }
      if (source.kind === 'echo') {
        // The earlier write's values, fed anew (its tensor may be disposed): JS's own write must repeat them.
        const earlier = ctx.written(ctx.writes() - source.back);
        if (!earlier || earlier.dtype !== sig.dtype || !sameShape(earlier.shape, sig.shape)) return undefined;
        byToken.set(t, { dataId: t, dtype: sig.dtype, shape: sig.shape, values: earlier.values });
        guards.set(t, earlier.values);
        continue;
      }
      const info = resolve(source, ctx, callInputs);
      if (!info || info.dtype !== sig.dtype || !sameShape(info.shape, sig.shape)) return undefined;
      byToken.set(t, ctx.external(info));
      bound.set(t, info.dataId);
    }
    // The batch numbers its externals by first use among its kernels.
    const externals = this.batch.externals.map((e) => byToken.get(e.dataId)!);
    return new Stretch(this, this.batch.withExternals(externals), bound, guards);
  }

  private append(graph: TraceGraph, node: number, inputs: ReadonlyArray<readonly [string, Source | DataId, TensorSig]>): void {
    const n = graph.nodes[node];
    this.readNodes.push(n);
    const sigs = n.kernel.outputs;
    const tokens = inputs.map(([, from, sig]) => (isSource(from) ? this.slotToken(from, sig) : from));
    const outputs = sigs.map((sig) => ({ dataId: token(), dtype: sig.dtype, shape: sig.shape }));
    const op = this.batch.size;
    const infos = inputs.map(([name, , sig], i): readonly [string, TensorInfo] => [name, { dataId: tokens[i], dtype: sig.dtype, shape: [...sig.shape] }]);
    this.batch.add(node, n.kernel.kernelName, n.kernel.attrs, infos, outputs,
      (info) => ({ dataId: info.dataId, dtype: info.dtype, shape: info.shape }));
    this.positions.push({ node, op, inputs: tokens, outputs: outputs.map((o) => o.dataId), sigs });
  }

  /**
   * One token per distinct source, so that a value used twice is one segment input. A feed is named by
   * its distance back from the stretch's start, which differs between paths: the same distance seen
   * with another signature is another value, and gets its own slot (and its own check at instantiate).
   */
  private slotToken(source: Source, sig: TensorSig): DataId {
    const same = this.slots.find((s) => sameSource(s.source, source) && s.sig.dtype === sig.dtype && sameShape(s.sig.shape, sig.shape));
    if (same) return same.token;
    const t = token();
    this.slots.push({ token: t, source, sig });
    return t;
  }

  /**
   * The node the path goes on to, with its inputs' sources. A node shared by paths that differ only in
   * shapes (a kernel on a variable or a scalar alone, reached under every batch length or in every layer)
   * branches to one successor per path: the candidates are those that traces took after the node the
   * stretch came from, and of those the one whose inputs all have a source on this path. A candidate
   * whose input only is not available now (a tensor JS has not written yet and that has no prediction,
   * a carried value) may still be where JS goes: if the latest trace went there, the path is not predicted.
   * If more than one could follow (JS chooses between them), the path is not predicted either.
   */
  private successor(node: GraphNode, ctx: StretchContext):
    { id: number; inputs: Array<readonly [string, Source | DataId, TensorSig]> } | undefined {
    const from = this.positions.length >= 2 ? this.positions[this.positions.length - 2].node : undefined;
    let candidates = [...((node.next.size > 1 && from !== undefined ? node.nextAfter.get(from) : undefined) ?? node.next.keys())];
    // Those on a path that went through every position so far, if any is.
    const within = this.within;
    if (candidates.length > 1 && within) {
      this.usesPaths = true;
      const onPath = candidates.filter((id) => { const paths = ctx.graph.nodes[id].paths; return paths === null || [...paths].some((p) => within.has(p)); });
      if (onPath.length > 0) candidates = onPath;
    }
    const feasible: Array<{ id: number; inputs: Array<readonly [string, Source | DataId, TensorSig]> }> = [];
    let unavailable = false;
    for (const id of candidates) {
      const candidate = ctx.graph.nodes[id];
      this.weighed.push(candidate);
      const inputs = this.sources(candidate, ctx);
      unavailable ||= inputs === 'unavailable';
      if (inputs === 'unavailable' && id === node.lastNext) {
        this.byLastNext.push(node);
        return undefined;
      }
      if (Array.isArray(inputs)) feasible.push({ id, inputs });
    }
    if (unavailable || feasible.length > 1) this.byLastNext.push(node);
    let found = feasible.length === 1 ? feasible[0] : undefined;
    // Several could follow, and JS chooses. Except that one the latest trace took, on values at hand,
    // is preferred to those possible only if JS writes a predicted value: a learning rate set anew in
    // one step is predicted to come again, yet the steps after it keep the tensor. (If JS does write
    // it, the stretch is left there.)
    if (!found && feasible.length > 1) {
      const guesses = (f: (typeof feasible)[number]) => f.inputs.some(([, from]) => isSource(from) && (from.kind === 'predicted' || from.kind === 'echo'));
      const latest = feasible.find((f) => f.id === node.lastNext);
      if (latest && !guesses(latest) && feasible.every((f) => f === latest || guesses(f))) found = latest;
    }
    if (!found) return undefined;
    const next = ctx.graph.nodes[found.id];
    return ctx.canDelegate(next) ? found : undefined;
  }

  /** Keeps, of the paths through every position so far, those through `node` too (none known: no narrowing). */
  private narrow(node: GraphNode): void {
    if (node.paths === null) return;
    const paths = node.paths;
    const kept = this.within === undefined && this.positions.length === 1 ? new Set(paths)
      : this.within && new Set([...this.within].filter((p) => paths.has(p)));
    this.within = kept && kept.size > 0 ? kept : undefined;
  }

  /**
   * Where each input of a predicted node comes from; 'impossible' if one has no source on this path (the
   * output of a node this iteration did not call, a feed of another signature), 'unavailable' if one is
   * not at hand now (not written yet and not predicted, carried but not resolvable, disposed).
   */
  private sources(node: GraphNode, ctx: StretchContext): Array<readonly [string, Source | DataId, TensorSig]> | 'impossible' | 'unavailable' {
    const recent = node.recent;
    const out: Array<readonly [string, Source | DataId, TensorSig]> = [];
    let unavailable = false;
    for (let i = 0; i < node.inputs.length; i++) {
      const want = node.inputs[i];
      const sig = recent.inputs[i];
      let from: Source | DataId | undefined;
      switch (want.kind) {
        case 'node': from = this.produced(want.node, want.output) ?? { kind: 'node', node: want.node, output: want.output }; break;
        case 'variable': from = { kind: 'variable', name: want.name }; break;
        case 'feed': {
          if (sig.from.kind !== 'feed') return 'impossible';
          const back = this.startWrites - sig.from.feed;
          this.recentSources.push({ node, input: i, back });
          // Written before the start: one of another signature there is another value (the node belongs
          // to another path, such as a learning rate written in some steps and kept in others), so the
          // path is not predicted through this node.
          if (back > 0) {
            const written = ctx.written(ctx.writes() - back);
            if (!written || written.dtype !== sig.dtype || !sameShape(written.shape, sig.shape)) return 'impossible';
            from = { kind: 'feed', back };
            break;
          }
          const values = node.feedValues[i];
          const echo = node.feedEchoes[i];
          if (this.pastRead || node.afterRead) unavailable = true;
          else if (values) from = { kind: 'predicted', values };
          else if (typeof echo === 'number' && echo > -back && ctx.written(ctx.writes() - (back + echo))) from = { kind: 'echo', back: back + echo };
          else unavailable = true;
          break;
        }
        case 'carried':
          if (sig.from.kind !== 'carried') return 'impossible';
          from = { kind: 'carried', slot: sig.from.slot, node: node.id, input: i };
          this.recentSources.push({ node, input: i, slot: sig.from.slot });
          break;
      }
      if (from === undefined) continue;
      // Resolvable now (for this first instance), so probably again in later iterations.
      if (isSource(from) && from.kind !== 'predicted' && from.kind !== 'echo' && !resolve(from, ctx, [])) {
        if (from.kind === 'node' && !ctx.issued(from.node)) return 'impossible';
        unavailable = true;
        continue;
      }
      out.push([sig.name, from, sig]);
    }
    return unavailable ? 'unavailable' : out;
  }

  /** The token of the latest output of `node` inside the stretch. */
  private produced(node: number, output: number): DataId | undefined {
    for (let k = this.positions.length - 1; k >= 0; k--) {
      const p = this.positions[k];
      if (p.node === node) return p.outputs[output];
    }
    return undefined;
  }

  /** Outputs: values the traces kept alive past the stretch's last kernel, or read. */
  private chooseOutputs(graph: TraceGraph): void {
    const last = this.positions.length - 1;
    this.positions.forEach((p, k) => {
      const lifetimes = graph.nodes[p.node].lifetimes;
      p.outputs.forEach((placeholder, output) => {
        if ((lifetimes[output] ?? Infinity) > last - k) this.outputs.push({ op: p.op, output, dataId: placeholder });
      });
    });
  }
}

/**
 * A plan dispatched for one iteration: the segment runs before JS issues its kernels; each call that
 * follows claims the next position if it is the predicted node on the predicted buffers, and gets
 * lazy tensors bound to the segment's outputs. Outputs are the values the traces kept alive past the
 * stretch's end (or read); the rest stays inside the graph. A value JS keeps that the prediction left
 * inside (after a divergence, say) is recomputed on the host from the stretch's inputs.
 */
export class Stretch {
  claimed = 0;
  outputIds: ValueId[] = [];
  /** Worker ids of the segment's inputs (pinned while the stretch lasts). */
  inputIds: ValueId[] = [];
  /** Its run is the segment's first, as a kernel program (see CoExecutor.postKernels). */
  kernelByKernel = false;
  private readonly workerOf = new Map<DataId, ValueId>();

  constructor(readonly plan: StretchPlan, readonly batch: PendingBatch,
    /** Token -> the buffer JS holds for it (externals now; placeholders as calls claim them). */
    readonly bound: Map<DataId, DataId>,
    private readonly guards: Map<DataId, BackendValues>) {}

  get complete(): boolean {
    return this.claimed === this.plan.positions.length;
  }

  get outputs(): readonly BatchOutput[] {
    return this.plan.outputs;
  }

  /**
   * Claims the next position if the call is its node on the expected buffers: what JS got for a
   * placeholder, the external buffer, or for a predicted feed a buffer holding the same values.
   */
  claim(node: number, inputs: ReadonlyArray<readonly [string, TensorInfo]>,
    sameValues: (actual: DataId, expected: BackendValues) => boolean, attrs?: string): Position | undefined {
    const p = this.plan.positions[this.claimed];
    if (!p || p.node !== node || p.inputs.length !== inputs.length) return undefined;
    // A node whose identity leaves data attrs out (a Slice's offset): the stretch ran with the ones it planned.
    if (attrs !== undefined && this.batch.kernelList()[p.op].attrs !== attrs) return undefined;
    for (let i = 0; i < inputs.length; i++) {
      const expected = this.bound.get(p.inputs[i]) ?? p.inputs[i];
      const actual = inputs[i][1].dataId;
      if (actual === expected) continue;
      const guard = this.guards.get(expected);
      if (!guard || !sameValues(actual, guard)) return undefined;
      // The feed JS wrote holds the predicted values: later positions expect JS's buffer.
      this.bound.set(expected, actual);
    }
    this.claimed++;
    return p;
  }

  /** The worker's id of a dispatched placeholder (undefined while the stretch runs kernel by kernel, not yet dispatched). */
  workerValue(placeholder: DataId): ValueId | undefined {
    return this.workerOf.get(placeholder);
  }

  /** Records the worker ids of the dispatched segment's outputs. */
  dispatched(inputIds: ValueId[], outputIds: ValueId[]): void {
    this.inputIds = inputIds;
    this.outputIds = outputIds;
    this.plan.outputs.forEach((o, i) => this.workerOf.set(o.dataId, outputIds[i]));
  }

  /** Segment outputs no claimed call was bound to (to free when the stretch ends). */
  unclaimedOutputIds(): ValueId[] {
    return this.plan.outputs.flatMap((o, i) => (this.bound.has(o.dataId) ? [] : [this.outputIds[i]]));
  }

  /** The placeholders of the batch's kernels whose bound lazy buffer passes `wanted`, as batch outputs. */
  boundOutputs(wanted: (real: DataId) => boolean): Array<BatchOutput & { real: DataId }> {
    const out: Array<BatchOutput & { real: DataId }> = [];
    for (const p of this.plan.positions) {
      for (let output = 0; output < p.outputs.length; output++) {
        const placeholder = p.outputs[output];
        const real = this.bound.get(placeholder);
        if (real && wanted(real)) out.push({ op: p.op, output, dataId: placeholder, real });
      }
    }
    return out;
  }
}

function resolve(source: Source, ctx: StretchContext, callInputs: ReadonlyArray<readonly [string, TensorInfo]>): TensorInfo | undefined {
  switch (source.kind) {
    case 'call': return callInputs[source.input]?.[1];
    case 'node': return ctx.nodeOutput(source.node, source.output);
    case 'variable': return ctx.variable(source.name);
    case 'feed': return ctx.feed(ctx.writes() - source.back);
    case 'carried': return ctx.carried(source.slot, source.node, source.input);
    case 'predicted': case 'echo': return undefined;
  }
}

function isSource(x: Source | DataId | undefined): x is Source {
  return x !== undefined && 'kind' in x;
}

function sameSource(a: Source, b: Source): boolean {
  switch (a.kind) {
    case 'call': return b.kind === 'call' && b.input === a.input;
    case 'node': return b.kind === 'node' && b.node === a.node && b.output === a.output;
    case 'variable': return b.kind === 'variable' && b.name === a.name;
    case 'feed': return b.kind === 'feed' && b.back === a.back;
    case 'carried': return b.kind === 'carried' && b.slot === a.slot;
    // Each predicted write is its own slot: claiming binds it to the buffer JS wrote for that call.
    case 'predicted': case 'echo': return false;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
