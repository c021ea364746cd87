import type { DataType, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { GraphBuilder } from '../onnx/graph_builder';
import { isLowerableDtype } from '../onnx/dtypes';
import { OrtTensor, OrtTensorClass, SyncSession } from '../ort/sync_session';
import { KernelLowering, TensorSpec, Unsupported } from '../lowering/types';
import { canonicalAttrs, parseAttrs } from '../lowering/attrs';
import { fedAttrs, hasFreeBatch, shapeKey, withFedDims } from '../lowering/shape_key';
import { cast } from '../lowering/helpers';
import { recordSession } from '../stats';
import { EAGER_SESSION_OPTIONS, SessionCache } from './session_cache';
import { TerraKernelError } from './kernel_error';
import type { TensorSig } from '../trace/trace';

interface CompiledKernel {
  session: SyncSession;
  outputDtypes: DataType[];
  model: Uint8Array;
}

/** A kernel call's single-kernel model: `key` names it in the session cache; `order`, the inputs it takes, in order. */
export interface KernelModel {
  readonly key: string;
  readonly model: Uint8Array;
  readonly order: readonly number[];
}

type TypedArray = Float32Array | Int32Array | Uint8Array;

const ARRAY_FOR: Record<string, new (n: ArrayLike<number>) => TypedArray> = {
  float32: Float32Array,
  int32: Int32Array,
  bool: Uint8Array,
};

/**
 * Runs one tfjs kernel call on ONNX Runtime at once, through a single-kernel session cached by
 * kernel, attrs, dtypes and ranks. Returns undefined when the call is not lowerable.
 */
export class EagerExecutor {
  private readonly cache = new SessionCache<CompiledKernel>(4096);
  private readonly listeners = new Set<(key: string, model: Uint8Array) => void>();

  /** Calls `listener` with each single-kernel model compiled from now on; returns the unsubscribe. */
  onCompile(listener: (key: string, model: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  run(lowering: KernelLowering, inputs: NamedTensorInfoMap, attrs: NamedAttrMap,
    backend: MathBackendCPU): TensorInfo | TensorInfo[] | undefined {
    const infos = orderedInputs(lowering, inputs);
    for (const info of infos) {
      if (info && !isLowerableDtype(info.dtype)) return undefined;
    }
    // Shape attrs given as lists (a Slice's begin and size) are fed, as to a shape-general segment: one
    // session serves every offset of a sliding window instead of one each. A call the lowering cannot take
    // so (a begin shorter than the rank) gets a session with its numbers in.
    const fed = lowering.shapeAttrs ? fedAttrs(lowering, attrs) : [];
    let compiled = fed.length === 0 ? null
      : this.compiled(cacheKey(lowering, infos, `fed ${canonicalAttrs(withFedDims(attrs, fed))}`), lowering, infos, () => attrs, fed);
    if (compiled === null) {
      fed.length = 0;
      compiled = this.compiled(cacheKey(lowering, infos, canonicalAttrs(attrs)), lowering, infos, () => attrs);
    }
    if (compiled === null) return undefined;

    const feeds: OrtTensor[] = [];
    for (const info of infos) {
      if (!info) continue;
      feeds.push(new OrtTensorClass(info.dtype as 'float32', hostValues(backend, info), info.shape as number[]));
    }
    for (const name of fed) {
      const dims = attrs[name] as number[];
      feeds.push(new OrtTensorClass('int32', Int32Array.from(dims), [dims.length]));
    }
    let results: OrtTensor[];
    try {
      results = compiled.session.run(feeds);
    } catch (e) {
      throw new TerraKernelError(lowering.kernelName, attrs, infos.map((i) => i?.shape), e);
    }
    const outs = results.map((r, i) => {
      const dtype = compiled!.outputDtypes[i];
      return backend.makeTensorInfo(r.dims as number[], dtype, toTfjsValues(r.data, dtype));
    });
    return lowering.multiOutput ? outs : outs[0];
  }

  /**
   * The model `run` would run a call with inputs of these signatures on (compiled now if it was not, as
   * run would), for another thread to run it alike; undefined if the call would not run on ORT.
   * `attrs` is the canonical attrs string.
   */
  kernelModel(lowering: KernelLowering, inputs: ReadonlyArray<{ readonly name: string } & TensorSig>, attrs: string): KernelModel | undefined {
    const order = lowering.inputNames ? lowering.inputNames.map((n) => inputs.findIndex((i) => i.name === n)) : inputs.map((_, i) => i);
    const infos = order.map((i) => (i < 0 ? undefined : inputs[i]));
    for (const info of infos) {
      if (info && !isLowerableDtype(info.dtype)) return undefined;
    }
    const key = cacheKey(lowering, infos, attrs);
    let compiled;
    try {
      compiled = this.compiled(key, lowering, infos, () => parseAttrs(attrs));
    } catch (e) {
      if (e instanceof TerraKernelError) return undefined;
      throw e;
    }
    if (compiled === null) return undefined;
    return { key, model: compiled.model, order: order.filter((i) => i >= 0) };
  }

  /**
   * The cached session under `key`, compiled if it is not there; null if the call does not run on ORT.
   * `fed`: shape attrs the session takes as inputs after the call's (the GraphRunner's kernel programs,
   * which listeners serve, run sessions with every attr in).
   */
  private compiled(key: string, lowering: KernelLowering, infos: Array<TensorSig | undefined>, parsed: () => NamedAttrMap,
    fed: readonly string[] = []): CompiledKernel | null {
    let compiled = this.cache.get(key);
    if (compiled === undefined) {
      compiled = compile(lowering, infos, parsed(), fed);
      this.cache.set(key, compiled);
      recordSession(true);
      if (compiled && fed.length === 0) for (const listener of this.listeners) listener(key, compiled.model);
    } else {
      recordSession(false);
    }
    return compiled;
  }

  get cachedSessions(): number {
    return this.cache.size;
  }
}

function orderedInputs(lowering: KernelLowering, inputs: NamedTensorInfoMap): Array<TensorInfo | undefined> {
  if (lowering.inputNames) return lowering.inputNames.map((n) => inputs[n] ?? undefined);
  return Object.values(inputs);
}

function cacheKey(lowering: KernelLowering, infos: Array<TensorSig | undefined>, attrs: string): string {
  let key = lowering.kernelName + attrs;
  infos.forEach((info, i) => {
    key += info ? `|${info.dtype}:${shapeKey(lowering, info.shape, i)}` : '|-';
  });
  return key;
}

function compile(lowering: KernelLowering, infos: Array<TensorSig | undefined>, attrs: NamedAttrMap, fed: readonly string[]): CompiledKernel | null {
  const g = new GraphBuilder(lowering.kernelName);
  const specs: Array<TensorSpec | undefined> = infos.map((i) => i && {
    dtype: i.dtype,
    rank: i.shape.length,
    shape: lowering.shapeSpecialized ? i.shape : undefined,
  });
  const syms = specs.map((s, i) => s && g.input(s.dtype as 'float32', s.rank, s.shape,
    hasFreeBatch(lowering, infos[i]!.shape, i)));
  const attrInputs = fed.length === 0 ? undefined
    : Object.fromEntries(fed.map((name) => [name, cast(g, g.input('int32', 1, [(attrs[name] as number[]).length]), 'int64')]));
  let outputs;
  try {
    outputs = lowering.lower(g, syms, { kernelName: lowering.kernelName, inputs: specs, attrs, attrInputs });
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
  const outputDtypes: DataType[] = [];
  for (const o of outputs) {
    if (!isLowerableDtype(o.dtype)) {
      throw new Error(`terra: lowering of ${lowering.kernelName} produced a ${o.dtype} output`);
    }
    outputDtypes.push(o.dtype);
    g.output(o);
  }
  try {
    const model = g.build();
    return { session: new SyncSession(model, EAGER_SESSION_OPTIONS), outputDtypes, model };
  } catch (e) {
    // ORT lacks a kernel for this type combination: a coverage gap, so the call takes the cpu path.
    if (/NOT_IMPLEMENTED|Could not find an implementation/.test(String(e))) return null;
    throw new TerraKernelError(lowering.kernelName, attrs, infos.map((i) => i?.shape), e);
  }
}

/** The executor of the terra backend's kernels (one per process: its session cache is shared). */
export const eagerExecutor = new EagerExecutor();

function hostValues(backend: MathBackendCPU, info: TensorInfo): TypedArray {
  const values = backend.data.get(info.dataId).values as unknown;
  const Ctor = ARRAY_FOR[info.dtype];
  if (values instanceof Ctor) return values;
  return new Ctor(values as ArrayLike<number>);
}

function toTfjsValues(data: unknown, dtype: DataType): TypedArray {
  const Ctor = ARRAY_FOR[dtype];
  return data instanceof Ctor ? data : new Ctor(data as ArrayLike<number>);
}
