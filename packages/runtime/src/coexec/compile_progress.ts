/**
 * What co-execution tells a progress display while it compiles a segment (the CLI draws a bar on a
 * TTY, see packages/cli/src/compile_progress_bar.ts). Every call comes from the JS thread, which is
 * blocked for the whole compile: first while it lowers the kernels to ONNX, then while it waits for
 * ONNX Runtime to create the session in the GraphRunner worker (called every 20 ms then).
 */
export interface CompileProgress {
  /** A segment starts compiling: its number in this run (1-based) and how many kernels it has. */
  begin(segment: { number: number; kernels: number }): void;
  /** Kernels lowered so far (stage 'lowering'), or ONNX Runtime optimizing the graph (stage 'optimizing'). */
  update(stage: 'lowering' | 'optimizing', lowered: number): void;
  /** The compile ended, whatever its outcome; `cached`: it came from the compiled-graph cache. */
  end(cached: boolean): void;
}
