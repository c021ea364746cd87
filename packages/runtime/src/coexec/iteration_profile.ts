/**
 * The segment runs of one co-executed iteration, recorded for the static-limit measurement (see
 * static_limit.ts and docs/static-limit.md): which segments ran, in order, and the input values each
 * run received. Off unless CoexecOptions.profileIteration is set: recording reads every input back
 * from the worker, which stalls JS on each run of the recorded iterations.
 */
import type { HostValue, ValueId, WorkerSessionOptions } from '../graph_runner/protocol';
import type { CoexecCounters } from './counters';

export interface ProfiledRun {
  /** The segment's key in the GraphRunner. */
  readonly segment: string;
  readonly model: Uint8Array;
  /** The run's inputs, in the segment's order, as the worker held them when the run was posted. */
  readonly inputs: readonly HostValue[];
}

export interface ProfiledIteration {
  /** 1-based number of the iteration among all iterations of the program. */
  readonly iteration: number;
  readonly runs: readonly ProfiledRun[];
  /** Kernels of the iteration run inside segments, and graph breaks run on the host between them. */
  readonly delegated: number;
  readonly breaks: number;
  /** The options the GraphRunner created its segment sessions with. */
  readonly sessionOptions: WorkerSessionOptions;
}

interface Recording {
  iteration: number;
  runs: ProfiledRun[];
  coexecuted: number;
  delegated: number;
  breaks: number;
}

export class IterationProfile {
  private recording: Recording | undefined;
  private kept: ProfiledIteration | undefined;
  private started = 0;
  private failure: string | undefined;

  /**
   * Records the first `nth` co-executed iterations, keeping the latest that ran whole (the first
   * co-executed iterations still compile segments and build run-ahead plans, so a later one shows
   * the steady-state sequence of runs); if none of them ran whole, goes on until one does.
   */
  constructor(private readonly nth: number, private readonly sessionOptions: WorkerSessionOptions) {}

  /** At each iteration boundary, once the counters count the iteration that ended. */
  boundary(counters: CoexecCounters, nextCoexecuted: boolean): void {
    const r = this.recording;
    this.recording = undefined;
    // Kept only if it ran co-executed to its end (a divergence sends the rest of it to the host).
    if (r && this.failure === undefined && counters.iterations.coexecuted > r.coexecuted) {
      this.kept = {
        iteration: r.iteration,
        runs: r.runs,
        delegated: inGraphRunner(counters) - r.delegated,
        breaks: counters.kernels.breaks - r.breaks,
        sessionOptions: this.sessionOptions,
      };
    }
    if (!nextCoexecuted || (this.started >= this.nth && this.kept) || this.failure !== undefined) return;
    this.started++;
    this.recording = {
      iteration: counters.iterations.total + 1,
      runs: [],
      coexecuted: counters.iterations.coexecuted,
      delegated: inGraphRunner(counters),
      breaks: counters.kernels.breaks,
    };
  }

  /** A run about to be posted: its inputs are read back from the worker now, while they exist. */
  run(segment: string, model: Uint8Array, inputIds: readonly ValueId[], read: (id: ValueId) => HostValue): void {
    const r = this.recording;
    if (!r) return;
    try {
      r.runs.push({ segment, model, inputs: inputIds.map(read) });
    } catch (e) {
      // The run would fail too; co-execution recovers from that, the profile just stops.
      this.failure = `an input of a run of ${segment} could not be read: ${(e as Error).message}`;
      this.recording = undefined;
    }
  }

  /** The latest whole co-executed iteration recorded, or why there is none. */
  result(): ProfiledIteration | { error: string } {
    if (this.kept) return this.kept;
    return {
      error: this.failure ?? (this.started === 0
        ? 'no iteration was co-executed (the program ended while tracing, or every iteration diverged)'
        : 'no co-executed iteration ran to its end without diverging'),
    };
  }
}

/** Kernels run in the GraphRunner: in segments, and kernel by kernel as a segment's first occurrence (recorded as that segment's run). */
function inGraphRunner(counters: CoexecCounters): number {
  return counters.kernels.delegated + counters.kernels.kernelByKernel;
}
