import { KernelFunc, engine } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { CoExecutor, SegmentInfo } from './co_executor';
import type { CoexecCounters } from './counters';
import type { CoexecOptions } from './options';
import type { TraceGraph } from '../trace/trace_graph';
import { StaticLimit, StaticLimitOptions, measureStaticLimit } from './static_limit';

/**
 * The one co-execution session of the process: the terra backend routes kernel calls, writes, reads
 * and disposals through it while it is active.
 */
let active: CoExecutor | null = null;
let eagerFuncs: ReadonlyMap<string, KernelFunc> = new Map();

/** Called once by the backend's registration: how each kernel runs eagerly on terra. */
export function setEagerKernels(funcs: ReadonlyMap<string, KernelFunc>): void {
  eagerFuncs = funcs;
}

export function activeCoexecutor(): CoExecutor | null {
  return active;
}

/**
 * Starts co-execution on the terra backend (selected with tf.setBackend('terra') first). From here
 * on, iterations are traced and, once the TraceGraph is stable, co-executed.
 */
export function start(options: CoexecOptions = {}): void {
  if (active) throw new Error('terra: co-execution is already running');
  const backend = engine().findBackend('terra') as MathBackendCPU | null;
  if (!backend || engine().backendName !== 'terra') {
    throw new Error("terra: co-execution needs the terra backend selected first (await tf.setBackend('terra'))");
  }
  active = new CoExecutor(backend, eagerFuncs, options);
}

/** Stops co-execution; every tensor stays valid (values held by the worker come to the host). */
export async function stop(): Promise<void> {
  const co = active;
  if (!co) return;
  try {
    await co.stop();
  } finally {
    active = null;
  }
}

/** Ends the current iteration explicitly (for loops Terra cannot see: see docs/coexecution.md). */
export function markIteration(): void {
  active?.markIteration();
}

/** What co-execution did so far, or undefined when it is not running. */
export function stats(): CoexecCounters | undefined {
  return active?.stats();
}

/** What co-execution holds (values in the worker, buffers it tracks, compiled segments), or undefined. */
export function footprint(): ReturnType<CoExecutor['footprint']> | undefined {
  return active?.footprint();
}

export function isActive(): boolean {
  return active !== null;
}

/** The segments compiled so far (models, input signatures, run counts), for dumps and benchmarks. */
export function compiledSegments(): SegmentInfo[] {
  return active?.compiledSegments() ?? [];
}

/** The TraceGraph co-execution has merged so far (read it, do not change it), or undefined. */
export function traceGraph(): TraceGraph | undefined {
  return active?.traceGraph;
}

/** The GraphRunner's counters (compile and run time inside the worker), or undefined. */
export function workerStats(): ReturnType<CoExecutor['workerStats']> | undefined {
  return active?.workerStats();
}

/**
 * The static limit (docs/static-limit.md): the recorded iteration's segment runs timed back to back
 * on ORT on this thread. Needs co-execution started with profileIteration; blocks while it measures.
 */
export function staticLimit(options?: StaticLimitOptions): StaticLimit | { error: string } {
  const profile = active?.profile;
  if (!profile) return { error: 'co-execution is not running with profileIteration set' };
  const recorded = profile.result();
  return 'error' in recorded ? recorded : measureStaticLimit(recorded, options);
}
