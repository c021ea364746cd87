import { tensorProto } from '../../../onnx/graph_builder';
import { cast } from '../../helpers';
import type { KernelLowering } from '../../types';

const I64 = { dtype: 'int64', rank: 2 } as const;
const BOOL = { dtype: 'bool', rank: 2 } as const;

/**
 * The cpu kernel's binary search itself, unrolled (ceil(log2(S + 1)) steps for S sorted entries per
 * row), rather than a count of smaller entries: the two agree only on sorted rows without NaN, and
 * the binary search's answer on any other row is what tfjs returns. Steps after the search has
 * closed (left == right) change nothing. Entries compare as JS numbers do, here in float64, which
 * holds every float32, int32 and bool exactly. Shape-specialized for S; rows stay symbolic.
 */
export const SEARCH_SORTED: KernelLowering = {
  kernelName: 'SearchSorted',
  inputNames: ['sortedSequence', 'values'],
  shapeSpecialized: true,
  batchAgnosticInputs: [0, 1],
  lower(g, [seq, values], call) {
    const s = call.inputs[0]!.shape![1];
    const side = call.attrs.side as 'left' | 'right';
    const zero = g.op('ConstantOfShape', [g.op('Shape', [values!], {}, { dtype: 'int64', rank: 1 })],
      { value: tensorProto('value', 'int64', [0], [1]) }, I64);
    if (s === 0) return [cast(g, zero, 'int32')];
    const table = cast(g, seq!, 'float64');
    const v = cast(g, values!, 'float64');
    let lo = zero;
    let hi = g.op('Add', [zero, g.scalar('int64', s)], {}, I64);
    const steps = Math.ceil(Math.log2(s + 1));
    for (let i = 0; i < steps; i++) {
      const open = g.op('Less', [lo, hi], {}, BOOL);
      const mid = g.op('Div', [g.op('Add', [lo, hi], {}, I64), g.scalar('int64', 2)], {}, I64);
      const at = g.op('Min', [mid, g.scalar('int64', s - 1)], {}, I64);
      const entry = g.op('GatherElements', [table, at], { axis: 1 }, { dtype: 'float64', rank: 2 });
      const below = g.op(side === 'left' ? 'Less' : 'LessOrEqual', [entry, v], {}, BOOL);
      const goRight = g.op('And', [open, below], {}, BOOL);
      const goLeft = g.op('And', [open, g.op('Not', [below], {}, BOOL)], {}, BOOL);
      lo = g.op('Where', [goRight, g.op('Add', [mid, g.scalar('int64', 1)], {}, I64), lo], {}, I64);
      hi = g.op('Where', [goLeft, mid, hi], {}, I64);
    }
    return [cast(g, hi, 'int32')];
  },
};
