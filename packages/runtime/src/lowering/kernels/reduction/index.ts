import type { KernelLowering } from '../../types';

export const REDUCTION_LOWERINGS: KernelLowering[] = [
];
