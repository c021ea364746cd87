import type { DataType } from '@tensorflow/tfjs-core';
import type { HostData, ValueId } from '../graph_runner/protocol';
import { FILL_BYTES, isFill, sameValues } from '../trace/same_values';

/**
 * Small host values (a learning rate, an optimizer's beta) are uploaded to the worker once per
 * distinct content and shared, instead of once per tensor: the worker's copy is never modified, and
 * comparing the content is the guard that it did not change. So are larger values of one element
 * repeated (the ones a gradient starts from, as large as the activation): known by their signature
 * and that element, without a host copy.
 */
const SHARED_CONSTANT_BYTES = 4096;
/** Distinct values shared per signature: a value that changes every time (a step counter) stops being shared. */
const VERSIONS_PER_SIGNATURE = 4;
const MAX_SHARED = 4096;
/** What the shared fills may hold in the worker together (they stay there until the run ends). */
const MAX_FILL_BYTES = 64 << 20;

export class SharedConstants {
  private readonly bySignature = new Map<string, Array<{ values: HostData; id: ValueId }>>();
  private readonly fills = new Map<string, ValueId>();
  private count = 0;
  private fillBytes = 0;

  get size(): number {
    return this.count;
  }

  /**
   * How the value would be shared: 'small', 'fill', or undefined if it is not shareable (large and of
   * several values, or a fill beyond FILL_BYTES).
   */
  static kind(values: HostData): 'small' | 'fill' | undefined {
    if (values.byteLength <= SHARED_CONSTANT_BYTES) return 'small';
    return values.byteLength <= FILL_BYTES && isFill(values) ? 'fill' : undefined;
  }

  find(kind: 'small' | 'fill', dtype: DataType, shape: readonly number[], values: HostData): ValueId | undefined {
    if (kind === 'fill') return this.fills.get(fillKey(dtype, shape, values));
    return this.bySignature.get(signature(dtype, shape))?.find((c) => sameValues(c.values, values))?.id;
  }

  /** Shares a value just uploaded under `id`; false if it cannot be shared (it then belongs to its tensor). */
  add(kind: 'small' | 'fill', dtype: DataType, shape: readonly number[], values: HostData, id: ValueId): boolean {
    if (this.count >= MAX_SHARED) return false;
    if (kind === 'fill') {
      if (this.fillBytes + values.byteLength > MAX_FILL_BYTES) return false;
      this.fills.set(fillKey(dtype, shape, values), id);
      this.fillBytes += values.byteLength;
      this.count++;
      return true;
    }
    const key = signature(dtype, shape);
    const known = this.bySignature.get(key) ?? [];
    if (known.length >= VERSIONS_PER_SIGNATURE) return false;
    known.push({ values: values.slice(), id });
    this.bySignature.set(key, known);
    this.count++;
    return true;
  }
}

function signature(dtype: DataType, shape: readonly number[]): string {
  return `${dtype}[${shape.join(',')}]`;
}

/** A fill's signature and element (-0 apart from 0; every NaN one key, as sameValues takes any NaN for any other). */
function fillKey(dtype: DataType, shape: readonly number[], values: HostData): string {
  const first = values[0];
  return `${signature(dtype, shape)}=${Object.is(first, -0) ? '-0' : String(first)}`;
}
