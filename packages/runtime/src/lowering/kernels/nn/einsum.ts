import { requireDtypes } from '../../helpers';
import { KernelLowering, Unsupported } from '../../types';

/**
 * Explicit-output equations without ellipses or repeated letters within a term: the form tfjs's
 * cpu kernel computes as transposes, broadcast products and sums, and ONNX Einsum states directly.
 */
export const EINSUM: KernelLowering = {
  kernelName: 'Einsum',
  lower(g, inputs, call) {
    requireDtypes(call, ['float32', 'int32']);
    const equation = String(call.attrs.equation).replace(/\s/g, '');
    const [lhs, rhs] = equation.split('->');
    if (rhs === undefined || equation.includes('.')) throw new Unsupported('einsum equation form');
    const terms = lhs.split(',');
    // tfjs's kernel refuses more than two operands (by throwing, which the cpu path keeps doing).
    if (inputs.length > 2) throw new Unsupported('einsum of more than two tensors');
    if (terms.length !== inputs.length || [...terms, rhs].some((t) => new Set(t).size !== t.length)) {
      throw new Unsupported('einsum equation form');
    }
    if (terms.some((t, i) => t.length !== inputs[i]!.rank)) throw new Unsupported('einsum rank mismatch');
    // tfjs's contraction path mis-shapes results that sum a letter found in only one of several terms.
    const summedAlone = [...new Set(lhs.replace(/,/g, ''))]
      .some((c) => !rhs.includes(c) && terms.length > 1 && terms.filter((t) => t.includes(c)).length === 1);
    if (summedAlone) throw new Unsupported('einsum sum over a single operand');
    return [g.op('Einsum', inputs.map((x) => x!), { equation }, { dtype: inputs[0]!.dtype, rank: rhs.length })];
  },
};
