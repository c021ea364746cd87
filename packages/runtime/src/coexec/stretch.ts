import type { DataId, DataType, TensorInfo } from '@tensorflow/tfjs-core';
import type { ValueId } from '../graph_runner/protocol';
import { VIEW_KERNELS } from '../lowering/registry';
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
  variable(name: string): TensorInfo | undefined;
  feed(index: number): TensorInfo | undefined;
  /**
   * A feed JS has not written yet but wrote with the same small value every time so far: a stand-in
   * buffer holding that value. The claim then checks the value JS actually writes (the guard).
   */
  predictedFeed(node: GraphNode, input: number): TensorInfo | undefined;
  carried(slot: number): TensorInfo | undefined;
  external(info: TensorInfo): External;
}

/** One predicted kernel of the stretch. */
interface Position {
  readonly node: number;
  /** The batch kernel it is (undefined for a view, which computes nothing). */
  readonly op: number | undefined;
  /** For each input, the buffer expected: a placeholder (made inside the stretch) or an external buffer. */
  readonly inputs: readonly DataId[];
  /** Output buffers as the stretch knows them: placeholders (a view's is its input's). */
  readonly outputs: readonly DataId[];
  readonly sigs: readonly TensorSig[];
}

/** What a claimed position gives the kernel call. */
export interface Claim {
  readonly view: boolean;
  readonly outputs: ReadonlyArray<{ readonly placeholder: DataId; readonly worker: ValueId | undefined } & TensorSig>;
}

let placeholderCount = 0;

/**
 * Run-ahead (DESIGN.md, co-execution): the path the TraceGraph predicts from a kernel call on, while
 * it is unique (one successor at every node, no graph break) and every input it takes from outside is
 * known now (a value issued earlier, a variable, a feed already written, the previous iteration's
 * carried value). The stretch is dispatched as one segment before JS issues its kernels; each call
 * that follows claims the next position if it is the predicted node on the predicted buffers, and
 * gets lazy tensors bound to the segment's outputs. Outputs are the values the traces kept alive past
 * the stretch's end (or read); the rest stays inside the graph. A value JS keeps that the prediction
 * left inside (after a divergence, say) is recomputed on the host from the stretch's inputs.
 */
export class Stretch {
  readonly positions: Position[] = [];
  readonly batch = new PendingBatch();
  /** The segment's outputs (placeholders), and the worker ids they go to once dispatched. */
  outputs: BatchOutput[] = [];
  outputIds: ValueId[] = [];
  private readonly workerOf = new Map<DataId, ValueId>();
  /** Placeholder -> the lazy buffer JS got for it. */
  readonly bound = new Map<DataId, DataId>();
  claimed = 0;
  /** Stand-ins for feeds not written when the stretch was dispatched: checked by value at claim. */
  private readonly guards = new Set<DataId>();
  /** Worker ids of the segment's inputs (pinned while the stretch lasts). */
  inputIds: ValueId[] = [];

  private constructor() {}

  /**
   * Builds the stretch that starts with a call just validated at `first`, or undefined if fewer than
   * `minLength` kernels can be predicted.
   */
  static build(ctx: StretchContext, first: number, firstInputs: ReadonlyArray<readonly [string, TensorInfo]>,
    minLength: number, maxLength: number): Stretch | undefined {
    const s = new Stretch();
    const firstNode = ctx.graph.nodes[first];
    s.append(first, firstInputs, firstNode.kernel.outputs, ctx);
    let node = firstNode;
    while (s.positions.length < maxLength) {
      if (node.next.size !== 1 || node.ends > 0) break;
      const nextId = node.next.keys().next().value as number;
      const next = ctx.graph.nodes[nextId];
      const view = VIEW_KERNELS.has(next.kernel.kernelName);
      if (!view && !ctx.canDelegate(next)) break;
      const inputs = s.resolveInputs(next, ctx);
      if (!inputs) break;
      s.append(nextId, inputs, next.kernel.outputs, ctx);
      node = next;
    }
    if (s.batch.size < minLength) return undefined;
    s.chooseOutputs(ctx.graph);
    return s;
  }

  get complete(): boolean {
    return this.claimed === this.positions.length;
  }

