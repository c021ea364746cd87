import { subscribe } from '../hooks';
import { onOptimizerStep } from '../trace/optimizer_steps';

/** What ended an iteration. */
export type BoundaryCause = 'optimizer step' | 'loop' | 'marker';

export interface BoundaryOptions {
  /** Every completed optimizer step ends an iteration (default true). */
  optimizerSteps?: boolean;
  /** Iterations of an instrumented loop end iterations (default true); see IterationBoundaries. */
  loops?: boolean;
}

/**
 * Finds iteration boundaries with no annotation (DESIGN.md, "Boundaries"):
 * - optimizer steps, which end every training iteration, tfjs-layers' fit included. Once the program
 *   has taken one, loops are ignored: a training loop's iteration and its step are the same boundary.
 * - otherwise, iterations of one instrumented loop: the first loop seen to start an iteration after
 *   kernels ran in its previous one (the innermost loop that issues kernels). Kernels before its
 *   first iteration and after its last belong to the adjoining iterations, as another path.
 * The explicit marker (coexecution.markIteration()) is the escape hatch for anything else.
 */
export class IterationBoundaries {
  private readonly stops: Array<() => void> = [];
  private boundaryLoop: string | undefined;
  private sawOptimizerStep = false;
  private readonly kernelsAtIteration = new Map<string, number>();

  constructor(private readonly kernelsIssued: () => number, private readonly onBoundary: (cause: BoundaryCause) => void) {}

  start(options: BoundaryOptions = {}): void {
    if (options.optimizerSteps ?? true) {
      this.stops.push(onOptimizerStep(() => {
        this.sawOptimizerStep = true;
        this.onBoundary('optimizer step');
      }));
    }
    if (options.loops ?? true) this.stops.push(subscribe({ iteration: (loopId) => this.loopIteration(loopId) }));
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s();
  }

  /** The loop whose iterations are boundaries, once chosen. */
  get loop(): string | undefined {
    return this.sawOptimizerStep ? undefined : this.boundaryLoop;
  }

  private loopIteration(loopId: string): void {
    if (this.sawOptimizerStep) return;
    if (this.boundaryLoop === undefined) {
      const issued = this.kernelsIssued();
      const before = this.kernelsAtIteration.get(loopId);
      this.kernelsAtIteration.set(loopId, issued);
      if (before === undefined || before === issued) return;
      this.boundaryLoop = loopId;
      this.kernelsAtIteration.clear();
    }
    if (loopId === this.boundaryLoop) this.onBoundary('loop');
  }
}
