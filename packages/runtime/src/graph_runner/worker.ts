/**
 * The GraphRunner worker's entry point: wires the Executor to the ports and the shared signal block.
 * The death signal is installed before anything heavy is loaded, so even a worker whose ONNX Runtime
 * fails to load wakes a main thread blocked in readSync.
 */
import { parentPort, workerData } from 'worker_threads';
import { installNativeGate, throughGate } from '../ort/native_gate';
import { currentOsThreadId } from './liveness';
import type { Reply, Request, WorkerInit } from './protocol';
import { Slot, wake } from './signal';

const init = workerData as WorkerInit;
const signal = new Int32Array(init.signal);
const replyPort = init.replyPort;

let uncaught: string | undefined;
process.on('uncaughtExceptionMonitor', (e) => {
  uncaught = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
});
// Runs on process.exit() in the worker, on an uncaught exception, and on a normal end; not on
// worker.terminate() (that case is covered by the OS thread probe, see liveness.ts).
process.on('exit', (code) => {
  const reason = uncaught ? `uncaught exception in the worker: ${uncaught}` : `the worker exited with code ${code}`;
  try { replyPort.postMessage({ kind: 'died', reason } satisfies Reply); } catch { /* port already closed */ }
  Atomics.store(signal, Slot.DEAD, 1);
  wake(signal);
});
Atomics.store(signal, Slot.TID, currentOsThreadId());
installNativeGate(signal, Slot.NATIVE_GATE);

// Loading onnxruntime-node's addon is native work too: a runner stopped while its worker still starts
// waits for it (a gate already closed makes the worker end here, with an uncaught NativeGateClosed).
const executor = throughGate(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Executor } = require('./executor') as typeof import('./executor');
  return new Executor(init.sessionOptions, init.cache);
});

/** Replies of the message being handled, posted once it is counted done. */
const outgoing: Reply[] = [];

function handle(req: Request): void {
  if (req.op === 'crash') {
    if (req.how === 'fail-next-run') executor.failNextRun();
    else if (req.how === 'hold') {
      while (Atomics.load(signal, Slot.HOLD) === 1) Atomics.wait(signal, Slot.HOLD, 1);
    } else crash(req.how);
    return;
  }
  if (req.op === 'batch') {
    for (const r of req.requests) handle(r);
    return;
  }
  const failedBefore = executor.failedRuns;
  const reply = executor.handle(req);
  if (req.op === 'run') {
    // The failure count first: whoever sees a run done also sees whether it failed.
    if (executor.failedRuns !== failedBefore) Atomics.add(signal, Slot.RUNS_FAILED, 1);
    Atomics.add(signal, Slot.RUNS_DONE, 1);
  }
  if (reply) outgoing.push(reply);
  outgoing.push(...executor.takeReplies());
}

function postReplies(): void {
  for (const reply of outgoing.splice(0)) {
    replyPort.postMessage(reply);
    wake(signal);
  }
}

parentPort!.on('message', (req: Request) => {
  handle(req);
  // One message, one count: pending() compares it with the messages posted. Counted before the replies
  // go, so that whoever takes a reply sees its request done.
  Atomics.add(signal, Slot.DONE, 1);
  postReplies();
  whenIdle();
});

let idleScheduled = false;

/** Deferred sessions are created one at a time, each after the messages that arrived meanwhile. */
function whenIdle(): void {
  if (idleScheduled || !executor.hasDeferred) return;
  idleScheduled = true;
  setImmediate(() => {
    idleScheduled = false;
    // A message posted and not yet handled goes first; its handler calls this again.
    if (Atomics.load(signal, Slot.DONE) < Atomics.load(signal, Slot.POSTED)) return;
    executor.workWhileIdle();
    outgoing.push(...executor.takeReplies());
    postReplies();
    whenIdle();
  });
}

/** Test-only: the two ways a worker can die by itself. */
function crash(how: 'exit' | 'throw'): never {
  if (how === 'exit') process.exit(7);
  throw new Error('GraphRunner test crash');
}
