/**
 * Generated segments in the compiled-graph cache (docs/cache.md): the ONNX model segment generation
 * built for a pending batch, with its input and output signatures, keyed by the batch's structure
 * (PendingBatch.key: kernels, attrs, wiring, signatures, outputs) and the generator's code. A hit
 * skips lowering the kernels to ONNX on the JS thread.
 */
import type { Segment } from '../generation/segment';
import { cacheKey } from './disk_cache';
import { generatorFingerprint } from './fingerprints';

export const GENERATED_KIND = 'seg';

export function generatedKey(batchKey: string, fingerprint = generatorFingerprint()): string {
  return cacheKey(fingerprint, batchKey);
}

/** The entry's payload: the signatures as JSON (length-prefixed), then the model's bytes. */
export function encodeSegment(segment: Segment): Uint8Array {
  const meta = Buffer.from(JSON.stringify({ inputs: segment.inputs, outputs: segment.outputs }));
  const head = Buffer.alloc(4);
  head.writeUInt32LE(meta.byteLength);
  return Buffer.concat([head, meta, segment.model]);
}

/** The segment, or undefined if the payload does not hold one (a checksum-valid entry of an older layout). */
export function decodeSegment(payload: Uint8Array): Segment | undefined {
  try {
    const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const length = bytes.readUInt32LE(0);
    const meta = JSON.parse(bytes.subarray(4, 4 + length).toString()) as Pick<Segment, 'inputs' | 'outputs'>;
    if (!Array.isArray(meta.inputs) || !Array.isArray(meta.outputs)) return undefined;
    // A copy: the model is posted to the worker, and must not drag the whole file's buffer along.
    const model = new Uint8Array(bytes.subarray(4 + length));
    return { model, inputs: meta.inputs, outputs: meta.outputs };
  } catch {
    return undefined;
  }
}
