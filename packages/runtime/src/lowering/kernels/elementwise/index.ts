import type { KernelLowering } from '../../types';
import { UNARY_MATH } from './unary_math';

export const ELEMENTWISE_LOWERINGS: KernelLowering[] = [
  ...UNARY_MATH,
];
