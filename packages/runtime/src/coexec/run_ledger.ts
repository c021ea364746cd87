import type { ValueId } from '../graph_runner/protocol';
import type { BatchOutput, PendingBatch } from './pending_batch';

/** A run posted to the worker and not yet confirmed. */
export interface InFlight {
  readonly batch: PendingBatch;
  readonly outputs: readonly BatchOutput[];
  readonly outputIds: readonly ValueId[];
  readonly inputIds: readonly ValueId[];
  /** The segment's key in the GraphRunner. */
  readonly segment: string;
  /** The run's number: the worker finishes runs in order and counts them (GraphRunner.runsDone()). */
  readonly run: number;
}

/**
 * The worker values co-execution must not free yet, and the runs it has not confirmed. A run's inputs
 * stay pinned until the worker confirms the run, so that a failed run can be replayed eagerly from
 * them; a value tfjs disposes while pinned is freed once the last pin goes.
 */
export class RunLedger {
  private inFlight: InFlight[] = [];
  private runsPosted = 0;
  private failuresSeen = 0;
  private readonly pins = new Map<ValueId, number>();
  private readonly doomed = new Set<ValueId>();

  /** Some run is not confirmed yet. */
  get busy(): boolean {
    return this.inFlight.length > 0;
  }

  /** Records a run just posted; its inputs are pinned until it is confirmed. */
  posted(run: Omit<InFlight, 'run'>): void {
    this.pin(run.inputIds);
    this.inFlight.push({ ...run, run: ++this.runsPosted });
  }

  pin(ids: readonly ValueId[]): void {
    for (const id of ids) this.pins.set(id, (this.pins.get(id) ?? 0) + 1);
  }

  unpin(ids: readonly ValueId[]): void {
    for (const id of ids) {
      const n = this.pins.get(id)! - 1;
      if (n === 0) this.pins.delete(id);
      else this.pins.set(id, n);
    }
  }

  /** tfjs no longer needs the value: it is freed once nothing pins or uses it (see freeable). */
  discard(id: ValueId): void {
    this.doomed.add(id);
  }

  /**
   * The same for one value released by tfjs, which is freed at once if nothing holds it: checking the
   * one value keeps a dispose from sweeping every value still waiting for a pin to go.
   */
  release(id: ValueId, inUse: (id: ValueId) => boolean): boolean {
    if (this.pins.has(id) || inUse(id)) {
      this.doomed.add(id);
      return false;
    }
    return true;
  }

  /** The discarded values nothing pins and `inUse` does not claim: the caller frees them now. */
  freeable(inUse: (id: ValueId) => boolean): ValueId[] {
    const free: ValueId[] = [];
    for (const id of this.doomed) {
      if (this.pins.has(id) || inUse(id)) continue;
      this.doomed.delete(id);
      free.push(id);
    }
    return free;
  }

  /**
   * Confirms the runs the worker reports done, given its counters (read `done` before `failed`: the
   * worker bumps the failure count first). Returns false, confirming nothing, if a run failed.
   */
  confirm(done: number, failed: number): boolean {
    if (this.inFlight.length === 0) return true;
    if (failed !== this.failuresSeen) return false;
    let n = 0;
    while (n < this.inFlight.length && this.inFlight[n].run <= done) n++;
    for (const f of this.inFlight.splice(0, n)) this.unpin(f.inputIds);
    return true;
  }

  /** Takes every unconfirmed run, for recovery; failures up to `failed` are then accounted for. */
  takeAll(failed: number): InFlight[] {
    const all = this.inFlight;
    this.inFlight = [];
    this.failuresSeen = failed;
    return all;
  }

  get sizes(): { inFlight: number; pins: number; doomed: number } {
    return { inFlight: this.inFlight.length, pins: this.pins.size, doomed: this.doomed.size };
  }
}
