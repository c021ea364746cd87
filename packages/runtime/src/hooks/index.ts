/**
 * The runtime side of babel-plugin-terra's hooks: the site stack (call path), the current site, and
 * loop-iteration and branch events. See docs/plugin.md for the protocol the instrumented code follows.
 *
 * The state is one plain object stored on `globalThis[Symbol.for('terrajs.hooks')]`, so that every copy of
 * this module, every instrumented file (each carries a tiny inline bootstrap that creates the same object
 * when it runs first) and every realm-local copy of the runtime share it. Instrumented code reads and
 * writes its fields directly:
 *
 *   - `d`  the depth: the number of active user-level call sites;
 *   - `s`  the site stack: `s[0..d)` is the call path, outermost first; entries at and above `d` are stale;
 *   - `on` true while at least one listener is subscribed; the loop and branch hooks are guarded by it
 *          (`h.on && h.it(id)`), so they cost one property load when nothing listens;
 *   - `it(loopId)` called at the start of every loop iteration when `on`;
 *   - `br(branchId, arm)` called on every branch decision when `on` (if/else: 0 = then, 1 = else;
 *          ?: 0 = consequent, 1 = alternate; && and ||: 0 = short-circuited, 1 = right side evaluated;
 *          ??: 0 = left kept, 1 = right side evaluated; switch: index of the case entered, in source
 *          order, again for each case fallen through into; catch: 0 when the handler runs).
 *
 * Site, loop and branch ids are `path/relative/to/root.js:line:column` (1-based), stable across runs.
 */

export const HOOKS_KEY: unique symbol = Symbol.for('terrajs.hooks') as never;

/** Version of the state object's protocol; the plugin's bootstrap creates version 1. */
export const HOOKS_PROTOCOL = 1;

export interface HookState {
  v: number;
  on: boolean;
  d: number;
  s: string[];
  it(loopId: string): void;
  br(branchId: string, arm: number): void;
}

/** A subscriber to the hooks (the tracer of issue 4). Every callback may read callPath() / currentSite(). */
export interface HookListener {
  /** A loop iteration starts (for, for-in, for-of, for await, while, do-while). */
  iteration?(loopId: string): void;
  /** A branch decision was taken; see the arm numbering above. */
  branch?(branchId: string, arm: number): void;
}

function noop(): void {}

/** The shared hook state, created with the same shape as the plugin's inline bootstrap if absent. */
export function hookState(): HookState {
  const g = globalThis as unknown as Record<symbol, HookState | undefined>;
  let state = g[HOOKS_KEY];
  if (!state) {
    // Same property order as the plugin's bootstrap, so that instrumented code sees one object shape.
    state = { v: HOOKS_PROTOCOL, on: false, d: 0, s: [], it: noop, br: noop };
    g[HOOKS_KEY] = state;
  }
  return state;
}

const listeners: HookListener[] = [];

// Events raised while a listener runs (instrumented listener code, or code it calls) are not reported: the
// listener would otherwise be re-entered from its own loops and branches.
let dispatching = false;

function dispatchIteration(loopId: string): void {
  if (dispatching) return;
  dispatching = true;
  try {
    for (const l of listeners) l.iteration?.(loopId);
  } finally {
    dispatching = false;
  }
}

function dispatchBranch(branchId: string, arm: number): void {
  if (dispatching) return;
  dispatching = true;
  try {
    for (const l of listeners) l.branch?.(branchId, arm);
  } finally {
    dispatching = false;
  }
}

/**
 * Subscribes a listener to loop and branch events. Returns the function that unsubscribes it. While no
 * listener is subscribed, the hooks are off and instrumented code only maintains the site stack.
 */
export function subscribe(listener: HookListener): () => void {
  const state = hookState();
  listeners.push(listener);
  state.it = dispatchIteration;
  state.br = dispatchBranch;
  state.on = true;
  return () => {
    const i = listeners.indexOf(listener);
    if (i >= 0) listeners.splice(i, 1);
    if (listeners.length === 0) {
      state.on = false;
      state.it = noop;
      state.br = noop;
    }
  };
}

/** The current call path: the ids of the active user-level call sites, outermost first. */
export function callPath(): string[] {
  const state = hookState();
  return state.s.slice(0, state.d);
}

/**
 * The current call path, as `previous` itself when the path is still the same: consecutive kernels
 * mostly come from one call site, and one array for all of them is less for the trace to hold. Else as
 * `likely` if that is the path (the predicted node's, so that comparing the two is one identity check).
 */
export function callPathSince(previous: readonly string[], likely?: readonly string[]): readonly string[] {
  const state = hookState();
  if (isCurrentPath(previous, state)) return previous;
  if (likely !== undefined && isCurrentPath(likely, state)) return likely;
  return state.s.slice(0, state.d);
}

function isCurrentPath(path: readonly string[], state: HookState): boolean {
  if (path.length !== state.d) return false;
  for (let i = state.d - 1; i >= 0; i--) if (path[i] !== state.s[i]) return false;
  return true;
}

/** The innermost active user-level call site, or undefined outside any instrumented call. */
export function currentSite(): string | undefined {
  const state = hookState();
  return state.d > 0 ? state.s[state.d - 1] : undefined;
}

/** The number of active user-level call sites. */
export function siteDepth(): number {
  return hookState().d;
}

/** Empties the site stack (for a fresh top-level run; instrumented code keeps it balanced itself). */
export function resetSiteStack(): void {
  const state = hookState();
  state.d = 0;
  state.s.length = 0;
}
