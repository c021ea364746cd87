import type { BackendValues } from '@tensorflow/tfjs-core';
import { FILL_BYTES, isFill, sameValues } from './same_values';
import type { DraftKernel, Feed, Provenance, Trace, TracedKernel } from './trace';

/**
 * The TraceGraph: traces merged into one graph of kernel-at-site nodes. A node is identified by what
 * DESIGN.md calls an operation's identity: call path, ordinal, kernel, attrs, input dtypes and shapes,
 * and where each input comes from, with op inputs named by their producer's node, not by position, so
 * the same kernel reached along different paths is one node. Traces that diverge branch out of a node;
 * where they reach the same identity again they reconverge. A kernel repeated under one call path (a
 * loop inside the step) has a growing ordinal, so an inner loop unrolls: another trip count is
 * another path.
 */

/**
 * An input's origin in graph terms: a node's output, a variable, or a feed or carried value. Feeds and
 * carried values are matched by the node and input slot that consume them, not by their numbering in
 * one trace, which shifts when an earlier branch writes or uses more of them.
 */
export type NodeInput =
  | { readonly kind: 'node'; readonly node: number; readonly output: number }
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'feed' }
  | { readonly kind: 'carried' };

export interface GraphNode {
  readonly id: number;
  readonly key: string;
  /** The call that stands for the node (its first one, or the first that did not throw). */
  kernel: TracedKernel;
  /**
   * The part of the calls' attrs that is the node's identity (TraceGraph's attrsKey): all of them, or
   * none for a kernel that only runs on the host (tf.multinomial draws a new seed attr per call when
   * given none), or all but its data attrs (KernelLowering.dataAttrs: a minibatch's Slice offset).
   */
  readonly attrsKey: string;
  /** Calls merged at the node had other attrs than the one before (data attrs that changed). */
  attrsVary: boolean;
  /** The latest call merged at this node: its feed indices and carried slots are the current ones. */
  recent: TracedKernel;
  /** For each output, the longest lifetime seen (kernels between creation and disposal; Infinity if read or kept). */
  readonly lifetimes: number[];
  /**
   * For each input that is a feed: the values JS wrote, while they were small and the same in every
   * trace (null once they differed or were large). Run-ahead predicts such a feed before it is written.
   */
  readonly feedValues: Array<BackendValues | null | undefined>;
  /**
   * For each input that is a feed: how many writes earlier JS wrote the same values in the same
   * iteration, while that held in every trace (null once it did not). A JS number that changes every
   * step but is turned into a scalar once per layer (an optimizer's step size) is unpredictable only
   * the first time: run-ahead predicts its later writes as echoes of the first.
   */
  readonly feedEchoes: Array<number | null | undefined>;
  /**
   * JS read a value right before this kernel in some trace. What JS writes after a read may depend on
   * the value read (a token sampled from logits), so run-ahead does not predict feeds past such a node.
   */
  afterRead: boolean;
  readonly inputs: readonly NodeInput[];
  /** The inputs that are feeds or carried values: the ones whose numbering may move between calls (movedInputs). */
  readonly slotInputs: readonly number[];
  /**
   * The nodes of the same call site, kernel and attrs as this one, this one included (one array, shared
   * by them): calls that differ only in where inputs come from, such as a value carried in most steps
   * and written anew by JS in some.
   */
  readonly siblings: readonly number[];
  /**
   * Successor node ids, with how many merged traces took each edge (counted where the node branches; the
   * one successor of a node that does not is taken on every visit that does not end there).
   */
  readonly next: Map<number, number>;
  /** Merged calls of the node (trace visits). */
  visits: number;
  /**
   * The successors taken, by the node the trace came from (START for a trace's first kernel). Where
   * paths that differ only in shapes share a node (a kernel on a variable alone, say), the node before it
   * still tells them apart, so run-ahead can follow the path past the shared node.
   */
  readonly nextAfter: Map<number, Set<number>>;
  /** The successor the latest merged trace took from here (at its last visit in that trace). */
  lastNext: number | undefined;
  /**
   * The paths (whole traces, by a hash of their node sequence) that went through this node; null once
   * more than MAX_NODE_PATHS did. Where paths share nodes, a stretch on its way tells by these which of
   * the successors belongs to the path it is on (StretchPlan.successor).
   */
  paths: Set<number> | null;
  /** How many merged traces ended at this node. */
  ends: number;
  /**
   * The kernel did not run on ONNX Runtime when traced (no lowering, a declined call, a type ORT
   * lacks): co-execution runs it on the cpu fallback between segments, a graph break.
   */
  breaks: boolean;
  /**
   * The graph version of the node's latest change that a run-ahead plan through it may depend on: an
   * edge, an end, a lifetime, or one of sourcesChanged's (not its paths, its latest successor or its
   * latest call's numbering: see pathsChanged, lastNextChanged and TraceGraph.slotVersion).
   */
  changed: number;
  /** The graph version at which lastNext last changed while the node had several successors. */
  lastNextChanged: number;
  /**
   * The graph version of the latest change in whether a plan may go on to the node: a feed's prediction,
   * a read before it, a graph break.
   */
  sourcesChanged: number;
  /** The graph version at which the node's paths last grew. */
  pathsChanged: number;
}

