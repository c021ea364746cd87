import { version_core } from '@tensorflow/tfjs-core';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ortVersion = (require('onnxruntime-node/dist/version') as { version: string }).version;

export const SUPPORTED_TFJS_CORE = '4.22.0';
export const SUPPORTED_ORT = '1.30.0';

/** Fails with a clear message when the tfjs-core or ONNX Runtime in use is not the one terra was built against. */
export function checkVersions(found = { tfjs: version_core, ort: ortVersion }): void {
  if (found.tfjs !== SUPPORTED_TFJS_CORE) {
    throw new Error(`terra: @tensorflow/tfjs-core ${found.tfjs} is loaded, but @terrajs/runtime supports ` +
      `exactly ${SUPPORTED_TFJS_CORE}. Install @tensorflow/tfjs-core@${SUPPORTED_TFJS_CORE} ` +
      '(and the matching @tensorflow/tfjs) so that one copy of tfjs-core is loaded.');
  }
  if (found.ort !== SUPPORTED_ORT) {
    throw new Error(`terra: onnxruntime-node ${found.ort} is loaded, but @terrajs/runtime supports exactly ${SUPPORTED_ORT}.`);
  }
}
