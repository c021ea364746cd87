import type { KernelLowering } from '../../types';
import { ACTIVATIONS } from './activations';
import { BINARY_ARITH } from './binary_arith';
import { CAST } from './cast';
import { COMPARE } from './compare';
import { SELECT } from './select';
import { UNARY_ARITH } from './unary_arith';
import { UNARY_MATH } from './unary_math';

export const ELEMENTWISE_LOWERINGS: KernelLowering[] = [
  ...UNARY_MATH,
  ...UNARY_ARITH,
  ...ACTIVATIONS,
  ...CAST,
  ...BINARY_ARITH,
  ...COMPARE,
  ...SELECT,
];
