export { start, stop, markIteration, stats, footprint, isActive } from './session';
export type { CoexecOptions, CoexecMode } from './options';
export type { CoexecCounters, Divergence } from './counters';
export type { BoundaryOptions, BoundaryCause } from './boundaries';
