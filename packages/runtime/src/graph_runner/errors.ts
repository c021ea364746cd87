/** The errors a GraphRunner user can meet. */

/**
 * The worker is gone (process.exit or an uncaught exception inside it, or the thread was
 * terminated). Every value it held is lost; pending and later reads throw this instead of hanging.
 */
export class GraphRunnerDied extends Error {
  constructor(readonly reason: string) {
    super(`GraphRunner worker died (${reason}); the values it held are lost`);
    this.name = 'GraphRunnerDied';
  }
}

/**
 * Reading a value that a run could not produce (its segment failed to compile or ONNX Runtime
 * failed while running it, or one of the run's inputs had itself failed), or an id the worker does
 * not hold. `key` names the segment when a segment is to blame.
 */
export class GraphValueError extends Error {
  constructor(message: string, readonly valueId: number, readonly key?: string) {
    super(message);
    this.name = 'GraphValueError';
  }
}
