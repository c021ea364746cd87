import type { KernelLowering } from '../../types';
import { BATCH_TO_SPACE_ND, DEPTH_TO_SPACE, SPACE_TO_BATCH_ND } from './space';
import { BROADCAST_ARGS } from './broadcast_args';
import { CONCAT, PACK } from './concat';
import { DIAG } from './diag';
import { FILL, LIN_SPACE, RANGE } from './range';
import { GATHER_ND, GATHER_V2 } from './gather';
import { MIRROR_PAD, PAD_V2 } from './pad';
import { ONE_HOT } from './one_hot';
import { EXPAND_DIMS, RESHAPE } from './reshape';
import { FLIP_LEFT_RIGHT, REVERSE } from './reverse';
import { SCATTER_ND, SPARSE_TO_DENSE, TENSOR_SCATTER_UPDATE } from './scatter';
import { SLICE, STRIDED_SLICE } from './slice';
import { SPLIT_V, UNPACK } from './split';
import { TILE } from './tile';
import { TRANSPOSE } from './transpose';
import { UNSORTED_SEGMENT_SUM } from './segment';
import { SEARCH_SORTED } from './search_sorted';

export const SHAPE_LOWERINGS: KernelLowering[] = [
  RESHAPE, EXPAND_DIMS,
  SLICE, STRIDED_SLICE,
  CONCAT, PACK,
  UNPACK, SPLIT_V,
  TILE,
  PAD_V2, MIRROR_PAD,
  TRANSPOSE,
  REVERSE, FLIP_LEFT_RIGHT,
  GATHER_V2, GATHER_ND,
  SCATTER_ND, TENSOR_SCATTER_UPDATE, SPARSE_TO_DENSE,
  UNSORTED_SEGMENT_SUM,
  ONE_HOT,
  RANGE, LIN_SPACE, FILL,
  DEPTH_TO_SPACE, SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND,
  DIAG,
  BROADCAST_ARGS,
  SEARCH_SORTED,
];
