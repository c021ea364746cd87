import type { BackendValues } from '@tensorflow/tfjs-core';
import type { HostValue, ValueId } from '../graph_runner/protocol';

/** Reads that neither block nor need the event loop (see GraphRunner.requestRead). */
export interface PollingReader {
  request(id: ValueId): number;
  /** The value once arrived, undefined before; throws if the read failed. */
  poll(seq: number, id: ValueId): HostValue | undefined;
}
import type { BatchOutput, External, PendingBatch } from './pending_batch';
import type { Replayed } from './thrown';

/** A run posted to the worker, as needed to recompute its outputs on the host. */
export interface RunRecord {
  readonly batch: PendingBatch;
  readonly outputs: readonly BatchOutput[];
  readonly outputIds: readonly ValueId[];
}

/** Runs between checkpoints: few enough that replaying them after a worker death is quick. */
export const CHECKPOINT_RUNS = 64;

/**
 * What it takes to rebuild every worker value on the host if the worker dies: a checkpoint (a host
 * copy of the values the worker held at an iteration boundary, read asynchronously, without
 * blocking JS) and the runs posted since. Values then come back by replaying those runs eagerly from
 * the checkpoint. A checkpoint is taken every CHECKPOINT_RUNS runs, so the copy costs a fraction of
 * a state transfer per iteration, and the records kept stay bounded.
 */
export class Lineage {
  private records: RunRecord[] = [];
  private checkpoint = new Map<ValueId, BackendValues>();
  /** The checkpoint being taken: reads asked for, and how many records it covers. */
  private taking: { reads: Array<{ id: ValueId; seq: number }>; got: Map<ValueId, BackendValues>; covered: number } | undefined;

  /** Checkpoints completed so far. */
  checkpoints = 0;

  record(run: RunRecord): void {
    this.records.push(run);
  }

  get size(): number {
    return this.records.length;
  }

  /**
   * At an iteration boundary. Completes the checkpoint being taken if all its reads have arrived
   * (the runs it covers are then dropped; if a read failed, the previous checkpoint stays), or starts
   * one of `resident` (the worker values JS holds) once enough runs accumulated. Never waits: the
   * reads are polled, so a checkpoint completes in synchronous programs too.
   */
  atBoundary(reader: PollingReader, resident: () => ValueId[]): void {
    if (this.taking) {
      this.complete(reader);
      return;
    }
    if (this.records.length < CHECKPOINT_RUNS) return;
    this.taking = { reads: resident().map((id) => ({ id, seq: reader.request(id) })), got: new Map(), covered: this.records.length };
  }

  private complete(reader: PollingReader): void {
    const taking = this.taking!;
    try {
      for (const r of taking.reads) {
        if (taking.got.has(r.id)) continue;
        const v = reader.poll(r.seq, r.id);
        if (!v) return; // not all arrived yet: polled again at the next boundary
        taking.got.set(r.id, v.data);
      }
    } catch {
      this.taking = undefined;
      return;
    }
    this.taking = undefined;
    this.checkpoints++;
    this.checkpoint = taking.got;
    this.records = this.records.slice(taking.covered);
  }

  /**
   * Recomputes every value produced since the checkpoint by replaying the runs in order; returns
   * the host values of every worker value it knows (checkpointed or recomputed; see Thrown).
   */
  rebuild(replay: (run: RunRecord, hostValues: (ext: External) => Replayed) => Replayed[]): Map<ValueId, Replayed> {
    const values = new Map<ValueId, Replayed>(this.checkpoint);
    const hostValues = (ext: External): Replayed => {
      if (ext.values != null) return ext.values;
      const v = values.get(ext.worker!);
      if (!v) throw new Error(`terra: internal error: worker value ${ext.worker} is in no checkpoint and no run since`);
      return v;
    };
    for (const run of this.records) {
      const out = replay(run, hostValues);
      run.outputIds.forEach((id, i) => values.set(id, out[i]));
    }
    return values;
  }
}
