import type { BackendValues, DataId, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { parseAttrs } from '../lowering/attrs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { BatchOutput, External, PendingBatch } from './pending_batch';
import { Replayed, Thrown } from './thrown';

/**
 * Runs a batch's kernels one by one on the host, as eager execution would have: for a batch that
 * could not become a segment, or whose run failed. Returns the values of the requested outputs;
 * every buffer it made is freed. A kernel that throws (on its input values) does not stop the
 * replay: its outputs, and those of every kernel that depends on them, are its Thrown (given to `threw`).
 */
export function replayBatch(batch: PendingBatch, outputs: readonly BatchOutput[], backend: MathBackendCPU,
  eagerFuncs: ReadonlyMap<string, KernelFunc>, hostValues: (ext: External) => Replayed, threw?: (t: Thrown) => void): Replayed[] {
  const temporaries: DataId[] = [];
  const hold = (values: BackendValues, info: Omit<TensorInfo, 'dataId'>): TensorInfo => {
    const dataId = { id: (backend as unknown as { nextDataId(): number }).nextDataId() };
    backend.data.set(dataId, { values, dtype: info.dtype, refCount: 1 });
    temporaries.push(dataId);
    return { dataId, dtype: info.dtype, shape: info.shape };
  };
  const externals = new Map<number, TensorInfo | Thrown>();
  const results: Array<TensorInfo[] | Thrown> = [];
  batch.kernelList().forEach(({ kernelName, attrs, inputs }, op) => {
    const named: Record<string, TensorInfo> = {};
    let thrown: Thrown | undefined;
    for (const i of inputs) {
      let info: TensorInfo | Thrown | undefined;
      if (i.ref.kind === 'op') {
        const r = results[i.ref.op];
        info = r instanceof Thrown ? r : r[i.ref.output];
      } else {
        info = externals.get(i.ref.slot);
        if (!info) {
          const ext = batch.externals[i.ref.slot];
          const values = hostValues(ext);
          info = values instanceof Thrown ? values : hold(values, { dtype: ext.dtype, shape: [...ext.shape] });
          externals.set(i.ref.slot, info);
        }
      }
      if (info instanceof Thrown) thrown ??= info;
      else named[i.name] = info;
    }
    if (thrown) {
      results.push(thrown);
      return;
    }
    const run = eagerFuncs.get(kernelName);
    if (!run) throw new Error(`terra: no kernel ${kernelName} to replay`);
    let out;
    try {
      out = run({ inputs: named, attrs: parseAttrs(attrs), backend });
    } catch (e) {
      const t = new Thrown(e, kernelName, batch.nodeAt(op));
      threw?.(t);
      results.push(t);
      return;
    }
    const list = Array.isArray(out) ? out : [out];
    for (const t of list) temporaries.push(t.dataId);
    results.push(list);
  });
  const values = outputs.map((o): Replayed => {
    const r = results[o.op];
    return r instanceof Thrown ? r : backend.data.get(r[o.output].dataId)!.values!;
  });
  for (const dataId of temporaries) backend.disposeData(dataId, true);
  return values;
}
