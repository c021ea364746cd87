import { BackendValues, DataId, DataStorage, DataType, engine, util } from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { noteRead, noteWrite } from '../trace/recording';
import { activeCoexecutor } from '../coexec/session';
import type { TerraData } from '../coexec/terra_data';

/**
 * The terra backend. In eager mode tensor values live in host memory exactly as on tfjs-backend-cpu,
 * so the kernels without an ONNX lowering run on the cpu backend's own implementations with no copy,
 * and lowered kernels hand the same buffers to ONNX Runtime. The backend contract (read, readSync,
 * write, move, disposeData, refCount, memory, numDataIds, time, dispose) is the cpu backend's.
 */
export class TerraBackend extends MathBackendCPU {
  constructor() {
    super();
    // The cpu backend greets Node users with a hint to install tfjs-node on first write.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    const dataId = super.write(values, shape, dtype);
    noteWrite(dataId, shape, dtype, values);
    activeCoexecutor()?.onWrite(dataId, shape, dtype, values);
    return dataId;
  }

  private readDepth = 0;

  /** The cpu backend's read() and complex reads go through readSync; only the outermost call is JS's read. */
  override readSync(dataId: DataId): BackendValues {
    if (this.readDepth === 0) {
      noteRead(dataId);
      // Under co-execution the value may still be computing in the GraphRunner: wait for it here.
      activeCoexecutor()?.readSync(dataId);
    }
    this.readDepth++;
    try {
      return super.readSync(dataId);
    } finally {
      this.readDepth--;
    }
  }

  /**
   * tfjs's data() and array(): the event loop stays free while the GraphRunner computes the value. A value
   * on the host is taken at the call, as the cpu backend does: the program may dispose or replace the
   * tensor before the promise settles (a variable read while training goes on).
   */
  override read(dataId: DataId): Promise<BackendValues> {
    try {
      const entry = this.data.get(dataId) as TerraData;
      const waiting = activeCoexecutor()?.read(dataId);
      if (waiting === undefined) return Promise.resolve(this.readSync(dataId));
      return waiting.then(() => {
        if (this.data.has(dataId)) return this.readSync(dataId);
        // Disposed while the worker computed it: the value came all the same.
        return util.convertBackendValuesAndArrayBuffer(entry.values!, entry.dtype);
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  override disposeData(dataId: DataId, force = false): boolean {
    // DataStorage.get of an unknown id asks the engine to move it from another backend: check first.
    const entry = this.data.has(dataId) ? this.data.get(dataId) as TerraData : undefined;
    const released = super.disposeData(dataId, force);
    // For a buffer it holds, the cpu backend answers true once it dropped the entry.
    if (entry && released) activeCoexecutor()?.released(dataId, entry);
    return released;
  }

  /** The cpu backend keeps its buffers on dispose; terra drops them all. */
  override dispose(): void {
    this.data = new DataStorage(this, engine());
  }
}
