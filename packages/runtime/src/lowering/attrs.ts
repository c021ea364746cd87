import type { NamedAttrMap } from '@tensorflow/tfjs-core';

/**
 * Kernel attrs as a string and back. The string is a cache and identity key (eager sessions, trace
 * nodes, segments), so equal attrs must give equal strings and different attrs different ones:
 * keys are sorted, typed arrays become arrays, and non-finite numbers (a fill or pad value of NaN or
 * Infinity), which plain JSON turns into null, are kept apart as marked strings. parseAttrs restores
 * them for the lowerings.
 */
const NUMBER_MARK = '\u0000';

export function canonicalAttrs(attrs: NamedAttrMap): string {
  const keys = Object.keys(attrs).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const json = flatJson(attrs[keys[i]] as unknown);
    // Computed for every kernel call under co-execution: only nested attrs take the slow path.
    if (json === undefined) return nestedAttrs(attrs);
    if (i > 0) out += ',';
    out += `${JSON.stringify(keys[i])}:${json}`;
  }
  return out + '}';
}

export function parseAttrs(json: string): NamedAttrMap {
  return JSON.parse(json, (_, v: unknown) => (typeof v === 'string' && v.startsWith(NUMBER_MARK) ? Number(v.slice(1)) : v)) as NamedAttrMap;
}

const shared = new Map<string, NamedAttrMap>();
const MAX_SHARED = 4096;

/**
 * parseAttrs for segment generation, which parses the same few attr strings for every kernel of every
 * segment: parsed once and shared, frozen so that no lowering can change what the next one reads.
 */
export function sharedAttrs(json: string): NamedAttrMap {
  let attrs = shared.get(json);
  if (attrs === undefined) {
    attrs = deepFreeze(parseAttrs(json));
    if (shared.size >= MAX_SHARED) shared.clear();
    shared.set(json, attrs);
  }
  return attrs;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const inner of Object.values(v)) deepFreeze(inner);
    Object.freeze(v);
  }
  return v;
}

function encodeNumber(v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? `${NUMBER_MARK}${v}` : v;
}

/** JSON of a primitive or an array of primitives; undefined for anything else. */
function flatJson(v: unknown): string | undefined {
  if (v === undefined || typeof v === 'function') return undefined;
  if (v === null || typeof v !== 'object') return JSON.stringify(encodeNumber(v));
  if (Array.isArray(v) && v.every((e) => e === null || typeof e !== 'object')) return JSON.stringify(v.map(encodeNumber));
  return undefined;
}

function nestedAttrs(attrs: NamedAttrMap): string {
  return JSON.stringify(attrs, (_, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    return ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>).map(encodeNumber) : encodeNumber(v);
  });
}
