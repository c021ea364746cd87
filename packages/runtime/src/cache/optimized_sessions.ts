/**
 * ONNX Runtime sessions created through the compiled-graph cache (docs/cache.md). Creating a segment's
 * session with ORT's graph optimizations is most of a compile (measured at level 'all': 140 ms of 220
 * for a 30-layer MLP step); ORT can save the model it optimized (`optimizedModelFilePath`), and loading that
 * with optimizations disabled gives the same graph, so the same results, in about a third of the time.
 * Entries are keyed by the model's bytes, the session options that change the optimized graph, and
 * the ORT build and CPU kind (ortFingerprint).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { threadId } from 'worker_threads';
import { SessionOptions, SyncSession } from '../ort/sync_session';
import { DiskCache, cacheKey } from './disk_cache';
import { ortFingerprint } from './fingerprints';

export const OPTIMIZED_KIND = 'ort';

export interface SessionCounters {
  /** Sessions loaded from a cached optimized model. */
  hits: number;
  /** Sessions optimized by ORT (and then stored). */
  misses: number;
}

export class OptimizedSessions {
  readonly counters: SessionCounters = { hits: 0, misses: 0 };

  constructor(readonly cache: DiskCache, private readonly fingerprint = ortFingerprint()) {}

  /** The key of a model's entry under these options. */
  key(model: Uint8Array, options: SessionOptions): string {
    const matters = JSON.stringify({ level: options.graphOptimizationLevel ?? 'all', eps: options.executionProviders ?? ['cpu'] });
    return cacheKey(this.fingerprint, matters, model);
  }

  /** A session for the model: from the cache if it holds a usable entry, else optimized by ORT and stored. */
  create(model: Uint8Array, options: SessionOptions): { session: SyncSession; cached: boolean } {
    const key = this.key(model, options);
    const optimized = this.cache.get(OPTIMIZED_KIND, key);
    if (optimized) {
      try {
        const session = new SyncSession(optimized, { ...options, graphOptimizationLevel: 'disabled' });
        this.counters.hits++;
        return { session, cached: true };
      } catch {
        // A whole entry ORT cannot load (written by an ORT the fingerprint does not tell apart):
        // optimized again below, and replaced.
      }
    }
    this.counters.misses++;
    const tmp = this.tmpFile(key);
    let session: SyncSession;
    try {
      fs.mkdirSync(this.cache.dir, { recursive: true });
      session = new SyncSession(model, { ...options, optimizedModelFilePath: tmp });
    } catch {
      rm(tmp);
      // The cache directory may be unwritable: ORT fails to save the optimized model. The session
      // itself must not depend on the cache.
      return { session: new SyncSession(model, options), cached: false };
    }
    this.store(key, tmp);
    return { session, cached: false };
  }

  /**
   * The optimized model itself, for a session another worker creates with optimizations off: from the
   * cache if it holds an entry, else optimized by ORT (which throws if it cannot) and stored.
   */
  optimized(model: Uint8Array, options: SessionOptions): { model: Uint8Array; cached: boolean } {
    const key = this.key(model, options);
    const entry = this.cache.get(OPTIMIZED_KIND, key);
    if (entry) {
      this.counters.hits++;
      return { model: entry, cached: true };
    }
    this.counters.misses++;
    let dir = this.cache.dir;
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);
    } catch {
      dir = os.tmpdir(); // an unwritable cache: optimized all the same, not stored
    }
    const optimized = optimizeModel(model, options, dir);
    try {
      this.cache.put(OPTIMIZED_KIND, key, optimized);
    } catch {
      // not stored: the next run optimizes again
    }
    return { model: optimized, cached: false };
  }

  private tmpFile(key: string): string {
    return path.join(this.cache.dir, `.optimizing-${process.pid}-${threadId}-${key.slice(0, 16)}.onnx`);
  }

  private store(key: string, tmp: string): void {
    try {
      this.cache.put(OPTIMIZED_KIND, key, fs.readFileSync(tmp));
    } catch {
      // not stored: the next run optimizes again
    } finally {
      rm(tmp);
    }
  }
}

let optimizations = 0;

/** The model as ORT optimizes it under these session options (written by ORT to a file in `dir`, read back, removed). */
export function optimizeModel(model: Uint8Array, options: SessionOptions, dir: string): Uint8Array {
  const tmp = path.join(dir, `.terra-optimizing-${process.pid}-${threadId}-${++optimizations}.onnx`);
  try {
    new SyncSession(model, { ...options, optimizedModelFilePath: tmp }).dispose();
    return fs.readFileSync(tmp);
  } finally {
    rm(tmp);
  }
}

function rm(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // never written
  }
}
