/**
 * The one module that touches onnxruntime-node internals: its native binding runs a session
 * synchronously, which eager tfjs kernels need (the public API defers every run with setImmediate).
 * Checked against onnxruntime-node 1.30.0 by test/ort_adapter.test.ts.
 */
import { Tensor } from 'onnxruntime-common';
import { throughGate } from './native_gate';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { binding, initOrt } = require('onnxruntime-node/dist/binding') as {
  binding: { InferenceSession: new () => NativeSession };
  initOrt: () => void;
};

interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  readonly inputMetadata: Array<{ name: string }>;
  readonly outputMetadata: Array<{ name: string }>;
  run(feeds: Record<string, Tensor>, fetches: Record<string, null>, options: object): Record<string, Tensor>;
  dispose(): void;
}

export interface SessionOptions {
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  executionProviders?: string[];
  /** ORT writes the model it optimized to this file when the session is created (the compiled-graph cache). */
  optimizedModelFilePath?: string;
  /** ORT session config entries as nested objects, e.g. { session: { intra_op: { allow_spinning: '0' } } }. */
  extra?: Record<string, unknown>;
}

const RUN_OPTIONS = { logSeverityLevel: 4 };

export type OrtTensor = Tensor;
export { Tensor as OrtTensorClass };

export class SyncSession {
  private readonly native: NativeSession;
  readonly inputNames: string[];
  readonly outputNames: string[];
  private readonly fetches: Record<string, null>;

  constructor(model: Uint8Array, options: SessionOptions) {
    ({ native: this.native, inputNames: this.inputNames, outputNames: this.outputNames } = throughGate(() => {
      initOrt();
      const native = new binding.InferenceSession();
      // Failures are reported by the caller with the kernel's context; ORT's own log would repeat them.
      native.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength,
        { logSeverityLevel: 4, ...options });
      return {
        native, inputNames: native.inputMetadata.map((m) => m.name), outputNames: native.outputMetadata.map((m) => m.name),
      };
    }));
    this.fetches = Object.fromEntries(this.outputNames.map((n) => [n, null]));
  }

  /** Runs synchronously; inputs are positional, in the order the graph declares them. */
  run(inputs: Tensor[]): Tensor[] {
    const feeds: Record<string, Tensor> = {};
    for (let i = 0; i < this.inputNames.length; i++) feeds[this.inputNames[i]] = inputs[i];
    const result = throughGate(() => this.native.run(feeds, this.fetches, RUN_OPTIONS));
    return this.outputNames.map((n) => result[n]);
  }

  dispose(): void {
    throughGate(() => this.native.dispose());
  }
}
