import type { BackendValues, DataId, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { parseAttrs } from '../lowering/attrs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { BatchOutput, External, PendingBatch } from './pending_batch';

/**
 * Runs a batch's kernels one by one on the host, as eager execution would have: for a batch that
 * could not become a segment, or whose run failed. Returns the values of the requested outputs;
 * every buffer it made is freed.
 */
export function replayBatch(batch: PendingBatch, outputs: readonly BatchOutput[], backend: MathBackendCPU,
  eagerFuncs: ReadonlyMap<string, KernelFunc>, hostValues: (ext: External) => BackendValues): BackendValues[] {
  const temporaries: DataId[] = [];
  const hold = (values: BackendValues, info: Omit<TensorInfo, 'dataId'>): TensorInfo => {
    const dataId = { id: (backend as unknown as { nextDataId(): number }).nextDataId() };
    backend.data.set(dataId, { values, dtype: info.dtype, refCount: 1 });
    temporaries.push(dataId);
    return { dataId, dtype: info.dtype, shape: info.shape };
  };
  const externals = new Map<number, TensorInfo>();
  const results: TensorInfo[][] = [];
  for (const { kernelName, attrs, inputs } of batch.kernelList()) {
    const named: Record<string, TensorInfo> = {};
    for (const i of inputs) {
      if (i.ref.kind === 'op') {
        named[i.name] = results[i.ref.op][i.ref.output];
      } else {
        let info = externals.get(i.ref.slot);
        if (!info) {
          const ext = batch.externals[i.ref.slot];
          info = hold(hostValues(ext), { dtype: ext.dtype, shape: [...ext.shape] });
          externals.set(i.ref.slot, info);
        }
        named[i.name] = info;
      }
    }
    const run = eagerFuncs.get(kernelName);
    if (!run) throw new Error(`terra: no kernel ${kernelName} to replay`);
    const out = run({ inputs: named, attrs: parseAttrs(attrs), backend });
    const list = Array.isArray(out) ? out : [out];
    for (const t of list) temporaries.push(t.dataId);
    results.push(list);
  }
  const values = outputs.map((o) => backend.data.get(results[o.op][o.output].dataId)!.values!);
  for (const dataId of temporaries) backend.disposeData(dataId, true);
  return values;
}
