export { start, stop, markIteration, stats, footprint, isActive, compiledSegments, workerStats, staticLimit } from './session';
export type { StaticLimit, StaticLimitOptions } from './static_limit';
export type { SegmentInfo } from './co_executor';
export type { CoexecOptions, CoexecMode } from './options';
export type { CoexecCounters, Divergence } from './counters';
export type { BoundaryOptions, BoundaryCause } from './boundaries';
