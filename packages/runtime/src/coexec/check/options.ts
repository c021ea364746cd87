import type { DataType } from '@tensorflow/tfjs-core';
import { DEFAULT_TOLERANCE, Difference, Tolerance } from './compare';

/** `coexecution.start({ check })`: shadow every co-executed iteration eagerly and compare (docs/check.md). */
export interface CheckOptions {
  /** Relative tolerance for float32 values (default 1e-3). */
  rtol?: number;
  /** Absolute tolerance for float32 values (default 1e-4). */
  atol?: number;
  /**
   * TEST-ONLY: perturb an output of this segment run (1-based), to see a mismatch caught. Default: the
   * environment variable TERRA_CHECK_PERTURB_RUN (`<run>` or `<run>:<output>`), else none.
   */
  perturbRunForTests?: number;
  /** TEST-ONLY: which output of that run (0-based; default 0, the first). */
  perturbOutputForTests?: number;
}

/** The first mismatch: where, which kernel produced the value, and by how much it is off. */
export interface CheckMismatch extends Difference {
  /** 1-based iteration number. */
  readonly iteration: number;
  /** Which value: read by JS (and where), or held at the iteration's end (a variable, by name). */
  readonly what: string;
  /** The kernel that produced the value, the call site that issued it, and its position in the iteration. */
  readonly kernel: string;
  readonly site: string;
  /** -1 for a value from before the iteration (then kernel and site are empty). */
  readonly index: number;
  readonly dtype: DataType;
  readonly shape: readonly number[];
  /** An earlier value of the iteration, still held, that differs too: nearer the kernel that went wrong. */
  readonly cause?: { readonly kernel: string; readonly site: string; readonly index: number; readonly maxAbs: number; readonly element: number };
}

/** What --check did (in coexecution.stats().check and --stats). */
export interface CheckCounters {
  /** Values compared with their shadow: reads, and tensors held at iterations' ends. */
  values: number;
  mismatches: number;
  /** Kernels run in the shadow. */
  kernels: number;
  /** Kernels whose shadow could not be computed (an input neither shadowed nor available): not checked. */
  unknown: number;
  first?: CheckMismatch;
}

export interface ResolvedCheckOptions {
  readonly tolerance: Tolerance;
  /** The segment run, and its output, to perturb (test-only). */
  readonly perturb: { readonly run: number; readonly output: number } | undefined;
}

export function resolveCheckOptions(options: CheckOptions): ResolvedCheckOptions {
  const [envRun, envOutput] = (process.env.TERRA_CHECK_PERTURB_RUN ?? '').split(':').map((s) => (s ? Number(s) : undefined));
  const run = options.perturbRunForTests ?? envRun;
  const output = options.perturbOutputForTests ?? envOutput ?? 0;
  const valid = run !== undefined && Number.isInteger(run) && run > 0 && Number.isInteger(output) && output >= 0;
  return {
    tolerance: { rtol: options.rtol ?? DEFAULT_TOLERANCE.rtol, atol: options.atol ?? DEFAULT_TOLERANCE.atol },
    perturb: valid ? { run: run!, output } : undefined,
  };
}
