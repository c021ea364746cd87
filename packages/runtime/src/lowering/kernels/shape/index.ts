import type { KernelLowering } from '../../types';

export const SHAPE_LOWERINGS: KernelLowering[] = [
];
