/**
 * The progress bar `terra run` draws on stderr while a segment compiles (docs/cli.md), with cli-progress.
 * Only on a TTY, and only once a compile has taken longer than a delay (300 ms by default): short
 * compiles, cache hits and piped output never see it. It clears itself when the compile ends or JS goes on.
 *
 * It is drawn only while the JS thread is blocked by a compile (it lowers the kernels, or waits in
 * Atomics.wait for a value behind the worker's session), so no timer of cli-progress can fire: every redraw is a
 * synchronous update from co-execution's CompileProgress calls, which come at least every 20 ms while
 * it waits. A TTY's stream writes synchronously on Linux and macOS, so what is drawn shows at once.
 */
import { SingleBar } from 'cli-progress';
import type { coexecution } from '@terrajs/runtime';

type CompileProgress = coexecution.CompileProgress;

export const DEFAULT_PROGRESS_DELAY_MS = 300;

/** The part of a stream the bar needs (process.stderr, or a stand-in in tests). */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

const STAGES = { lowering: 'lowering to ONNX', optimizing: 'ONNX Runtime optimizing' } as const;

export class CompileProgressBar implements CompileProgress {
  private bar: SingleBar | undefined;
  private started = 0;
  private segment = { number: 0, kernels: 0 };
  private stage: keyof typeof STAGES = 'lowering';

  constructor(private readonly stream: ProgressStream, private readonly delayMs = DEFAULT_PROGRESS_DELAY_MS,
    private readonly now: () => number = () => performance.now()) {}

  begin(segment: { number: number; kernels: number }): void {
    this.segment = segment;
    this.started = this.now();
    this.stage = 'lowering';
  }

  update(stage: 'lowering' | 'optimizing', lowered: number): void {
    this.stage = stage;
    if (!this.bar) {
      if (!this.stream.isTTY || this.now() - this.started < this.delayMs) return;
      this.bar = new SingleBar({
        stream: this.stream,
        format: `terra: compiling segment {segment} [{bar}] {value}/{total} kernels, {stage} {elapsed}s`,
        barsize: 24,
        clearOnComplete: true,
        // Ctrl-C during a compile kills the process at once (no JS runs while the thread is blocked in
        // Atomics.wait, so no handler could restore a hidden cursor), and the default kill must stay.
        hideCursor: false,
        gracefulExit: false,
        // Redraw on every update that comes 2 x 40 ms after the last one: updates are the only clock.
        fps: 25,
      });
      this.bar.start(this.segment.kernels, lowered, this.payload());
      return;
    }
    this.bar.update(lowered, this.payload());
  }

  end(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private payload(): Record<string, string | number> {
    return { segment: this.segment.number, stage: STAGES[this.stage], elapsed: ((this.now() - this.started) / 1000).toFixed(1) };
  }
}

/** The bar for this run, or none (`--no-progress`, TERRA_PROGRESS=0); TERRA_PROGRESS_DELAY_MS moves the delay. */
export function progressCoexecOptions(progress: 'auto' | 'never', env: NodeJS.ProcessEnv = process.env): { compileProgress?: CompileProgress } {
  if (progress === 'never' || !process.stderr.isTTY) return {};
  const delay = Number(env.TERRA_PROGRESS_DELAY_MS);
  return { compileProgress: new CompileProgressBar(process.stderr, Number.isFinite(delay) && delay >= 0 ? delay : DEFAULT_PROGRESS_DELAY_MS) };
}
