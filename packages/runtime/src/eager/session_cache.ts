import { SessionOptions, SyncSession } from '../ort/sync_session';

/** A bounded least-recently-used cache of compiled single-kernel sessions. */
export class SessionCache<V extends { session: SyncSession }> {
  private readonly entries = new Map<string, V | null>();

  constructor(private readonly capacity: number) {}

  /** undefined: never seen; null: known not to compile (the call takes the cpu path). */
  get(key: string): V | null | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  set(key: string, value: V | null): void {
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const [oldest, v] = this.entries.entries().next().value as [string, V | null];
      this.entries.delete(oldest);
      v?.session.dispose();
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * One thread: a single kernel is too small to gain from ORT's intra-op pool, and every session owns
 * its own pool whose threads spin after each run. With hundreds of cached sessions those spinning
 * threads took the cores from the JS thread and the GraphRunner (bert-cls eager ran 3 to 9x slower).
 */
export const EAGER_SESSION_OPTIONS: SessionOptions = {
  graphOptimizationLevel: 'all',
  interOpNumThreads: 1,
  intraOpNumThreads: 1,
};
