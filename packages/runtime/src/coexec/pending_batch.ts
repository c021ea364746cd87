import type { BackendValues, DataId, TensorInfo } from '@tensorflow/tfjs-core';
import type { ValueId } from '../graph_runner/protocol';
import { sharedAttrs } from '../lowering/attrs';
import { loweringFor } from '../lowering/registry';
import { fedAttrs, shapeKey, withFedDims } from '../lowering/shape_key';
import type { KernelLowering } from '../lowering/types';
import type { Trace, TracedKernel, TensorSig } from '../trace/trace';

/**
 * A value a batch takes from outside itself, captured when the batch first used it: the worker's
 * copy if there is one, else the host values. Capturing keeps the value usable by the batch even if
 * JS disposes the tensor before the batch is dispatched.
 */
export interface External extends TensorSig {
  readonly dataId: DataId;
  readonly worker?: ValueId;
  readonly values?: BackendValues;
}

/** A kernel output of the batch, by position, with the buffer tfjs knows it by. */
export interface BatchOutput {
  readonly op: number;
  readonly output: number;
  readonly dataId: DataId;
}

/** Where a batch kernel's input comes from: an earlier kernel of the batch, or an external by slot. */
export type InputRef = { readonly kind: 'op'; readonly op: number; readonly output: number } | { readonly kind: 'ext'; readonly slot: number };

export interface BatchKernel {
  readonly node: number;
  readonly kernelName: string;
  readonly attrs: string;
  readonly inputs: ReadonlyArray<{ readonly name: string; readonly ref: InputRef } & TensorSig>;
  readonly outputs: ReadonlyArray<{ readonly dataId: DataId } & TensorSig>;
}

/**
 * The kernels co-execution has validated and not yet dispatched, in order. Their outputs are lazy
 * tensors. At dispatch the batch becomes one segment: its inputs are the externals, its outputs the
 * lazy tensors JS still holds; everything else is internal to the graph, where ORT can fuse it away.
 * The key names the segment's structure (kernels, attrs, wiring, signatures, outputs), so equal
 * batches share one compiled segment wherever in the program they occur.
 */
export class PendingBatch {
  private readonly kernels: BatchKernel[] = [];
  readonly externals: External[] = [];
  private readonly slotOf = new Map<DataId, number>();
  private readonly produced = new Map<DataId, { op: number; output: number }>();
  private readonly keyParts: string[] = [];
  /** The externals' worker ids: `uses` is asked for every value tfjs frees. */
  private workers = new Set<ValueId>();

  get size(): number {
    return this.kernels.length;
  }

  /** The graph node each kernel was validated against, by position. */
  nodeAt(op: number): number {
    return this.kernels[op].node;
  }

  /** Appends a validated kernel; `external` captures an input produced outside the batch. */
  add(node: number, kernelName: string, attrs: string, inputs: ReadonlyArray<readonly [string, TensorInfo]>,
    outputs: ReadonlyArray<{ readonly dataId: DataId } & TensorSig>, external: (info: TensorInfo) => External): void {
    const op = this.kernels.length;
    const refs = inputs.map(([name, info]) => {
      const ref = this.refOf(info, external);
      return { name, ref, dtype: info.dtype, shape: info.shape };
    });
    this.kernels.push({ node, kernelName, attrs, inputs: refs, outputs });
    outputs.forEach((o, output) => this.produced.set(o.dataId, { op, output }));
    this.keyParts.push(kernelName + attrs + refs.map((i) =>
      `${i.name}=${i.ref.kind === 'op' ? `${i.ref.op}.${i.ref.output}` : `x${i.ref.slot}`}:${i.dtype}[${i.shape}]`).join(','));
  }

  /** The same kernels taking other values from outside (a run-ahead plan instantiated for an iteration). */
  withExternals(externals: External[]): PendingBatch {
    const copy = Object.create(PendingBatch.prototype) as PendingBatch;
    Object.assign(copy, this, { externals, workers: workerIds(externals) });
    return copy;
  }

  /** Externals whose worker copy was recomputed on the host (after a failed run) take the host values. */
  rebase(hostValues: (worker: ValueId) => BackendValues | undefined): void {
    this.externals.forEach((ext, slot) => {
      const values = ext.worker === undefined ? undefined : hostValues(ext.worker);
      if (values) this.externals[slot] = { dataId: ext.dataId, dtype: ext.dtype, shape: ext.shape, values };
    });
    this.workers = workerIds(this.externals);
  }

