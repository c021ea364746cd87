import type { BackendValues, DataId, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { onOptimizerStep } from './optimizer_steps';
import { TraceRecorder, kernelInputs } from './recorder';
import { VIEW_KERNELS } from '../lowering/registry';
import type { Trace } from './trace';

/**
 * The backend's side of tracing: whether a recorder is active, and whether the backend is inside a
 * kernel (a buffer written there is a kernel's output or intermediate, not a feed from JS).
 */
let active: TraceRecorder | null = null;
let kernelDepth = 0;
let stopBoundaries: (() => void) | null = null;

export interface TracingOptions {
  /** Receives each trace completed at an automatic boundary. */
  onTrace?: (trace: Trace) => void;
  /** End a trace after every optimizer step (default true when onTrace is given). */
  optimizerSteps?: boolean;
}

/** Starts recording; the kernels and JS events from now on form the first trace. */
export function beginTracing(options: TracingOptions = {}): void {
  endTracing();
  const recorder = new TraceRecorder();
  active = recorder;
  const { onTrace } = options;
  if (onTrace && (options.optimizerSteps ?? true)) {
    stopBoundaries = onOptimizerStep(() => onTrace(recorder.cut()));
  }
}

/** An explicit iteration boundary: returns the trace recorded since the last boundary and starts the next. */
export function markIteration(): Trace | undefined {
  return active?.cut();
}

/** Stops recording and returns the last, possibly partial, trace. */
export function endTracing(): Trace | undefined {
  stopBoundaries?.();
  stopBoundaries = null;
  const trace = active?.cut();
  active = null;
  return trace;
}

export function isTracing(): boolean {
  return active !== null;
}

export function noteWrite(dataId: DataId, shape: number[], dtype: TensorInfo['dtype'], values: BackendValues): void {
  if (active && kernelDepth === 0) active.write(dataId, { shape, dtype }, values);
}

export function noteRead(dataId: DataId): void {
  if (active && kernelDepth === 0) active.read(dataId);
}

/** Runs a kernel with the depth marked, and records it once it has returned. */
export function runKernelTraced<T extends TensorInfo | TensorInfo[]>(kernelName: string, inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap | undefined, run: () => T): T {
  kernelDepth++;
  let out: T;
  try {
    out = run();
  } finally {
    kernelDepth--;
  }
  // A view (Identity) returns its input's buffer and computes nothing: the trace keeps the input's origin.
  if (active && kernelDepth === 0 && !VIEW_KERNELS.has(kernelName)) {
    active.kernel(kernelName, kernelInputs(inputs), attrs ?? {}, Array.isArray(out) ? out : [out]);
  }
  return out;
}
