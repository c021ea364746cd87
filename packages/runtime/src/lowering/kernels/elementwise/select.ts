import { KernelLowering, Unsupported } from '../../types';
import { compare, like, where } from './define';

/**
 * Select(condition, t, e). tfjs's where op broadcasts all three to one shape first. A rank-1
 * condition over a higher-rank t is meant to pick rows, but cpu repeats t[i] / e[i] across row i
 * instead; that call stays on cpu so results never differ from it.
 */
export const SELECT: KernelLowering[] = [{
  kernelName: 'Select',
  inputNames: ['condition', 't', 'e'],
  lower(g, [c, t, e]) {
    if (c!.dtype !== 'bool' || t!.dtype !== e!.dtype || c!.rank !== t!.rank || e!.rank !== t!.rank) {
      throw new Unsupported(`Select on ${c!.dtype}[${c!.rank}], ${t!.dtype}[${t!.rank}], ${e!.dtype}[${e!.rank}]`);
    }
    if (t!.dtype !== 'bool') return [where(g, c!, t!, e!)];
    // ORT has no bool Where.
    const notC = g.op('Not', [c!], {}, like(c!));
    return [compare(g, 'Or', compare(g, 'And', c!, t!), compare(g, 'And', notC, e!))];
  },
}];
