import { GraphBuilder, Sym } from '../onnx/graph_builder';
import { isLowerableDtype } from '../onnx/dtypes';
import { cast } from '../lowering/helpers';
import { loweringFor } from '../lowering/registry';
import { sharedAttrs } from '../lowering/attrs';
import { fedAttrs } from '../lowering/shape_key';
import { TensorSpec, Unsupported } from '../lowering/types';
import type { Provenance, TensorSig, Trace } from '../trace/trace';

/**
 * A value the segment takes from outside: a feed, a variable's value or a carried value; in a
 * shape-general segment also a kernel's shape attr (KernelLowering.shapeAttrs), as int32 numbers.
 */
export interface SegmentInput extends TensorSig {
  readonly from: Exclude<Provenance, { kind: 'op' }> | { readonly kind: 'attr'; readonly op: number; readonly attr: string };
}

/** A kernel output the segment returns. */
export interface SegmentOutput extends TensorSig {
  readonly op: number;
  readonly output: number;
}

/** A kernel of the trace that cannot join a segment: it must run on the cpu fallback, between segments. */
export class GraphBreak extends Unsupported {
  constructor(readonly op: number, reason: string) {
    super(reason);
    this.name = 'GraphBreak';
  }
}

export interface Segment {
  readonly model: Uint8Array;
  readonly inputs: readonly SegmentInput[];
  readonly outputs: readonly SegmentOutput[];
}


/**
 * Lowers the kernels of a trace into one ONNX model with the same lowering table eager execution
 * uses. Inputs are the trace's non-op origins, with the shapes the trace saw; outputs are the
 * requested kernel outputs. Everything else is internal to the graph, where ORT can fuse it away.
 * A kernel with no lowering, or one its lowering declines, is a graph break: GraphBreak names it.
 * `lowered` is told how many kernels are done before each one (for a progress display).
 * A `general` segment knows no shapes but those its shape-specialized lowerings need: its inputs have
 * symbolic dims and nothing is folded from the shapes the trace saw, so one session runs every batch
 * of the same structure whatever the sizes (PendingBatch.generalKey).
 */
export function buildSegment(trace: Trace, outputs: ReadonlyArray<{ op: number; output: number }>,
  lowered?: (kernels: number) => void, general = false): Segment {
  const g = new GraphBuilder('segment');
  const inputs: SegmentInput[] = [];
  const inputSyms = new Map<string, Sym>();
  const values: Sym[][] = [];

  const symOf = (from: Provenance, sig: TensorSig): Sym => {
    if (from.kind === 'op') return values[from.op][from.output];
    const key = from.kind === 'variable' ? `v${from.name}` : from.kind === 'feed' ? `f${from.feed}` : `c${from.slot}`;
    let sym = inputSyms.get(key);
    if (!sym) {
      if (!isLowerableDtype(sig.dtype)) throw new Unsupported(`a ${sig.dtype} input`);
      sym = g.input(sig.dtype, sig.shape.length, general ? undefined : sig.shape);
      inputSyms.set(key, sym);
      inputs.push({ from, dtype: sig.dtype, shape: sig.shape });
    }
    return sym;
  };

  for (const kernel of trace.kernels) {
    lowered?.(kernel.index);
    const lowering = loweringFor(kernel.kernelName);
    if (!lowering) throw new GraphBreak(kernel.index, `${kernel.kernelName} has no lowering`);
    const ordered = lowering.inputNames ? lowering.inputNames.map((n) => kernel.inputs.find((i) => i.name === n)) : kernel.inputs;
    const known = !general || lowering.shapeSpecialized;
    const specs: Array<TensorSpec | undefined> = ordered.map((i) => i && { dtype: i.dtype, rank: i.shape.length, shape: known ? i.shape : undefined });
    const attrs = sharedAttrs(kernel.attrs);
    try {
      const syms = ordered.map((i) => i && symOf(i.from, i));
      let attrInputs: Record<string, Sym> | undefined;
      if (general) {
        for (const name of fedAttrs(lowering, attrs)) {
          const dims = attrs[name] as number[];
          const fed = g.input('int32', 1, [dims.length]);
          inputs.push({ from: { kind: 'attr', op: kernel.index, attr: name }, dtype: 'int32', shape: [dims.length] });
          (attrInputs ??= {})[name] = cast(g, fed, 'int64');
        }
      }
      const outputs = lowering.lower(g, syms, { kernelName: kernel.kernelName, inputs: specs, attrs, attrInputs });
      // The trace saw the outputs' shapes: what the next kernels compute from them folds into constants.
      if (!general) outputs.forEach((sym, o) => { if (kernel.outputs[o]) g.knowShape(sym, kernel.outputs[o].shape); });
      values.push(outputs);
    } catch (e) {
      if (e instanceof Unsupported) throw new GraphBreak(kernel.index, `${kernel.kernelName}: ${e.message}`);
      throw e;
    }
  }

  const segmentOutputs = outputs.map(({ op, output }) => {
    const sym = values[op][output];
    const sig = trace.kernels[op].outputs[output];
    if (sym.dtype !== sig.dtype) throw new Error(`terra: segment output ${op}:${output} is ${sym.dtype}, the trace saw ${sig.dtype}`);
    return { op, output, dtype: sig.dtype, shape: sig.shape, sym };
  });
  for (const o of segmentOutputs) g.output(o.sym);
  return {
    model: g.build(),
    inputs,
    outputs: segmentOutputs.map(({ op, output, dtype, shape }) => ({ op, output, dtype, shape })),
  };
}
