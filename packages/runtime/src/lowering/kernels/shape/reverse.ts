import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { normAxes } from '../../helpers';
import type { KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { BIG, identity, slice } from './common';

function reverse(g: GraphBuilder, x: Sym, axes: number[]): Sym {
  if (axes.length === 0) return identity(g, x);
  return slice(g, x, axes.map(() => -1), axes.map(() => -BIG), axes, axes.map(() => -1));
}

export const REVERSE: KernelLowering = {
  kernelName: 'Reverse',
  inputNames: ['x'],
  lower(g, [x], call) {
    const rank = x!.rank;
    const dims = call.attrs.dims as number | number[] | null | undefined;
    // No axis (tf.reverse(x)) reverses every one, as tfjs's parseAxisParam reads it.
    const list = dims == null ? Array.from({ length: rank }, (_, i) => i) : Array.isArray(dims) ? dims : [dims];
    if (list.some((d) => !Number.isInteger(d))) throw new Unsupported('non-integer axis');
    if (rank === 0) return [identity(g, x!)];
    if (list.some((d) => d < -rank || d >= rank)) throw new Unsupported('axis out of range');
    return [reverse(g, x!, normAxes(list, rank))];
  },
};

export const FLIP_LEFT_RIGHT: KernelLowering = {
  kernelName: 'FlipLeftRight',
  inputNames: ['image'],
  lower(g, [x]) {
    if (x!.rank !== 4) throw new Unsupported('image rank');
    return [reverse(g, x!, [2])];
  },
};
