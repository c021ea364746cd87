export { start, stop, markIteration, stats, footprint, isActive, compiledSegments, workerStats, traceGraph, staticLimit } from './session';
export type { StaticLimit, StaticLimitOptions } from './static_limit';
export type { SegmentInfo } from './co_executor';
export type { CoexecOptions, CoexecMode, SegmentOptimization } from './options';
export type { CoexecCounters, Divergence } from './counters';
export type { BoundaryOptions, BoundaryCause } from './boundaries';
export type { CompileProgress } from './compile_progress';
export type { CacheCounters, CompileTimings } from './segment_compiler';
export { DEFAULT_CACHE_MAX_BYTES } from '../cache/disk_cache';
