/**
 * Kernel dispatch counts, by path and by kernel. Paths: 'ort', a lowered kernel run on ONNX Runtime;
 * 'cpu', a kernel run by tfjs-backend-cpu's implementation; 'view', a kernel that computes nothing
 * and returns its input's buffer (Identity, as on every tfjs backend).
 */
export type DispatchPath = 'ort' | 'cpu' | 'view';

export interface KernelStats {
  ort: number;
  cpu: number;
  view: number;
}

export interface DispatchStats {
  total: KernelStats;
  byKernel: Record<string, KernelStats>;
  sessions: { created: number; cached: number };
}

const state: DispatchStats = { total: { ort: 0, cpu: 0, view: 0 }, byKernel: {}, sessions: { created: 0, cached: 0 } };

let lastPath: DispatchPath = 'cpu';

/** Inside uncounted(): dispatches are not the program's and are not counted. */
let paused = 0;

/** Runs fn without counting its dispatches and sessions (--check's shadow kernels: see coexec/check). */
export function uncounted<T>(fn: () => T): T {
  paused++;
  try {
    return fn();
  } finally {
    paused--;
  }
}

export function recordDispatch(kernelName: string, path: DispatchPath): void {
  if (paused > 0) return;
  lastPath = path;
  state.total[path]++;
  const k = state.byKernel[kernelName] ?? (state.byKernel[kernelName] = { ort: 0, cpu: 0, view: 0 });
  k[path]++;
}

/** How the most recent kernel dispatch ran. */
export function lastDispatchPath(): DispatchPath {
  return lastPath;
}

export function recordSession(created: boolean): void {
  if (paused > 0) return;
  if (created) state.sessions.created++;
  else state.sessions.cached++;
}

export function stats(): DispatchStats {
  return JSON.parse(JSON.stringify(state)) as DispatchStats;
}

export function resetStats(): void {
  state.total = { ort: 0, cpu: 0, view: 0 };
  state.byKernel = {};
  state.sessions = { created: 0, cached: 0 };
}
