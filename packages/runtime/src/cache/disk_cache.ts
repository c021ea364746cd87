/**
 * A directory of cache entries shared by every Terra process that points at it (the compiled-graph
 * cache, see docs/cache.md). Each entry is one file, `<kind>-<key>.bin`: a header (magic, format
 * version, payload length, SHA-256 of the payload) and the payload. What this guarantees:
 * - an entry that is corrupt, truncated or of another format is a miss (and is removed), never an error;
 * - entries are written to a unique temporary file and renamed into place (write-file-atomic), so a
 *   reader sees a whole entry or none, and processes writing the same entry at once are safe (the last
 *   rename wins; both wrote the same content);
 * - the directory stays under a size bound: a hit marks the entry used (its mtime: atime is often not
 *   kept by the file system), and a write that takes the directory over the bound removes the least
 *   recently used entries until it is under 90% of it.
 * No operation throws: a cache that cannot be read or written (permissions, a full disk) only misses.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { sync as writeFileAtomicSync } from 'write-file-atomic';

const MAGIC = Buffer.from('TERRA\0C1');
const FORMAT = 1;
const HEADER_BYTES = MAGIC.length + 4 + 4 + 32;
const ENTRY = /^[a-z]+-[0-9a-f]{64}\.bin$/;

/** The default size bound: compiled segments are small (weights are inputs, not initializers). */
export const DEFAULT_CACHE_MAX_BYTES = 256 * 1024 * 1024;

export interface DiskCacheOptions {
  dir: string;
  /** Default DEFAULT_CACHE_MAX_BYTES. */
  maxBytes?: number;
}

export interface DiskCacheCounters {
  /** Entries found corrupt, truncated or of another format (removed; counted as misses). */
  corrupt: number;
  /** Entries written. */
  writes: number;
  /** Writes that failed (the cache then only misses). */
  writeErrors: number;
  /** Entries removed to stay under the size bound. */
  evicted: number;
}

/** A content key: the SHA-256, in hex, of the parts given. */
export function cacheKey(...parts: Array<string | Uint8Array>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    // Length-prefixed, so that no two different lists of parts hash alike.
    const bytes = typeof p === 'string' ? Buffer.from(p) : p;
    h.update(`${bytes.byteLength}:`);
    h.update(bytes);
  }
  return h.digest('hex');
}

export class DiskCache {
  readonly dir: string;
  readonly maxBytes: number;
  readonly counters: DiskCacheCounters = { corrupt: 0, writes: 0, writeErrors: 0, evicted: 0 };
  /** The directory's size as last scanned plus what this instance wrote since; undefined before the first scan. */
  private estimate: number | undefined;

  constructor(options: DiskCacheOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? DEFAULT_CACHE_MAX_BYTES;
  }

  /** The payload of the entry, or undefined (absent, unreadable, corrupt). */
  get(kind: string, key: string): Uint8Array | undefined {
    const file = this.file(kind, key);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      return undefined;
    }
    const payload = decode(bytes);
    if (!payload) {
      this.counters.corrupt++;
      rm(file);
      return undefined;
    }
    try {
      const now = new Date();
      fs.utimesSync(file, now, now);
    } catch {
      // evicted meanwhile by another process: the payload read is whole all the same
    }
    return payload;
  }

  /** Stores the entry (replacing any); false if it could not be written. */
  put(kind: string, key: string, payload: Uint8Array): boolean {
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      const data = encode(payload);
      writeFileAtomicSync(this.file(kind, key), data);
      this.counters.writes++;
      if (this.estimate === undefined) this.estimate = this.scan().total;
      else this.estimate += data.byteLength;
      if (this.estimate > this.maxBytes) this.evict();
      return true;
    } catch {
      this.counters.writeErrors++;
      return false;
    }
  }

  /** Removes least recently used entries until the directory is under 90% of the bound. */
  private evict(): void {
    const { entries, total } = this.scan();
    entries.sort((a, b) => a.used - b.used);
    let size = total;
    const target = this.maxBytes * 0.9;
    for (const e of entries) {
      if (size <= target) break;
      if (rm(path.join(this.dir, e.name))) this.counters.evicted++;
      size -= e.size;
    }
    this.estimate = size;
  }

  private scan(): { entries: Array<{ name: string; size: number; used: number }>; total: number } {
    const entries: Array<{ name: string; size: number; used: number }> = [];
    let total = 0;
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return { entries, total };
    }
    for (const name of names) {
      if (!ENTRY.test(name)) continue;
      try {
        const st = fs.statSync(path.join(this.dir, name));
        entries.push({ name, size: st.size, used: st.mtimeMs });
        total += st.size;
      } catch {
        // removed meanwhile
      }
    }
    return { entries, total };
  }

  private file(kind: string, key: string): string {
    return path.join(this.dir, `${kind}-${key}.bin`);
  }
}

function encode(payload: Uint8Array): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT, MAGIC.length);
  header.writeUInt32LE(payload.byteLength, MAGIC.length + 4);
  createHash('sha256').update(payload).digest().copy(header, MAGIC.length + 8);
  return Buffer.concat([header, payload]);
}

/** The payload, if the bytes are a whole entry of this format whose checksum matches. */
function decode(bytes: Buffer): Uint8Array | undefined {
  if (bytes.byteLength < HEADER_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  if (bytes.readUInt32LE(MAGIC.length) !== FORMAT) return undefined;
  const length = bytes.readUInt32LE(MAGIC.length + 4);
  if (bytes.byteLength !== HEADER_BYTES + length) return undefined;
  const payload = bytes.subarray(HEADER_BYTES);
  const sum = createHash('sha256').update(payload).digest();
  if (!sum.equals(bytes.subarray(MAGIC.length + 8, HEADER_BYTES))) return undefined;
  return new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
}

function rm(file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}
