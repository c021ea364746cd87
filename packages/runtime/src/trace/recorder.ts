import type { BackendValues, DataId, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { engine } from '@tensorflow/tfjs-core';
import { callPath } from '../hooks';
import type { Feed, Fetch, Provenance, Trace, TracedKernel } from './trace';

/**
 * Records one trace at a time from the backend's events: kernel dispatches, writes from JS and reads.
 * Provenance is tracked by dataId: a buffer produced by a recorded kernel or fed during the trace is
 * known; any other input is a variable (the engine's registered variables) or a carried value.
 */
export class TraceRecorder {
  private kernels: TracedKernel[] = [];
  private feeds: Feed[] = [];
  private fetches: Fetch[] = [];
  private origin = new WeakMap<DataId, Provenance>();
  private carried = new WeakMap<DataId, number>();
  private carriedCount = 0;
  private lastPath = '';
  private ordinal = 0;

  /** A tensor written from JS (not from inside a kernel). */
  write(dataId: DataId, info: Omit<TensorInfo, 'dataId'>, values: BackendValues): void {
    const index = this.feeds.length;
    this.feeds.push({ index, dtype: info.dtype, shape: [...info.shape], afterKernel: this.kernels.length, values });
    this.origin.set(dataId, { kind: 'feed', feed: index });
  }

  kernel(kernelName: string, inputs: ReadonlyArray<readonly [string, TensorInfo]>, attrs: NamedAttrMap,
    outputs: readonly TensorInfo[]): void {
    const sitePath = callPath();
    const pathKey = sitePath.join('\n');
    this.ordinal = pathKey === this.lastPath ? this.ordinal + 1 : 0;
    this.lastPath = pathKey;
    const index = this.kernels.length;
    this.kernels.push({
      index,
      sitePath,
      ordinal: this.ordinal,
      kernelName,
      attrs: canonicalAttrs(attrs),
      inputs: inputs.map(([name, t]) => ({ name, from: this.provenance(t.dataId), dtype: t.dtype, shape: [...t.shape] })),
      outputs: outputs.map((t) => ({ dtype: t.dtype, shape: [...t.shape] })),
    });
    outputs.forEach((t, output) => {
      // A kernel that returns its input's buffer (Identity, cpu's Reshape) keeps the input's origin.
      if (!this.origin.has(t.dataId)) this.origin.set(t.dataId, { kind: 'op', op: index, output });
    });
  }

  /** JS read a value. */
  read(dataId: DataId): void {
    this.fetches.push({ from: this.provenance(dataId), afterKernel: this.kernels.length });
  }

  /** Ends the current trace and starts the next; values of this trace become carried values of the next. */
  cut(): Trace {
    const trace: Trace = { kernels: this.kernels, feeds: this.feeds, fetches: this.fetches };
    this.kernels = [];
    this.feeds = [];
    this.fetches = [];
    this.origin = new WeakMap();
    this.carried = new WeakMap();
    this.carriedCount = 0;
    this.lastPath = '';
    this.ordinal = 0;
    return trace;
  }

  private provenance(dataId: DataId): Provenance {
    const known = this.origin.get(dataId);
    if (known) return known;
    const variable = variableName(dataId);
    if (variable !== undefined) return { kind: 'variable', name: variable };
    let slot = this.carried.get(dataId);
    if (slot === undefined) {
      slot = this.carriedCount++;
      this.carried.set(dataId, slot);
    }
    return { kind: 'carried', slot };
  }
}

function variableName(dataId: DataId): string | undefined {
  const vars = engine().registeredVariables;
  for (const name of Object.keys(vars)) {
    if (vars[name].dataId === dataId) return name;
  }
  return undefined;
}

/** Attrs as JSON with sorted keys, so that equal attrs give equal strings. */
export function canonicalAttrs(attrs: NamedAttrMap): string {
  return JSON.stringify(attrs, (_, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    return ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v;
  });
}
