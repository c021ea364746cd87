import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { cast, requireDtypes } from '../../helpers';
import { KernelCall, KernelLowering, Unsupported } from '../../types';
import { identity } from './reduce_util';

interface ScanAttrs {
  axis: number;
  exclusive: boolean;
  reverse: boolean;
}

/** tfjs-cpu mishandles negative axes and scalars (odd shapes, not errors): those stay on cpu. */
function scanAttrs(call: KernelCall, rank: number): ScanAttrs {
  const axis = call.attrs.axis as number;
  if (!Number.isInteger(axis) || axis < 0 || axis >= rank) throw new Unsupported(`${call.kernelName} axis ${axis} of rank ${rank}`);
  return { axis, exclusive: !!call.attrs.exclusive, reverse: !!call.attrs.reverse };
}

/** ONNX CumSum has tfjs's exclusive/reverse semantics; int32 accumulates with wrap-around, as tfjs's Int32Array. */
export const CUMSUM: KernelLowering = {
  kernelName: 'Cumsum',
  inputNames: ['x'],
  lower(g, [x], call) {
    requireDtypes(call, ['float32', 'int32', 'bool']);
    const { axis, exclusive, reverse } = scanAttrs(call, x!.rank);
    const input = x!.dtype === 'bool' ? cast(g, x!, 'int32') : x!;
    return [g.op('CumSum', [input, g.scalar('int64', axis)], { exclusive: exclusive ? 1 : 0, reverse: reverse ? 1 : 0 },
      { dtype: input.dtype, rank: input.rank })];
  },
};

/** y shifted by `by` along the axis (towards higher indices, or lower when reverse), filled with 1. */
function shifted(g: GraphBuilder, y: Sym, axis: number, n: number, by: number, reverse: boolean): Sym {
  const [start, end, pads] = reverse ? [by, n, [0, by]] : [0, n - by, [by, 0]];
  const kept = g.op('Slice', [y, g.int64s([start]), g.int64s([end]), g.int64s([axis])], {}, { dtype: y.dtype, rank: y.rank });
  return g.op('Pad', [kept, g.int64s(pads), g.scalar(y.dtype, 1), g.int64s([axis])], { mode: 'constant' },
    { dtype: y.dtype, rank: y.rank });
}

/**
 * ONNX has no CumProd, so this is a Hillis-Steele scan (log2(n) shifted multiplies), which needs
 * the axis length and hence concrete shapes. Multiplication order differs from tfjs's sequential
 * loop, so float32 results agree to rounding (and can differ where a partial product overflows);
 * int32 is scanned in int64 and wraps exactly like tfjs whenever tfjs's float64 intermediate
 * products are exact (below 2^53).
 */
export const CUMPROD: KernelLowering = {
  kernelName: 'Cumprod',
  inputNames: ['x'],
  shapeSpecialized: true,
  lower(g, [x], call) {
    requireDtypes(call, ['float32', 'int32', 'bool']);
    const { axis, exclusive, reverse } = scanAttrs(call, x!.rank);
    const n = call.inputs[0]!.shape![axis];
    const outDtype = x!.dtype === 'float32' ? 'float32' : 'int32';
    let y = cast(g, x!, outDtype === 'float32' ? 'float32' : 'int64');
    if (n === 0) return [identity(g, cast(g, y, outDtype))];
    if (exclusive) y = shifted(g, y, axis, n, 1, reverse);
    for (let by = 1; by < n; by *= 2) {
      y = g.op('Mul', [y, shifted(g, y, axis, n, by, reverse)], {}, { dtype: y.dtype, rank: y.rank });
    }
    return [y === x ? identity(g, y) : cast(g, y, outDtype)];
  },
};
