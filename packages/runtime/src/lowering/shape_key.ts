import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import type { KernelLowering } from './types';

/**
 * Whether the graph a lowering emits leaves input `index`'s batch dim free (batchAgnosticInputs): only
 * where no dim is zero, since an empty value may be lowered to a constant of its full shape.
 */
export function hasFreeBatch(lowering: KernelLowering, shape: readonly number[], index: number): boolean {
  return (lowering.batchAgnosticInputs?.includes(index) ?? false) && shape.length > 0 && !shape.includes(0);
}

/**
 * What of input `index`'s shape the emitted graph depends on, for a cache key: its rank, or for a
 * shape-specialized lowering its dims, a free batch as `*`. Eager mode's session cache and the key of
 * a shape-general segment both key by it.
 */
export function shapeKey(lowering: KernelLowering, shape: readonly number[], index: number): string {
  if (!lowering.shapeSpecialized) return `${shape.length}`;
  return (hasFreeBatch(lowering, shape, index) ? ['*', ...shape.slice(1)] : shape).join('x');
}

/**
 * The attrs with the numbers of the fed ones left out (each -1 kept in place: which sizes run to the end
 * is structure): what keys a session that is fed them (a shape-general segment, an eager session).
 */
export function withFedDims(attrs: NamedAttrMap, fed: readonly string[]): NamedAttrMap {
  const keyed: NamedAttrMap = { ...attrs };
  for (const name of fed) keyed[name] = (attrs[name] as number[]).map((d) => (d === -1 ? -1 : 'n'));
  return keyed;
}

/** The lowering's shapeAttrs this call gives as lists of numbers: the ones a shape-general segment is fed. */
export function fedAttrs(lowering: KernelLowering, attrs: NamedAttrMap): string[] {
  return (lowering.shapeAttrs ?? []).filter((name) => {
    const v = attrs[name];
    return Array.isArray(v) && v.every((d) => typeof d === 'number');
  });
}
