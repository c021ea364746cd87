import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import { cast } from '../../helpers';
import type { KernelLowering } from '../../types';
import { BinaryBuild, binaryKernel, compare, op2 } from './define';

const cmp = (op: string): BinaryBuild => (g, a, b) => compare(g, op, a, b);
// ORT's order comparisons have no bool kernels; 0/1 compare the same as uint8.
const cmpBool = (op: string): BinaryBuild => (g, a, b) => compare(g, op, cast(g, a, 'uint8'), cast(g, b, 'uint8'));
const not = (g: GraphBuilder, x: Sym): Sym => g.op('Not', [x], {}, { dtype: 'bool', rank: x.rank });
const notEqual: BinaryBuild = (g, a, b) => not(g, compare(g, 'Equal', a, b));

function comparison(kernelName: string, op: string): KernelLowering {
  return binaryKernel(kernelName, { float32: cmp(op), int32: cmp(op), bool: cmpBool(op) });
}

export const COMPARE: KernelLowering[] = [
  binaryKernel('Equal', { float32: cmp('Equal'), int32: cmp('Equal'), bool: cmp('Equal') }),
  binaryKernel('NotEqual', { float32: notEqual, int32: notEqual, bool: notEqual }),
  comparison('Less', 'Less'),
  comparison('LessEqual', 'LessOrEqual'),
  comparison('Greater', 'Greater'),
  comparison('GreaterEqual', 'GreaterOrEqual'),
  binaryKernel('LogicalAnd', { bool: cmp('And') }),
  binaryKernel('LogicalOr', { bool: cmp('Or') }),
  binaryKernel('BitwiseAnd', { int32: op2('BitwiseAnd') }),
];
