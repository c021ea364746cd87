import type { NamedAttrMap } from '@tensorflow/tfjs-core';

/**
 * Kernel attrs as a string and back. The string is a cache and identity key (eager sessions, trace
 * nodes, segments), so equal attrs must give equal strings and different attrs different ones:
 * keys are sorted, undefined members left out, typed arrays become arrays, and non-finite numbers and
 * -0 (a fill or pad value of NaN, Infinity or -0), which plain JSON turns into null or 0, are kept
 * apart as marked strings. parseAttrs restores them for the lowerings.
 */
const NUMBER_MARK = '\u0000';

export function canonicalAttrs(attrs: NamedAttrMap): string {
  const keys = Object.keys(attrs).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const value = attrs[keys[i]] as unknown;
    // Left out, as JSON.stringify leaves out an object's undefined members (an unset dimRoundingMode).
    if (value === undefined) continue;
    const json = flatJson(value);
    // Computed for every kernel call under co-execution: only nested attrs take the slow path.
    if (json === undefined) return nestedAttrs(attrs);
    if (out.length > 1) out += ',';
    out += `${keyJson(keys[i])}:${json}`;
  }
  return out + '}';
}

const keyJsons = new Map<string, string>();

/** A key's JSON, computed once per name: kernels have a few dozen attr names between them. */
function keyJson(key: string): string {
  let json = keyJsons.get(key);
  if (json === undefined) {
    json = JSON.stringify(key);
    if (keyJsons.size < MAX_SHARED) keyJsons.set(key, json);
  }
  return json;
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
  if (typeof v !== 'number') return v;
  if (Object.is(v, -0)) return `${NUMBER_MARK}-0`;
  return Number.isFinite(v) ? v : `${NUMBER_MARK}${v}`;
}

/** JSON of a primitive or an array of primitives; undefined for anything else. */
function flatJson(v: unknown): string | undefined {
  if (typeof v === 'function') return undefined;
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