export interface MergeResult {
  readonly newNodes: number;
  readonly newEdges: number;
  /** The node of each kernel of the trace, by index. */
  readonly nodes: readonly number[];
}

/** START is the virtual node every trace begins from. */
export const START = -1;

export class TraceGraph {
  /** `attrsKey`: the part of a call's attrs that identifies it (GraphNode.attrsKey); all of them by default. */
  constructor(private readonly attrsKey: (kernel: DraftKernel) => string = (kernel) => kernel.attrs) {}

  readonly nodes: GraphNode[] = [];
  readonly starts = new Map<number, number>();
  private readonly byKey = new Map<string, number>();
  private readonly bySite = new Map<string, number[]>();
  private traces = 0;
  private quietMerges = 0;
  /**
   * Bumped by every change a plan built from the graph may depend on; the node changed records it (see
   * GraphNode.changed), so that a plan need only look at the nodes it was built from.
   */
  version = 0;
  /**
   * Bumped when a node's latest call takes its feeds or carried values under other indices than the call
   * before (plans read them: StretchPlan.sourcesHold tells whether a plan still holds).
   */
  slotVersion = 0;
  /** The last call callAttrsKey keyed, and its key. */
  private keyedCall: DraftKernel | undefined;
  private keyedCallKey = '';

  /**
   * Merges a trace; returns what it added (nothing, once the program's paths are all known).
   * `matched` holds, by kernel index, the node a kernel was already matched to (see match), if any;
   * `joined`, the indices of those matched by `known` instead, whose edge from the kernel before may be new.
   */
  merge(trace: Trace, matched?: readonly number[], joined: readonly number[] = []): MergeResult {
    let newNodes = 0;
    let newEdges = 0;
    const nodeOfOp: number[] = [];
    let prev = START;
    let beforePrev = START;
    const kernels = trace.kernels;
    // Per node id (new nodes included): merged once per step of every program, so arrays, not maps.
    const size = this.nodes.length + kernels.length;
    /** The nodes whose call merged before this trace was kept, with it (see the slot check after the loop). */
    const beforeNodes: GraphNode[] = [];
    const beforeCalls: TracedKernel[] = [];
    const kept = new Uint8Array(size);
    /** Each node's successor at its last visit in this trace (a node met several times may go on differently). */
    const lastTaken = new Int32Array(size).fill(-1);
    const left: number[] = [];
    const echoes = new FeedEchoes(trace);
    let nextJoin = 0;
    // A path merged before has every edge and every successor-after-predecessor of its nodes already.
    const knownPath = matched !== undefined && joined.length === 0 && this.isKnownPath(matched, kernels.length);
    for (let op = 0; op < kernels.length; op++) {
      const kernel = kernels[op];
      let id = matched?.[op];
      // Matched while co-executing as a successor of the node before it: that edge is known.
      let knownEdge = id !== undefined;
      if (joined[nextJoin] === op) {
        knownEdge = false;
        nextJoin++;
      }
      const key = id === undefined ? this.keyOf(kernel, nodeOfOp) : '';
      if (id === undefined) id = this.byKey.get(key);
      if (id === undefined) {
        id = this.nodes.length;
        const inputs = kernel.inputs.map((i) => toNodeInput(i.from, nodeOfOp));
        const attrsKey = this.attrsKey(kernel);
        const site = siteKey(kernel, attrsKey);
        let siblings = this.bySite.get(site);
        if (!siblings) this.bySite.set(site, (siblings = []));
        siblings.push(id);
        const version = ++this.version;
        this.nodes.push({
          id, key, kernel, attrsKey, attrsVary: false, recent: kernel, lifetimes: [], feedValues: [], feedEchoes: [], inputs, siblings, next: new Map(), visits: 0,
          slotInputs: inputs.flatMap((input, i) => (input.kind === 'feed' || input.kind === 'carried' ? [i] : [])),
          nextAfter: new Map(), lastNext: undefined, paths: new Set(), ends: 0, breaks: false, afterRead: false, changed: version,
          sourcesChanged: version, pathsChanged: version, lastNextChanged: version,
        });
        this.byKey.set(key, id);
        newNodes++;
      }
      const node = this.nodes[id];
      // A call that threw runs on the host from then on, where it throws at the call as eagerly.
      if ((kernel.path === 'cpu' || kernel.path === 'threw') && !node.breaks) {
        node.breaks = true;
        this.changedSources(node);
      }
      // A node first met in a call that threw has no outputs: the first call that did not stands for it.
      if (node.kernel.path === 'threw' && kernel.path !== 'threw') node.kernel = kernel;
      // Run-ahead plans take a node's attrs from its calls: once they change, plans stop before it.
      if (!node.attrsVary && node.attrsKey !== node.kernel.attrs && kernel.attrs !== node.recent.attrs) {
        node.attrsVary = true;
        this.changedSources(node);
      }
      // A node met several times in one trace (an op on a scalar repeated by layers) moves its inputs between
      // those calls; plans read only the last call's, so it is compared once, after the merge.
      if (node.slotInputs.length > 0 && node.recent !== kernel && kept[id] === 0) {
        kept[id] = 1;
        beforeNodes.push(node);
        beforeCalls.push(node.recent);
      }
      node.recent = kernel;
      for (let i = 0; i < kernel.inputs.length; i++) {
        const from = kernel.inputs[i].from;
        if (from.kind === 'feed') this.mergeFeed(node, i, trace, from.feed, echoes);
      }
      for (let o = 0; o < kernel.outputs.length; o++) {
        const lifetime = Math.max(node.lifetimes[o] ?? 0, kernel.lifetimes?.[o] ?? Infinity);
        if (lifetime !== node.lifetimes[o]) this.changedNode(node);
        node.lifetimes[o] = lifetime;
      }
      nodeOfOp.push(id);
      node.visits++;
      const edges = prev === START ? this.starts : this.nodes[prev].next;
      if (!knownEdge && !edges.has(id)) {
        newEdges++;
        if (prev !== START) this.changedNode(this.nodes[prev]);
        // The edge a node had alone was counted by its visits: from now on each one is.
        if (edges.size === 1) {
          const [only] = edges.keys();
          edges.set(only, (prev === START ? this.traces : this.nodes[prev].visits - 1 - this.nodes[prev].ends));
        }
        edges.set(id, 1);
      } else if (edges.size > 1) edges.set(id, edges.get(id)! + 1);
      if (prev !== START) {
        if (!knownPath) this.addNextAfter(this.nodes[prev], beforePrev, id);
        if (lastTaken[prev] === -1) left.push(prev);
        lastTaken[prev] = id;
      }
      beforePrev = prev;
      prev = id;
    }
    if (prev !== START && this.nodes[prev].ends++ === 0) this.changedNode(this.nodes[prev]);
    this.addPath(nodeOfOp);
    for (const from of left) {
      const node = this.nodes[from];
      const id = lastTaken[from];
      // Only a choice between successors depends on which was taken last (see StretchPlan.successor).
      if (node.lastNext !== id && node.next.size > 1) node.lastNextChanged = ++this.version;
      node.lastNext = id;
    }
    for (let k = 0; k < beforeNodes.length; k++) {
      if (movedInputs(beforeCalls[k], beforeNodes[k].recent, beforeNodes[k].slotInputs)) this.slotVersion++;
    }
    for (const fetch of trace.fetches) {
      const node = this.nodes[nodeOfOp[fetch.afterKernel]];
      if (node === undefined || node.afterRead) continue;
      node.afterRead = true;
      this.changedSources(node);
    }
    this.traces++;
    this.quietMerges = newNodes + newEdges === 0 ? this.quietMerges + 1 : 0;
    return { newNodes, newEdges, nodes: nodeOfOp };
  }

