/** An ONNX Runtime failure inside a lowered kernel, with what a user needs to find the call. */
export class TerraKernelError extends Error {
  constructor(kernelName: string, attrs: object, shapes: ReadonlyArray<readonly number[] | undefined>, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`terra: kernel ${kernelName} failed on ONNX Runtime (attrs ${safeJson(attrs)}, ` +
      `input shapes ${safeJson(shapes)}): ${reason}`);
    this.name = 'TerraKernelError';
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
