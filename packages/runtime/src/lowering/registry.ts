import type { KernelLowering } from './types';
import { ELEMENTWISE_LOWERINGS } from './kernels/elementwise';
import { REDUCTION_LOWERINGS } from './kernels/reduction';
import { NN_LOWERINGS } from './kernels/nn';
import { SHAPE_LOWERINGS } from './kernels/shape';

/**
 * Every lowering, in one list. Kernels are grouped by family under kernels/, one file per kernel
 * or small family; each family's index.ts lists its files. Add a kernel by adding a file there.
 */
export const LOWERINGS: readonly KernelLowering[] = [
  ...ELEMENTWISE_LOWERINGS,
  ...REDUCTION_LOWERINGS,
  ...NN_LOWERINGS,
  ...SHAPE_LOWERINGS,
];

const BY_NAME = new Map(LOWERINGS.map((l) => [l.kernelName, l]));
if (BY_NAME.size !== LOWERINGS.length) throw new Error('terra: a kernel is lowered twice');

export function loweringFor(kernelName: string): KernelLowering | undefined {
  return BY_NAME.get(kernelName);
}

/**
 * Kernels that every tfjs backend implements by sharing the input's buffer. They stay views: a copy
 * would change what tf.clone means to the engine (its leak check in customGrad counts on sharing),
 * and in a graph they are their input.
 */
export const VIEW_KERNELS: ReadonlySet<string> = new Set(['Identity']);