  /** What a node learns of a feed it took: whether its value, or its repeating an earlier write, still holds. */
  private mergeFeed(node: GraphNode, i: number, trace: Trace, feed: number, echoes: FeedEchoes): void {
    const knownEcho = node.feedEchoes[i];
    if (knownEcho !== null) {
      const echo = echoes.offset(feed) ?? null;
      const next = knownEcho === undefined || knownEcho === echo ? echo : null;
      if (next !== knownEcho) this.changedSources(node);
      node.feedEchoes[i] = next;
    }
    const known = node.feedValues[i];
    if (known === null) return;
    const values = trace.feeds[feed]?.values;
    // A known value is predictable: an equal one needs no second look at its size or content.
    const next = known === undefined ? (isPredictableNumeric(values) ? values : null)
      : (values !== undefined && sameValues(known as ArrayLike<number>, values as ArrayLike<number>) ? known : null);
    if (next !== known) this.changedSources(node);
    node.feedValues[i] = next;
  }

  /** Whether the `length` kernels were all matched, along a path a trace merged before took (one its nodes record). */
  private isKnownPath(matched: readonly number[], length: number): boolean {
    if (matched.length !== length) return false;
    for (let i = 0; i < length; i++) if (matched[i] === undefined) return false;
    const recording = matched.find((id) => this.nodes[id].paths !== null);
    return recording !== undefined && this.nodes[recording].paths!.has(pathHash(matched));
  }

