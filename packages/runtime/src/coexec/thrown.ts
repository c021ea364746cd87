import type { BackendValues } from '@tensorflow/tfjs-core';

/**
 * What a value is when the kernel that makes it threw on the host (an index out of range: ORT's
 * segment failed on it, and its replay gave tfjs's own error). It stands for every value computed
 * from it too: the program gets the error where it uses one of them.
 */
export class Thrown {
  /** `node`: the kernel's TraceGraph node (its position in the recorded iteration in static mode). */
  constructor(readonly error: unknown, readonly kernelName: string, readonly node: number) {}
}

/** A value a replay gives: the values, or the error of the kernel it depends on. */
export type Replayed = BackendValues | Thrown;
