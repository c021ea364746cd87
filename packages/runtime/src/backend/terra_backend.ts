import { BackendValues, DataId, DataStorage, DataType, engine } from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { noteRead, noteWrite } from '../trace/recording';

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
    return dataId;
  }

  private readDepth = 0;

  /** The cpu backend's read() and complex reads go through readSync; only the outermost call is JS's read. */
  override readSync(dataId: DataId): BackendValues {
    if (this.readDepth === 0) noteRead(dataId);
    this.readDepth++;
    try {
      return super.readSync(dataId);
    } finally {
      this.readDepth--;
    }
  }

  /** The cpu backend keeps its buffers on dispose; terra drops them all. */
  override dispose(): void {
    this.data = new DataStorage(this, engine());
  }
}