  /** Records the trace's path at every node it went through. */
  private addPath(nodeOfOp: readonly number[]): void {
    const hash = pathHash(nodeOfOp);
    // A path is added to all its nodes at once: known at one node that still records paths, known at all.
    const recording = nodeOfOp.find((id) => this.nodes[id].paths !== null);
    if (recording === undefined || this.nodes[recording].paths!.has(hash)) return;
    for (const id of nodeOfOp) {
      const node = this.nodes[id];
      if (node.paths === null || node.paths.has(hash)) continue;
      node.paths.add(hash);
      if (node.paths.size > MAX_NODE_PATHS) node.paths = null;
      node.pathsChanged = ++this.version;
    }
  }

  private addNextAfter(node: GraphNode, from: number, to: number): void {
    let after = node.nextAfter.get(from);
    if (!after) node.nextAfter.set(from, (after = new Set()));
    if (after.has(to)) return;
    after.add(to);
    this.changedNode(node);
  }

  /** Something a plan through the node may depend on changed. */
  private changedNode(node: GraphNode): void {
    node.changed = ++this.version;
  }

  /** Whether a plan may go on to the node changed (also by a graph break found at compile). */
  changedSources(node: GraphNode): void {
    node.changed = node.sourcesChanged = ++this.version;
  }

