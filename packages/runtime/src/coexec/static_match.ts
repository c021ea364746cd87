import type { DraftKernel, TracedKernel } from '../trace/trace';

/**
 * Whether static mode may replay a call as the recorded kernel at its position. Its outputs get the
 * recorded shapes, so the kernel, its attrs and its input shapes must be the recorded ones (a call
 * with others is one tf.function would retrace); where inputs come from is not checked, which is
 * what makes static mode wrong on programs whose JS chooses other values.
 */
export function replaysRecording(recorded: TracedKernel, call: DraftKernel): boolean {
  if (recorded.kernelName !== call.kernelName || recorded.attrs !== call.attrs || recorded.inputs.length !== call.inputs.length) return false;
  return call.inputs.every((input, i) => {
    const shape = recorded.inputs[i].shape;
    return input.dtype === recorded.inputs[i].dtype && input.shape.length === shape.length && input.shape.every((d, k) => d === shape[k]);
  });
}
