/**
 * The shared-memory block both threads use to signal progress. The main thread blocks in
 * Atomics.wait on REPLIES; the worker bumps it and notifies after posting every reply, and its exit
 * hook bumps it too so a dying worker wakes the waiter. Everything else is a counter the main thread
 * can read without a message (and so without an event-loop turn).
 */
export const Slot = {
  /** Incremented after each reply is posted (and when the worker dies). */
  REPLIES: 0,
  /** 1 once the worker is dying or dead (set by the worker's own exit hook). */
  DEAD: 1,
  /** The worker's OS thread id (Linux), for a liveness probe that needs no help from the worker. */
  TID: 2,
  /** Requests the worker has finished handling, in order. */
  DONE: 3,
  /** Runs that have finished (successfully or not). */
  RUNS_DONE: 4,
  /** Runs that failed (their outputs hold failures, not values). */
  RUNS_FAILED: 5,
  /** The native-call gate (ort/native_gate.ts): closed before the worker is terminated. */
  NATIVE_GATE: 6,
  /** Messages the main thread has posted (counted before each is posted): more than DONE while one waits. */
  POSTED: 7,
  /** 1 while a test holds the worker (GraphRunner._holdForTests). */
  HOLD: 8,
} as const;

const SLOTS = 9;

export function createSignal(): SharedArrayBuffer {
  return new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
}

/** Bumps REPLIES and wakes the main thread if it is waiting. */
export function wake(signal: Int32Array): void {
  Atomics.add(signal, Slot.REPLIES, 1);
  Atomics.notify(signal, Slot.REPLIES);
}