  /** A kernel call's identity, given the nodes of the trace's earlier kernels. */
  private keyOf(kernel: DraftKernel, nodeOfOp: readonly number[]): string {
    return identity(kernel, nodeOfOp, this.attrsKey(kernel));
  }

  /** The node whose identity is the call's, wherever it is in the graph (not only after `prev`: see match). */
  known(kernel: DraftKernel, nodeOfOp: readonly number[]): number | undefined {
    return this.byKey.get(this.keyOf(kernel, nodeOfOp));
  }

  /**
   * The successor of `prev` whose identity is the call's. Compares the call with each successor's
   * recorded kernel field by field: on a known path that costs no string building or hashing.
   */
  match(prev: number, kernel: DraftKernel, nodeOfOp: readonly number[]): number | undefined {
    // The successor the latest trace took is the likely one: tried before the others.
    const likely = prev === START ? undefined : this.nodes[prev].lastNext;
    if (likely !== undefined && this.sameCall(this.nodes[likely], kernel, nodeOfOp)) return likely;
    const edges = prev === START ? this.starts : this.nodes[prev].next;
    if (likely !== undefined && edges.size === 1) return undefined;
    for (const id of edges.keys()) {
      if (id !== likely && this.sameCall(this.nodes[id], kernel, nodeOfOp)) return id;
    }
    return undefined;
  }

  private sameCall(node: GraphNode, call: DraftKernel, nodeOfOp: readonly number[]): boolean {
    return sameCall(node, call, nodeOfOp, this);
  }

  /**
   * Where a call of the same kernel as a node differs from it (for a divergence's report): the first
   * field sameCall finds apart, in words; undefined if it is the node's call.
   */
  difference(node: GraphNode, call: DraftKernel, nodeOfOp: readonly number[]): string | undefined {
    const k = node.kernel;
    if (node.attrsKey !== this.callAttrsKey(call)) return `attrs ${clip(call.attrs)}, expected ${clip(k.attrs)}`;
    if (k.sitePath.length !== call.sitePath.length || k.sitePath.some((s, i) => s !== call.sitePath[i])) {
      return `called from ${call.sitePath.join(' > ') || 'no instrumented site'}, expected from ${k.sitePath.join(' > ') || 'no instrumented site'}`;
    }
    if (k.ordinal !== call.ordinal) return `call ${call.ordinal + 1} of its kind at its site, expected call ${k.ordinal + 1} (a loop ran another number of times)`;
    if (k.inputs.length !== call.inputs.length) return `${call.inputs.length} inputs, expected ${k.inputs.length}`;
    for (let i = 0; i < call.inputs.length; i++) {
      const a = k.inputs[i];
      const b = call.inputs[i];
      if (a.name !== b.name || a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, j) => d !== b.shape[j])) {
        return `input ${b.name} ${b.dtype}[${b.shape.join(',')}], expected ${a.name} ${a.dtype}[${a.shape.join(',')}]`;
      }
      const want = node.inputs[i];
      const from = toNodeInput(b.from, nodeOfOp);
      if (!sameSource(from, want)) return `input ${b.name} from ${describeSource(from, this)}, expected from ${describeSource(want, this)}`;
    }
    return undefined;
  }

  /** The call's attrsKey, computed once per call however many successors match compares it with. */
  callAttrsKey(call: DraftKernel): string {
    if (this.keyedCall !== call) {
      this.keyedCall = call;
      this.keyedCallKey = this.attrsKey(call);
    }
    return this.keyedCallKey;
  }

  /** Traces merged so far. */
  get traceCount(): number {
    return this.traces;
  }

  /** True once the last `quiet` merges added no node and no edge: the policy for starting co-execution. */
  isStable(quiet = 2): boolean {
    return this.quietMerges >= quiet;
  }

  /** Nodes with more than one successor: where JS chose between paths. */
  branchNodes(): GraphNode[] {
    return this.nodes.filter((n) => n.next.size + (n.ends > 0 ? 1 : 0) > 1);
  }
}

