export type { Feed, Fetch, Provenance, TensorSig, Trace, TracedKernel } from './trace';
export { TraceRecorder } from './recorder';
export { canonicalAttrs, parseAttrs } from '../lowering/attrs';
export { beginTracing, endTracing, isTracing, markIteration } from './recording';
export type { TracingOptions } from './recording';
export { onOptimizerStep } from './optimizer_steps';
export { START, TraceGraph } from './trace_graph';
export type { GraphNode, MergeResult, NodeInput } from './trace_graph';
