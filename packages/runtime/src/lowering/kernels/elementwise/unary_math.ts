import { unaryOp } from '../../helpers';
import type { KernelLowering } from '../../types';

/** Unary kernels that are a single ONNX op with identical semantics on float32. */
export const UNARY_MATH: KernelLowering[] = [
  unaryOp('Exp', 'Exp'),
  unaryOp('Log', 'Log'),
  unaryOp('Sqrt', 'Sqrt'),
  unaryOp('Tanh', 'Tanh'),
  unaryOp('Sigmoid', 'Sigmoid'),
];