/** A path's id: a hash of its node sequence. */
function pathHash(nodes: readonly number[]): number {
  let hash = 0x811c9dc5;
  for (const id of nodes) hash = Math.imul(hash ^ id, 0x01000193) >>> 0;
  return hash;
}

/** Whether a feed index or carried slot of the call (at `slots`, GraphNode.slotInputs) differs from the earlier one's. */
function movedInputs(a: TracedKernel, b: TracedKernel, slots: readonly number[]): boolean {
  for (const i of slots) {
    const x = a.inputs[i]?.from;
    const y = b.inputs[i].from;
    if (x?.kind === 'feed' && y.kind === 'feed' && x.feed !== y.feed) return true;
    if (x?.kind === 'carried' && y.kind === 'carried' && x.slot !== y.slot) return true;
  }
  return false;
}

/** Paths recorded per node; a node on more (every step a path of its own) says nothing of which path a stretch is on. */
const MAX_NODE_PATHS = 32;

/** Feeds up to this many bytes may be predicted by value (a learning rate, a step count). */
const PREDICTABLE_FEED_BYTES = 4096;

/** A fill may be larger (see FILL_BYTES): left unpredicted, each would cut the step's stretch. */
function isPredictableNumeric(v: BackendValues | undefined): v is Float32Array | Int32Array | Uint8Array {
  if (!(v instanceof Float32Array || v instanceof Int32Array || v instanceof Uint8Array)) return false;
  return v.byteLength <= PREDICTABLE_FEED_BYTES || (v.byteLength <= FILL_BYTES && isFill(v));
}

/** Which feeds of a trace repeat the values of an earlier one (small numeric feeds only), found on demand. */
class FeedEchoes {
  /** Small feeds by signature and first value, in write order: the candidates compared in full. */
  private buckets: Map<string, number[]> | undefined;

  constructor(private readonly trace: Trace) {}

  /** How many writes before `feed` the trace first wrote the same dtype, shape and values; undefined if none did. */
  offset(feed: number): number | undefined {
    const f = this.trace.feeds[feed];
    if (!f || !isSmallNumeric(f.values)) return undefined;
    for (const j of this.byHead().get(headKey(f)) ?? []) {
      if (j >= feed) return undefined;
      if (sameValues(this.trace.feeds[j].values as ArrayLike<number>, f.values)) return feed - j;
    }
    return undefined;
  }

  private byHead(): Map<string, number[]> {
    if (this.buckets) return this.buckets;
    this.buckets = new Map();
    for (const f of this.trace.feeds) {
      if (!isSmallNumeric(f.values)) continue;
      const key = headKey(f);
      const bucket = this.buckets.get(key);
      if (bucket) bucket.push(f.index);
      else this.buckets.set(key, [f.index]);
    }
    return this.buckets;
  }
}

function isSmallNumeric(v: BackendValues | undefined): v is Float32Array | Int32Array | Uint8Array {
  return (v instanceof Float32Array || v instanceof Int32Array || v instanceof Uint8Array) && v.byteLength <= PREDICTABLE_FEED_BYTES;
}

/** A feed's dtype, shape and first value: cheap to build, and feeds that differ mostly differ in it. */
function headKey(f: Feed): string {
  const first = (f.values as ArrayLike<number>)[0];
  return `${f.dtype}|${f.shape.join(',')}|${Object.is(first, -0) ? '-0' : String(first)}`;
}