  /** Whether the worker value is an external of this batch (its release must wait for the run). */
  uses(worker: ValueId): boolean {
    return this.workers.has(worker);
  }

  /** The outputs tfjs still holds, given which buffers are alive. */
  liveOutputs(alive: (dataId: DataId) => boolean): BatchOutput[] {
    const live: BatchOutput[] = [];
    this.kernels.forEach((k, op) => k.outputs.forEach((o, output) => {
      if (alive(o.dataId)) live.push({ op, output, dataId: o.dataId });
    }));
    return live;
  }

  key(outputs: readonly BatchOutput[]): string {
    return `${this.keyParts.join(';')}->${outputs.map((o) => `${o.op}.${o.output}`).join(',')}`;
  }

  /**
   * The key of the batch's shape-general segment: key's structure with input shapes reduced to ranks,
   * but for the kernels whose lowering is shape-specialized (their shapes stay, a free batch dim aside,
   * as in eager's session cache). Batches that differ only in shapes (a proposal count, a sequence
   * length) share it. Undefined if a kernel has no lowering or a value has no elements: those stay
   * specialized. Built on demand, since only a batch whose own segment is missing needs it.
   */
  generalKey(outputs: readonly BatchOutput[]): string | undefined {
    const parts: string[] = [];
    for (const k of this.kernels) {
      const lowering = loweringFor(k.kernelName);
      if (!lowering || k.outputs.some((o) => o.shape.includes(0))) return undefined;
      const order = lowering.inputNames ?? k.inputs.map((i) => i.name);
      const inputs: string[] = [];
      for (const i of k.inputs) {
        if (i.shape.includes(0)) return undefined;
        const ref = i.ref.kind === 'op' ? `${i.ref.op}.${i.ref.output}` : `x${i.ref.slot}`;
        inputs.push(`${i.name}=${ref}:${i.dtype}:${shapeKey(lowering, i.shape, order.indexOf(i.name))}`);
      }
      parts.push(k.kernelName + (lowering.shapeAttrs ? dimsAsInput(lowering, k.attrs) : k.attrs) + inputs.join(','));
    }
    return `${parts.join(';')}->${outputs.map((o) => `${o.op}.${o.output}`).join(',')}`;
  }

  /** The batch as a trace for segment generation: externals appear as carried values numbered by slot. */
  toTrace(): Trace {
    const kernels: TracedKernel[] = this.kernels.map((k, index) => ({
      index,
      writes: 0,
      sitePath: [],
      ordinal: 0,
      kernelName: k.kernelName,
      attrs: k.attrs,
      inputs: k.inputs.map((i) => ({
        name: i.name,
        dtype: i.dtype,
        shape: i.shape,
        from: i.ref.kind === 'op' ? { kind: 'op', op: i.ref.op, output: i.ref.output } : { kind: 'carried', slot: i.ref.slot },
      })),
      outputs: k.outputs.map((o) => ({ dtype: o.dtype, shape: o.shape })),
    }));
    return { kernels, feeds: [], fetches: [] };
  }

  /** The kernels, in order (for eager replay, kernel programs and tools). */
  kernelList(): readonly BatchKernel[] {
    return this.kernels;
  }

  private refOf(info: TensorInfo, external: (info: TensorInfo) => External): InputRef {
    const produced = this.produced.get(info.dataId);
    if (produced) return { kind: 'op', ...produced };
    let slot = this.slotOf.get(info.dataId);
    if (slot === undefined) {
      slot = this.externals.length;
      const ext = external(info);
      this.externals.push(ext);
      if (ext.worker !== undefined) this.workers.add(ext.worker);
      this.slotOf.set(info.dataId, slot);
    }
    return { kind: 'ext', slot };
  }
}

function workerIds(externals: readonly External[]): Set<ValueId> {
  const ids = new Set<ValueId>();
  for (const e of externals) if (e.worker !== undefined) ids.add(e.worker);
  return ids;
}

/** Attrs with the fed attrs' numbers left out (a general segment is fed them), each -1 kept in place. */
function dimsAsInput(lowering: KernelLowering, attrs: string): string {
  const parsed = sharedAttrs(attrs);
  return JSON.stringify(withFedDims(parsed, fedAttrs(lowering, parsed)));
}
