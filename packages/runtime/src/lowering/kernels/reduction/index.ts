import type { KernelLowering } from '../../types';
import { ALL, ANY } from './all_any';
import { ARG_MAX, ARG_MIN } from './arg_min_max';
import { CUMPROD, CUMSUM } from './cumulative';
import { LRN, LRN_GRAD } from './lrn';
import { MAX, MIN } from './min_max';
import { SOFTMAX } from './softmax';
import { MEAN, PROD, SUM } from './sum_prod_mean';
import { TOP_K } from './top_k';

export const REDUCTION_LOWERINGS: KernelLowering[] = [
  SUM, PROD, MEAN, MAX, MIN, ALL, ANY, ARG_MAX, ARG_MIN, SOFTMAX, CUMSUM, CUMPROD, TOP_K, LRN, LRN_GRAD,
];
