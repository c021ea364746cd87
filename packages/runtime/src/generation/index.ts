export { buildSegment } from './segment';
export type { Segment, SegmentInput, SegmentOutput } from './segment';
