/**
 * Detecting a dead worker while the main thread is blocked. A worker that dies by process.exit or an
 * uncaught exception runs its exit hook and sets the DEAD slot itself; but `worker.terminate()`
 * (or a resource-limit kill) stops the thread without running any of its JavaScript, and the
 * Worker's 'exit' event only fires on an event-loop turn the blocked main thread never takes.
 * On Linux the worker publishes its OS thread id, and the main thread checks whether
 * /proc/self/task/<tid> still exists: it disappears as soon as the thread has exited.
 * Elsewhere the probe reports "alive" and only the exit hook and the 'exit' event detect death.
 */
import * as fs from 'fs';

/** The calling thread's OS thread id, or 0 where /proc/thread-self does not exist. */
export function currentOsThreadId(): number {
  try {
    // "<pid>/task/<tid>"
    const parts = fs.readlinkSync('/proc/thread-self').split('/');
    const tid = Number(parts[2]);
    return Number.isInteger(tid) && tid > 0 ? tid : 0;
  } catch {
    return 0;
  }
}

/** False only when the thread is known to have exited; 0 (unknown) counts as alive. */
export function osThreadAlive(tid: number): boolean {
  if (tid === 0) return true;
  return fs.existsSync(`/proc/self/task/${tid}`);
}
