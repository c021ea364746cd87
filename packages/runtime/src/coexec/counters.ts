import type { BoundaryCause } from './boundaries';
import type { CoexecMode } from './options';
import type { CacheCounters, CompileTimings } from './segment_compiler';
import type { CheckCounters } from './check/options';

/** A kernel call the TraceGraph did not predict. */
export interface Divergence {
  /** 1-based iteration number. */
  iteration: number;
  /** Position of the kernel in its iteration. */
  index: number;
  kernel: string;
  /** The innermost instrumented call site that issued it. */
  site: string;
  /** Kernels the graph expected there (up to three). */
  expected: string[];
  /** Where the call differed from the first expected call of the same kernel, if one was (TraceGraph.difference). */
  differs?: string;
}

/** What co-execution did; every field is counted where it happens. */
export interface CoexecCounters {
  mode: CoexecMode;
  iterations: {
    total: number;
    /** Run eagerly and recorded, before co-execution started. */
    traced: number;
    /** Co-executed from start to end with every kernel validated. */
    coexecuted: number;
    /** Co-executed until a divergence, then eagerly. */
    diverged: number;
    /** Traces dropped unmerged because no boundary came within 100,000 kernels. */
    discarded: number;
    /**
     * Run eagerly and not traced: after many iterations in a row diverged (shapes that never repeat, say),
     * co-execution rests for a while, so that neither the TraceGraph nor the overhead grows with them.
     */
    rested: number;
    byCause: Partial<Record<BoundaryCause, number>>;
  };
  divergenceCount: number;
  /**
   * Calls the TraceGraph did not have as a successor of the call before but knew from another path:
   * co-execution went on from that node (no divergence), and the merge added the edge.
   */
  joins: number;
  /** The first 100 divergences. */
  divergences: Divergence[];
  kernels: {
    /**
     * Validated and run inside a segment (counted when the segment is dispatched or claimed); a batch
     * none of whose values is still held by anyone is not run at all, and its kernels count here too.
     */
    delegated: number;
    /** Validated, then run eagerly because their segment could not be compiled. */
    replayed: number;
    /**
     * Validated, then run in the GraphRunner kernel by kernel while their segment was being compiled
     * (its first occurrence, as a kernel program: JS does not wait for the compile).
     */
    kernelByKernel: number;
    /** Validated, then run eagerly while their segment was being compiled (firstOccurrence 'host', or a kernel without ORT). */
    whileCompiling: number;
    /** Run on the host (eagerly: tracing, after a divergence, graph breaks, views). */
    eager: number;
    /** Graph breaks during co-execution: predicted kernels that ran on the host between segments. */
    breaks: number;
    /**
     * Kernel calls run ahead in a segment that threw on their values when replayed on the host (the run
     * failed in ORT) and whose values are not checked at the call (KernelLowering.valueCheck): the
     * program got the error at its next use of a value computed from them.
     */
    threw: number;
    /**
     * Kernel calls whose indices co-execution waited for at the call (computed on the worker, in no range
     * known to pass): so that one that throws does so at the call, as eagerly.
     */
    checkWaits: number;
  };
  segments: {
    /** Generated and handed to the workers for a session (counted at once; moved to failed if ORT cannot create it). */
    compiled: number;
    /** Batches that could not be compiled (they run eagerly, replayed). */
    failed: number;
    /** Runs posted, kernel programs' included. */
    runs: number;
    /** First occurrences run as kernel programs while their session was being created, or instead of a compile (`deferred`). */
    kernelPrograms: number;
    /**
     * Batches first seen after the first co-executed iteration, or in a structure's second set of shapes,
     * run as kernel programs without a compile: compiled only if they come again (CoExecutor.segmentFor).
     */
    deferred: number;
    replays: number;
    /** Runs replayed eagerly because a run failed in the worker (no state is lost). */
    recovered: number;
    /** Of compiled: shape-general segments (a batch of one structure in a third set of shapes). */
    general: number;
    /** Batches in shapes not seen before that ran on a shape-general segment instead of a compile of their own. */
    sharedShapes: number;
  };
  /** Run-ahead: stretches dispatched before JS issued their kernels (see coexec/stretch.ts). */
  runAhead: {
    stretches: number;
    /** Kernel calls that claimed a position of a dispatched stretch. */
    kernels: number;
    /** Stretches JS left before their end (a divergence, an exception, another path). */
    abandoned: number;
    /** Stretches whose inside values JS kept and which were recomputed on the host. */
    recomputed: number;
    /** Run-ahead plans built (once per start node and TraceGraph state; kept ones are reused). */
    plans: number;
  };
  /** Why the worker died, if it did (co-execution then went on eagerly, all state rebuilt on the host). */
  workerDied?: string;
  /** Host values sent to the worker (feeds, and values produced on the host). */
  feeds: number;
  /**
   * Compiling segments: generating them on the JS thread, plus the worker creating their sessions
   * (which JS does not wait for, except where it needs a value behind one: that is in waitMs too).
   */
  compileMs: number;
  /** Time the JS thread waited for the workers: values from the GraphRunner, a session at the optimizer. */
  waitMs: number;
  /** compileMs split: generating the ONNX models, and the worker creating their sessions. */
  compile?: CompileTimings;
  /** The compiled-graph cache, when there is one (docs/cache.md). */
  cache?: CacheCounters;
  /** What --check compared, when it is on (see check/shadow_check.ts). */
  check?: CheckCounters;
  graph?: { nodes: number; traces: number; branches: number };
  /** Host checkpoints of the worker's values completed (see lineage.ts). */
  checkpoints?: number;
  boundaryLoop?: string;
}

export function newCounters(): CoexecCounters {
  return {
    mode: 'terra',
    iterations: { total: 0, traced: 0, coexecuted: 0, diverged: 0, discarded: 0, rested: 0, byCause: {} },
    divergenceCount: 0,
    joins: 0,
    divergences: [],
    kernels: { delegated: 0, kernelByKernel: 0, replayed: 0, whileCompiling: 0, eager: 0, breaks: 0, threw: 0, checkWaits: 0 },
    segments: { compiled: 0, failed: 0, runs: 0, kernelPrograms: 0, deferred: 0, replays: 0, recovered: 0, general: 0, sharedShapes: 0 },
    runAhead: { stretches: 0, kernels: 0, abandoned: 0, recomputed: 0, plans: 0 },
    feeds: 0,
    compileMs: 0,
    waitMs: 0,
  };
}
