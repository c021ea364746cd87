import type { BackendValues, DataId, DataType, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/** A host value with its signature: what the shadow knows of a tensor. */
export interface HostTensor {
  readonly values: BackendValues;
  readonly dtype: DataType;
  readonly shape: readonly number[];
}

/**
 * Runs one kernel eagerly, exactly as `--mode eager` would (the same kernel function: ONNX Runtime's
 * single-kernel session or the cpu kernel), on host values standing for its inputs. `valueOf` gives
 * each input's value, or undefined if it is unknown (the kernel is then not run). Every buffer it
 * makes is freed; the outputs' values are returned.
 */
export function runShadowKernel(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap, backend: MathBackendCPU,
  eagerFuncs: ReadonlyMap<string, KernelFunc>, valueOf: (input: TensorInfo) => BackendValues | undefined): HostTensor[] | undefined {
  const run = eagerFuncs.get(kernelName);
  if (!run) return undefined;
  const made: DataId[] = [];
  const hold = (t: TensorInfo): TensorInfo | undefined => {
    const values = valueOf(t);
    if (values === undefined) return undefined;
    const dataId = { id: (backend as unknown as { nextDataId(): number }).nextDataId() };
    backend.data.set(dataId, { values, dtype: t.dtype, refCount: 1 });
    made.push(dataId);
    return { dataId, dtype: t.dtype, shape: t.shape };
  };
  try {
    const shadowInputs = mapInputs(inputs, hold);
    if (!shadowInputs) return undefined;
    const out = run({ inputs: shadowInputs, attrs, backend });
    const list = Array.isArray(out) ? out : [out];
    for (const t of list) made.push(t.dataId);
    const results: HostTensor[] = [];
    for (const t of list) {
      const values = backend.data.get(t.dataId)?.values;
      if (values == null) return undefined; // complex or string results are not compared
      results.push({ values, dtype: t.dtype, shape: [...t.shape] });
    }
    return results;
  } finally {
    for (const dataId of new Set(made)) if (backend.data.has(dataId)) backend.disposeData(dataId, true);
  }
}

/** The kernel's inputs with every tensor replaced (list inputs keep their structure); undefined if one cannot be. */
function mapInputs(inputs: NamedTensorInfoMap, f: (t: TensorInfo) => TensorInfo | undefined): NamedTensorInfoMap | undefined {
  const out: Record<string, TensorInfo | TensorInfo[]> = Array.isArray(inputs) ? [] as unknown as Record<string, TensorInfo> : {};
  for (const [name, value] of Object.entries(inputs) as Array<[string, TensorInfo | TensorInfo[] | null | undefined]>) {
    if (value == null) continue;
    if (Array.isArray(value)) {
      const list: TensorInfo[] = [];
      for (const t of value) {
        const m = f(t);
        if (!m) return undefined;
        list.push(m);
      }
      out[name] = list;
    } else {
      const m = f(value);
      if (!m) return undefined;
      out[name] = m;
    }
  }
  return out as NamedTensorInfoMap;
}
