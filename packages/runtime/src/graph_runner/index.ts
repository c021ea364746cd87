/** The GraphRunner: a worker thread that owns ONNX Runtime sessions and the values between runs. */
export { GraphRunner, defaultIntraOpThreads, defaultSpinning } from './graph_runner';
export type { GraphRunnerOptions, GraphRunnerStats, FeedOptions } from './graph_runner';
export { GraphRunnerDied, GraphValueError } from './errors';
export type { ValueId, GraphDtype, HostData, HostValue, WorkerStats } from './protocol';
