/**
 * onnxruntime-node's binding aborts the whole process (std::terminate on an uncaught Napi::Error)
 * when the thread it runs on is terminated during one of its native calls. Node terminates a worker
 * on worker.terminate() and on every process exit, so the GraphRunner worker passes each native
 * call through this gate, and whoever ends the worker closes the gate first: that waits for the
 * call in progress, if any, and refuses later ones, so the thread is only ever stopped in JS.
 *
 * The gate is one Int32 slot of shared memory. The worker moves it IDLE -> NATIVE -> IDLE around a
 * call; the closer moves it IDLE -> CLOSED, or NATIVE -> CLOSING and waits for the worker to finish
 * the call and set CLOSED. On the main thread (eager kernels) no gate is installed: that thread
 * is never terminated from outside.
 */

const IDLE = 0;
const NATIVE = 1;
const CLOSING = 2;
const CLOSED = 3;

let gate: { signal: Int32Array; slot: number } | undefined;

/** Called once by the worker: every later native call on this thread goes through the gate. */
export function installNativeGate(signal: Int32Array, slot: number): void {
  gate = { signal, slot };
}

export class NativeGateClosed extends Error {
  constructor() {
    super('the GraphRunner worker is stopping: no further ONNX Runtime call is made');
    this.name = 'NativeGateClosed';
  }
}

/** Runs a native ONNX Runtime call; throws NativeGateClosed once the worker is being stopped. */
export function throughGate<T>(call: () => T): T {
  if (!gate) return call();
  const { signal, slot } = gate;
  if (Atomics.compareExchange(signal, slot, IDLE, NATIVE) !== IDLE) throw new NativeGateClosed();
  try {
    return call();
  } finally {
    if (Atomics.compareExchange(signal, slot, NATIVE, IDLE) === CLOSING) {
      Atomics.store(signal, slot, CLOSED);
      Atomics.notify(signal, slot);
    }
  }
}

/**
 * Closes the gate from another thread, blocking until no native call is in progress. Returns false
 * if a call was still running after timeoutMs (a hung session): the caller then stops the thread
 * anyway, because waiting forever is worse than the abort it risks.
 */
export function closeNativeGate(signal: Int32Array, slot: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = Atomics.compareExchange(signal, slot, IDLE, CLOSED);
    if (state === IDLE || state === CLOSED) return true;
    // The call may have ended between the two exchanges: then the loop closes an idle gate.
    if (state === NATIVE) Atomics.compareExchange(signal, slot, NATIVE, CLOSING);
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(signal, slot, CLOSING, left);
  }
}