  /**
   * Claims the next position if the call is its node on the expected buffers: what JS got for a
   * placeholder, the external buffer, or for a predicted feed a buffer holding the same values.
   */
  claim(node: number, inputs: ReadonlyArray<readonly [string, TensorInfo]>, sameValues: (actual: DataId, standIn: DataId) => boolean): Claim | undefined {
    const p = this.positions[this.claimed];
    if (!p || p.node !== node || p.inputs.length !== inputs.length) return undefined;
    for (let i = 0; i < inputs.length; i++) {
      const expected = this.bound.get(p.inputs[i]) ?? p.inputs[i];
      const actual = inputs[i][1].dataId;
      if (actual === expected) continue;
      if (!this.guards.has(expected) || !sameValues(actual, expected)) return undefined;
      // The feed JS wrote matches the stand-in: later positions expect JS's buffer.
      this.bound.set(expected, actual);
    }
    this.claimed++;
    return {
      view: p.op === undefined,
      outputs: p.outputs.map((placeholder, o) => ({ placeholder, worker: this.workerOf.get(placeholder), ...p.sigs[o] })),
    };
  }

  /** Records the worker ids of the dispatched segment's outputs. */
  dispatched(outputIds: ValueId[]): void {
    this.outputIds = outputIds;
    this.outputs.forEach((o, i) => this.workerOf.set(o.dataId, outputIds[i]));
  }

  /** Segment outputs no claimed call was bound to (to free when the stretch ends). */
  unclaimedOutputIds(): ValueId[] {
    return this.outputs.flatMap((o, i) => (this.bound.has(o.dataId) ? [] : [this.outputIds[i]]));
  }

  /** Every placeholder of the batch's kernels with the lazy buffer bound to it, as batch outputs. */
  boundOutputs(): Array<BatchOutput & { real: DataId }> {
    const out: Array<BatchOutput & { real: DataId }> = [];
    for (const p of this.positions) {
      if (p.op === undefined) continue;
      p.outputs.forEach((placeholder, output) => {
        const real = this.bound.get(placeholder);
        if (real) out.push({ op: p.op!, output, dataId: placeholder, real });
      });
    }
    return out;
  }

  private append(node: number, inputs: ReadonlyArray<readonly [string, TensorInfo]>, sigs: readonly TensorSig[], ctx: StretchContext): void {
    const n = ctx.graph.nodes[node];
    if (VIEW_KERNELS.has(n.kernel.kernelName)) {
      const through = inputs[0][1].dataId;
      this.positions.push({ node, op: undefined, inputs: inputs.map(([, i]) => i.dataId), outputs: [through], sigs });
      return;
    }
    const outputs = sigs.map((sig) => ({ dataId: { id: -(++placeholderCount) }, dtype: sig.dtype, shape: sig.shape }));
    const op = this.batch.size;
    this.batch.add(node, n.kernel.kernelName, n.kernel.attrs, inputs, outputs, (info) => ctx.external(info));
    this.positions.push({ node, op, inputs: inputs.map(([, i]) => i.dataId), outputs: outputs.map((o) => o.dataId), sigs });
  }

  /** The buffers a predicted node will take, or undefined if one is not known now. */
  private resolveInputs(node: GraphNode, ctx: StretchContext): Array<readonly [string, TensorInfo]> | undefined {
    const recent = node.recent;
    const out: Array<readonly [string, TensorInfo]> = [];
    for (let i = 0; i < node.inputs.length; i++) {
      const want = node.inputs[i];
      const sig = recent.inputs[i];
      let info: TensorInfo | undefined;
      switch (want.kind) {
        case 'node': info = this.produced(want.node, want.output, sig) ?? ctx.nodeOutput(want.node, want.output); break;
        case 'variable': info = ctx.variable(want.name); break;
        case 'feed':
          info = sig.from.kind === 'feed' ? ctx.feed(sig.from.feed) : undefined;
          if (!info) {
            info = ctx.predictedFeed(node, i);
            if (info) this.guards.add(info.dataId);
          }
          break;
        case 'carried': info = sig.from.kind === 'carried' ? ctx.carried(sig.from.slot) : undefined; break;
      }
      if (!info || info.dtype !== sig.dtype || !sameShape(info.shape, sig.shape)) return undefined;
      out.push([sig.name, info]);
    }
    return out;
  }

  /** The latest output of `node` inside the stretch, as a buffer the batch knows. */
  private produced(node: number, output: number, sig: { dtype: DataType; shape: readonly number[] }): TensorInfo | undefined {
    for (let k = this.positions.length - 1; k >= 0; k--) {
      const p = this.positions[k];
      if (p.node === node) return { dataId: p.outputs[output], dtype: sig.dtype, shape: [...sig.shape] };
    }
    return undefined;
  }

  /** Outputs: values the traces kept alive past the stretch's last kernel, or read. */
  private chooseOutputs(graph: TraceGraph): void {
    const last = this.positions.length - 1;
    this.positions.forEach((p, k) => {
      if (p.op === undefined) return;
      const lifetimes = graph.nodes[p.node].lifetimes;
      p.outputs.forEach((placeholder, output) => {
        if ((lifetimes[output] ?? Infinity) > last - k) this.outputs.push({ op: p.op!, output, dataId: placeholder });
      });
    });
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
