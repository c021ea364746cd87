// Runs small programs plain and instrumented in fresh vm contexts and reports what they printed and threw.
import * as util from 'util';
import * as vm from 'vm';
import { transformSync } from '@babel/core';
import terraPlugin, { TerraPluginOptions } from '../src/index';

export const HOOKS = Symbol.for('terrajs.hooks');

export interface HookStateLike {
  v: number;
  on: boolean;
  d: number;
  s: string[];
  it(id: string): void;
  br(id: string, arm: number): void;
}

export interface RunResult {
  out: string[];
  error?: string;
  state?: HookStateLike;
}

export function instrument(code: string, filename = 'prog.js', options: TerraPluginOptions = {}): string {
  const result = transformSync(code, {
    filename,
    babelrc: false,
    configFile: false,
    sourceType: 'script',
    plugins: [[terraPlugin, { root: '/', ...options }]],
  });
  return result!.code!;
}

function describeError(e: unknown): string {
  if (e && typeof e === 'object') {
    const o = e as { name?: unknown; message?: unknown; constructor?: { name?: string } };
    if (typeof o.message === 'string') return `${o.constructor?.name}/${String(o.name)}: ${o.message}`;
    try {
      return `object: ${String(e)}`;
    } catch {
      return 'object';
    }
  }
  return `${typeof e}: ${String(e)}`;
}

/** Runs `code` as a script in a fresh context; awaits `globalThis.__done` if the program sets it. */
export async function runProgram(code: string, filename: string, extraGlobals: Record<string | symbol, unknown> = {}): Promise<RunResult> {
  const out: string[] = [];
  const sandbox: Record<string | symbol, unknown> = {
    console: { log: (...args: unknown[]) => out.push(util.format(...args)) },
    setTimeout,
    setImmediate,
    queueMicrotask,
    ...extraGlobals,
  };
  const context = vm.createContext(sandbox);
  // symbol-keyed globals are not copied from the sandbox object: install the hook state from inside
  const state = extraGlobals[HOOKS];
  if (state) vm.runInContext('(s) => { globalThis[Symbol.for("terrajs.hooks")] = s; }', context)(state);
  const result: RunResult = { out };
  try {
    vm.runInContext(code, context, { filename });
    const done = (context as { __done?: Promise<unknown> }).__done;
    if (done) await done;
  } catch (e) {
    result.error = describeError(e);
  }
  result.state = vm.runInContext('globalThis[Symbol.for("terrajs.hooks")]', context) as HookStateLike | undefined;
  return result;
}

/** A hook state with a listener attached, as the tracer will install it. */
export function listeningState(events: string[]): HookStateLike {
  return {
    v: 1,
    on: true,
    d: 0,
    s: [],
    it(id: string) {
      events.push(`it ${id}`);
    },
    br(id: string, arm: number) {
      events.push(`br ${id} ${arm}`);
    },
  };
}
