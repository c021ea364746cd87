import type { DataType } from '@tensorflow/tfjs-core';
import type { HostData, ValueId } from '../graph_runner/protocol';
import { FILL_BYTES, isFill, sameValues } from '../trace/same_values';

/**
 * Small host values (a learning rate, an optimizer's beta, the scalars tfjs makes of a number operand)
 * are uploaded to the worker once per distinct content and shared, instead of once per tensor: the
 * worker's copy is never modified, and comparing the content is the guard that it did not change. A
 * small value is shared from the second time its content is uploaded: one that changes every time (a
 * step counter, a decaying learning rate) is never held twice, so the shared ones are the values that
 * recur, however many of them a program has. So are larger values of one element repeated (the ones a
 * gradient starts from, as large as the activation): known by their signature and that element,
 * without a host copy, and shared at once.
 */
const SHARED_CONSTANT_BYTES = 4096;
const MAX_SHARED = 4096;
/** Small values uploaded once and remembered in case they come again (the oldest forgotten first). */
const MAX_SEEN_ONCE = 1024;
const SEEN_PER_KEY = 4;
/** What the shared fills may hold in the worker together (they stay there until the run ends). */
const MAX_FILL_BYTES = 64 << 20;

export class SharedConstants {
  /** Shared small values, by signature and a hash of their bytes. */
  private readonly small = new Map<string, Array<{ values: HostData; id: ValueId }>>();
  /** Copies of small values uploaded once, by the same key. */
  private readonly seenOnce = new Map<string, HostData[]>();
  private readonly fills = new Map<string, ValueId>();
  private lastHash: { values: HostData; hash: string } | undefined;
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
    return this.small.get(this.keyOf(dtype, shape, values))?.find((c) => sameValues(c.values, values))?.id;
  }

  /**
   * Shares a value just uploaded under `id` (one find() did not know); false if it is not shared (it
   * then belongs to its tensor): a small value the first time its content comes, or past the bounds.
   */
  add(kind: 'small' | 'fill', dtype: DataType, shape: readonly number[], values: HostData, id: ValueId): boolean {
    if (this.count >= MAX_SHARED) return false;
    if (kind === 'fill') {
      if (this.fillBytes + values.byteLength > MAX_FILL_BYTES) return false;
      this.fills.set(fillKey(dtype, shape, values), id);
      this.fillBytes += values.byteLength;
      this.count++;
      return true;
    }
    const key = this.keyOf(dtype, shape, values);
    const seen = this.seenOnce.get(key);
    const at = seen ? seen.findIndex((v) => sameValues(v, values)) : -1;
    if (at < 0) {
      this.remember(key, values.slice());
      return false;
    }
    const [copy] = seen!.splice(at, 1);
    if (seen!.length === 0) this.seenOnce.delete(key);
    const known = this.small.get(key) ?? [];
    known.push({ values: copy, id });
    this.small.set(key, known);
    this.count++;
    return true;
  }

  /** The small key; the contents' hash is computed once for the find() and add() of one upload. */
  private keyOf(dtype: DataType, shape: readonly number[], values: HostData): string {
    if (this.lastHash?.values !== values) this.lastHash = { values, hash: contentHash(values) };
    return `${signature(dtype, shape)}#${this.lastHash.hash}`;
  }

  private remember(key: string, values: HostData): void {
    const seen = this.seenOnce.get(key);
    if (seen) {
      // Contents whose hashes collide: a few are kept, the oldest forgotten.
      if (seen.push(values) > SEEN_PER_KEY) seen.shift();
      return;
    }
    if (this.seenOnce.size >= MAX_SEEN_ONCE) this.seenOnce.delete(this.seenOnce.keys().next().value!);
    this.seenOnce.set(key, [values]);
  }
}

function signature(dtype: DataType, shape: readonly number[]): string {
  return `${dtype}[${shape.join(',')}]`;
}

/** An FNV-1a hash of the contents, by 32-bit words where it can (equal contents, equal hashes; -0 is not 0). */
function contentHash(values: HostData): string {
  let h = 0x811c9dc5;
  if (values.byteOffset % 4 === 0 && values.byteLength % 4 === 0) {
    const words = new Int32Array(values.buffer, values.byteOffset, values.byteLength / 4);
    for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  } else {
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/** A fill's signature and element (-0 apart from 0; every NaN one key, as sameValues takes any NaN for any other). */
function fillKey(dtype: DataType, shape: readonly number[], values: HostData): string {
  const first = values[0];
  return `${signature(dtype, shape)}=${Object.is(first, -0) ? '-0' : String(first)}`;
}