function sameCall(node: GraphNode, call: DraftKernel, nodeOfOp: readonly number[], graph: TraceGraph): boolean {
  const k = node.kernel;
  // Attrs that differ may be data the node's identity leaves out (if it leaves any out): asked only then.
  if (k.kernelName !== call.kernelName || k.ordinal !== call.ordinal ||
    (k.attrs !== call.attrs && (node.attrsKey === k.attrs || node.attrsKey !== graph.callAttrsKey(call))) ||
    k.inputs.length !== call.inputs.length || k.sitePath.length !== call.sitePath.length) return false;
  // The recorder gives a call the predicted node's own path array when it is the same path (callPathSince).
  if (k.sitePath !== call.sitePath) {
    for (let i = k.sitePath.length - 1; i >= 0; i--) if (k.sitePath[i] !== call.sitePath[i]) return false;
  }
  for (let i = 0; i < call.inputs.length; i++) {
    const a = k.inputs[i];
    const b = call.inputs[i];
    if (a.name !== b.name || a.dtype !== b.dtype || a.shape.length !== b.shape.length) return false;
    for (let d = 0; d < a.shape.length; d++) if (a.shape[d] !== b.shape[d]) return false;
    const want = node.inputs[i];
    const from = b.from;
    switch (want.kind) {
      case 'node':
        if (from.kind !== 'op' || nodeOfOp[from.op] !== want.node || from.output !== want.output) return false;
        break;
      case 'variable':
        if (from.kind !== 'variable' || from.name !== want.name) return false;
        break;
      default:
        if (from.kind !== want.kind) return false;
    }
  }
  return true;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function sameSource(a: NodeInput, b: NodeInput): boolean {
  if (a.kind === 'node') return b.kind === 'node' && a.node === b.node && a.output === b.output;
  if (a.kind === 'variable') return b.kind === 'variable' && a.name === b.name;
  return a.kind === b.kind;
}

/** Where an input comes from, in words. */
function describeSource(input: NodeInput, graph: TraceGraph): string {
  switch (input.kind) {
    case 'node': {
      const n = input.node === undefined ? undefined : graph.nodes[input.node];
      return n ? `${n.kernel.kernelName} at ${n.kernel.sitePath.at(-1) ?? 'no instrumented site'}` : 'a kernel not seen before';
    }
    case 'variable': return `variable ${input.name}`;
    case 'feed': return 'a tensor JS wrote';
    case 'carried': return 'a value from before the iteration';
  }
}

function toNodeInput(from: Provenance, nodeOfOp: readonly number[]): NodeInput {
  switch (from.kind) {
    case 'op': return { kind: 'node', node: nodeOfOp[from.op], output: from.output };
    case 'variable': return from;
    case 'feed': return { kind: 'feed' };
    case 'carried': return { kind: 'carried' };
  }
}

/** The call site, kernel and attrs of a call: its identity without its inputs (GraphNode.siblings share it). */
function siteKey(kernel: DraftKernel, attrs: string): string {
  return `${kernel.sitePath.join('\u0001')}\u0002${kernel.ordinal}\u0002${kernel.kernelName}\u0002${attrs}`;
}

/**
 * The identity as a string: computed for every kernel call under co-execution, so built by hand
 * rather than with JSON.stringify. Fields are separated by characters that site ids, kernel names
 * and canonical attrs never contain unescaped in that position.
 */
function identity(kernel: DraftKernel, nodeOfOp: readonly number[], attrs: string): string {
  let key = siteKey(kernel, attrs);
  for (const input of kernel.inputs) {
    const from = input.from;
    key += `\u0002${input.name}:${input.dtype}[${input.shape.join(',')}]`;
    switch (from.kind) {
      case 'op': key += `n${nodeOfOp[from.op]}.${from.output}`; break;
      case 'variable': key += `v${JSON.stringify(from.name)}`; break;
      case 'feed': key += 'f'; break;
      case 'carried': key += 'c'; break;
    }
  }
  return key;
}
