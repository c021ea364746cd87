import {
  AdadeltaOptimizer, AdagradOptimizer, AdamOptimizer, AdamaxOptimizer, MomentumOptimizer, Optimizer,
  RMSPropOptimizer, SGDOptimizer,
} from '@tensorflow/tfjs-core';

/**
 * Optimizer steps as iteration boundaries: they end every training iteration, including those of
 * tfjs-layers' fit, whose loop lives in node_modules and is not instrumented. A step is the outermost
 * minimize() or applyGradients() call of any optimizer (built-in ones override applyGradients; a user's
 * subclass is still seen through minimize).
 */
type StepListener = () => void;

const listeners = new Set<StepListener>();
const WRAPPED = Symbol('terra.optimizerStep');
let depth = 0;

function wrap(proto: object, method: 'minimize' | 'applyGradients'): void {
  if (!Object.prototype.hasOwnProperty.call(proto, method)) return;
  const target = proto as Record<string, unknown>;
  const original = target[method] as ((...args: unknown[]) => unknown) & { [WRAPPED]?: true };
  if (typeof original !== 'function' || original[WRAPPED]) return;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    depth++;
    let result: unknown;
    try {
      result = original.apply(this, args);
    } finally {
      depth--;
    }
    // A step that threw is not a completed iteration.
    if (depth === 0) for (const l of [...listeners]) l();
    return result;
  };
  (wrapped as typeof original)[WRAPPED] = true;
  target[method] = wrapped;
}

let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  wrap(Optimizer.prototype, 'minimize');
  for (const cls of [SGDOptimizer, MomentumOptimizer, AdamOptimizer, AdamaxOptimizer, RMSPropOptimizer,
    AdagradOptimizer, AdadeltaOptimizer]) {
    wrap(cls.prototype, 'applyGradients');
  }
}

/** Calls the listener after every completed optimizer step; returns the function that unsubscribes it. */
export function onOptimizerStep(listener: StepListener): () => void {
  install();
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
