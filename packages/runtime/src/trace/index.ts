export type { Feed, Fetch, Provenance, TensorSig, Trace, TracedKernel } from './trace';
export { TraceRecorder, canonicalAttrs } from './recorder';
export { beginTracing, endTracing, isTracing, markIteration } from './recording';
