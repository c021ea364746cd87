import { backend_util } from '@tensorflow/tfjs-core';
import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import type { KernelLowering } from '../../types';
import { Unsupported } from '../../types';
import { BIG, binary, dims, reshapeTo, slice, vec } from './common';

/** Dim i of x (an int64 vector of length 1). */
function dim(g: GraphBuilder, x: Sym, i: number): Sym {
  return dims(g, x, i, i + 1);
}

function scaled(g: GraphBuilder, d: Sym, op: 'Mul' | 'Div', k: number): Sym {
  return k === 1 ? d : binary(g, op, d, g.int64s([k]));
}

export const DEPTH_TO_SPACE: KernelLowering = {
  kernelName: 'DepthToSpace',
  inputNames: ['x'],
  lower(g, [x], call) {
    const bs = call.attrs.blockSize as number;
    // The cpu kernel only has NHWC.
    if (call.attrs.dataFormat !== 'NHWC' || x!.rank !== 4 || !Number.isInteger(bs) || bs < 1) {
      throw new Unsupported('depthToSpace attrs');
    }
    // NHWC depth-to-space is DCR order: [N, H, W, bs, bs, C'] -> [N, H, bs, W, bs, C'].
    const depth = scaled(g, dim(g, x!, 3), 'Div', bs * bs);
    const split = reshapeTo(g, x!, vec(g, [dims(g, x!, 0, 3), [bs, bs], depth]), 6);
    const moved = g.op('Transpose', [split], { perm: [0, 1, 3, 2, 4, 5] }, { dtype: x!.dtype, rank: 6 });
    const out = vec(g, [dim(g, x!, 0), scaled(g, dim(g, x!, 1), 'Mul', bs), scaled(g, dim(g, x!, 2), 'Mul', bs), depth]);
    return [reshapeTo(g, moved, out, 4)];
  },
};

function checkBlocks(blockShape: number[], rank: number): void {
  if (blockShape.length < 1 || blockShape.length >= rank || blockShape.some((b) => !Number.isInteger(b) || b < 1)) {
    throw new Unsupported('blockShape');
  }
}

export const SPACE_TO_BATCH_ND: KernelLowering = {
  kernelName: 'SpaceToBatchND',
  inputNames: ['x'],
  lower(g, [x], call) {
    const blocks = call.attrs.blockShape as number[];
    const paddings = call.attrs.paddings as number[][];
    const rank = x!.rank;
    const m = blocks.length;
    checkBlocks(blocks, rank);
    if (paddings.length !== m || paddings.some((p) => p[0] < 0 || p[1] < 0)) throw new Unsupported('paddings');
    const full = [[0, 0], ...paddings, ...new Array(rank - 1 - m).fill([0, 0])];
    const padded = g.op('Pad', [x!, g.int64s([...full.map((p) => p[0]), ...full.map((p) => p[1])]),
      g.scalar(x!.dtype, 0)], { mode: 'constant' }, { dtype: x!.dtype, rank });
    // [B, P1/b1, b1, ..., PM/bM, bM, rest...] -> blocks first -> [B*prod(b), P1/b1, ..., rest...]
    const spatial = blocks.map((b, i) => scaled(g, dim(g, padded, i + 1), 'Div', b));
    const rest = dims(g, padded, m + 1);
    const split = reshapeTo(g, padded, vec(g, [dim(g, padded, 0), ...spatial.flatMap((s, i) => [s, [blocks[i]]]), rest]),
      rank + m);
    const perm = backend_util.getPermuted(rank + m, m, false);
    const moved = g.op('Transpose', [split], { perm }, { dtype: x!.dtype, rank: rank + m });
    const batch = scaled(g, dim(g, padded, 0), 'Mul', blocks.reduce((a, b) => a * b, 1));
    return [reshapeTo(g, moved, vec(g, [batch, ...spatial, rest]), rank)];
  },
};

export const BATCH_TO_SPACE_ND: KernelLowering = {
  kernelName: 'BatchToSpaceND',
  inputNames: ['x'],
  lower(g, [x], call) {
    const blocks = call.attrs.blockShape as number[];
    const crops = call.attrs.crops as number[][];
    const rank = x!.rank;
    const m = blocks.length;
    checkBlocks(blocks, rank);
    if (crops.length !== m || crops.some((c) => c[0] < 0 || c[1] < 0)) throw new Unsupported('crops');
    // [b1, ..., bM, B/prod(b), S1, ..., rest] -> [B/prod(b), S1, b1, ..., SM, bM, rest] -> merge pairs.
    const batch = scaled(g, dim(g, x!, 0), 'Div', blocks.reduce((a, b) => a * b, 1));
    const split = reshapeTo(g, x!, vec(g, [blocks, batch, dims(g, x!, 1)]), rank + m);
    const perm = backend_util.getPermuted(rank + m, m, true);
    const moved = g.op('Transpose', [split], { perm }, { dtype: x!.dtype, rank: rank + m });
    const spatial = blocks.map((b, i) => scaled(g, dim(g, x!, i + 1), 'Mul', b));
    const merged = reshapeTo(g, moved, vec(g, [batch, ...spatial, dims(g, x!, m + 1)]), rank);
    const axes = blocks.map((_, i) => i + 1);
    if (crops.every((c) => c[0] === 0 && c[1] === 0)) return [merged];
    // The cpu slice rejects crops longer than the axis; reshaping to the computed size makes ORT do so.
    const cropped = slice(g, merged, crops.map((c) => c[0]), crops.map((c) => (c[1] === 0 ? BIG : -c[1])), axes);
    const sizes = spatial.map((s, i) => binary(g, 'Sub', s, g.int64s([crops[i][0] + crops[i][1]])));
    return [reshapeTo(g, cropped, vec(g, [batch, ...sizes, dims(g, x!, m + 1)]), rank)];
  },
};
