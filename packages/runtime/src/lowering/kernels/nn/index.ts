import type { KernelLowering } from '../../types';

export const NN_LOWERINGS: KernelLowering[] = [
];
