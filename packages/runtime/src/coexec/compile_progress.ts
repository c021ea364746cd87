/**
 * What co-execution tells a progress display while a compile blocks the JS thread (the CLI draws a bar
 * on a TTY, see packages/cli/src/compile_progress_bar.ts). Every call comes from the JS thread while it
 * is blocked: first while it lowers a segment's kernels to ONNX, then, if JS has to wait for a value
 * while ONNX Runtime is still creating that session in the GraphRunner worker, during that wait
 * (called every 20 ms then). Each blocked stretch is one begin ... end: JS does not wait for a session
 * by itself, and the display is cleared before JS goes on.
 */
export interface CompileProgress {
  /** A segment starts compiling: its number in this run (1-based) and how many kernels it has. */
  begin(segment: { number: number; kernels: number }): void;
  /** Kernels lowered so far (stage 'lowering'), or ONNX Runtime optimizing the graph (stage 'optimizing'). */
  update(stage: 'lowering' | 'optimizing', lowered: number): void;
  /** JS goes on, or the compile ended, whatever its outcome; `cached`: it came from the compiled-graph cache. */
  end(cached: boolean): void;
}
