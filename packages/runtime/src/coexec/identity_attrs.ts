import { canonicalAttrs, sharedAttrs } from '../lowering/attrs';
import { loweringFor } from '../lowering/registry';
import type { DraftKernel } from '../trace/trace';

/**
 * The part of a call's attrs that is its TraceGraph identity (GraphNode.attrsKey): none for a kernel with
 * no lowering (it always runs on the host, which takes each call's attrs as given), all but its data attrs
 * where the lowering declares some (KernelLowering.dataAttrs), else all of them.
 */
export function identityAttrs(kernel: DraftKernel): string {
  const lowering = loweringFor(kernel.kernelName);
  if (!lowering) return '';
  if (!lowering.dataAttrs) return kernel.attrs;
  const attrs = sharedAttrs(kernel.attrs);
  const data = lowering.dataAttrs(attrs, kernel.inputs.map((i) => i.shape.length));
  if (data.length === 0) return kernel.attrs;
  const kept = Object.fromEntries(Object.entries(attrs).filter(([name]) => !data.includes(name)));
  // Marked, so that it never equals the whole attrs of another call.
  return `data ${data.join(',')} ${canonicalAttrs(kept)}`;
}
