import type { GraphBuilder, Sym } from '../../../onnx/graph_builder';
import type { OnnxDtype } from '../../../onnx/dtypes';
import { cast } from '../../helpers';
import { KernelCall, KernelLowering, Unsupported } from '../../types';

/**
 * Shared machinery of the elementwise family: per-dtype kernel definitions, and the conversions
 * that reproduce tfjs-backend-cpu's arithmetic, which computes every element in JS doubles and
 * stores it into the output dtype's typed array (Float32Array rounds, Int32Array applies ToInt32).
 */

export type LowerableDtype = 'float32' | 'int32' | 'bool';

export type UnaryBuild = (g: GraphBuilder, x: Sym, call: KernelCall) => Sym;
export type BinaryBuild = (g: GraphBuilder, a: Sym, b: Sym, call: KernelCall) => Sym;

/** A one-input kernel with one implementation per input dtype; missing dtypes run on cpu. */
export function unaryKernel(kernelName: string, impls: Partial<Record<LowerableDtype, UnaryBuild>>): KernelLowering {
  return {
    kernelName,
    inputNames: ['x'],
    lower(g, [x], call) {
      const build = impls[x!.dtype as LowerableDtype];
      if (!build) throw new Unsupported(`${kernelName} on ${x!.dtype}`);
      return [build(g, x!, call)];
    },
  };
}

/**
 * A two-input kernel (inputs a, b) with one implementation per dtype. tfjs ops always make the
 * dtypes match; a direct kernel call with mixed dtypes goes to cpu.
 */
export function binaryKernel(kernelName: string, impls: Partial<Record<LowerableDtype, BinaryBuild>>): KernelLowering {
  return {
    kernelName,
    inputNames: ['a', 'b'],
    lower(g, [a, b], call) {
      if (a!.dtype !== b!.dtype) throw new Unsupported(`${kernelName} on ${a!.dtype} and ${b!.dtype}`);
      const build = impls[a!.dtype as LowerableDtype];
      if (!build) throw new Unsupported(`${kernelName} on ${a!.dtype}`);
      return [build(g, a!, b!, call)];
    },
  };
}

/** The common output type of an elementwise op. */
export function like(x: Sym, dtype: OnnxDtype = x.dtype): { dtype: OnnxDtype; rank: number } {
  return { dtype, rank: x.rank };
}

/** The output type of a broadcasting op over the given operands. */
export function broadcast(dtype: OnnxDtype, ...xs: Sym[]): { dtype: OnnxDtype; rank: number } {
  return { dtype, rank: Math.max(...xs.map((x) => x.rank)) };
}

/** A scalar constant of x's dtype. */
export function k(g: GraphBuilder, x: Sym, value: number | boolean): Sym {
  return g.scalar(x.dtype, value);
}

export function where(g: GraphBuilder, cond: Sym, a: Sym, b: Sym): Sym {
  return g.op('Where', [cond, a, b], {}, broadcast(a.dtype, cond, a, b));
}

export function compare(g: GraphBuilder, op: string, a: Sym, b: Sym): Sym {
  return g.op(op, [a, b], {}, broadcast('bool', a, b));
}

export function arith(g: GraphBuilder, op: string, a: Sym, b: Sym): Sym {
  return g.op(op, [a, b], {}, broadcast(a.dtype, a, b));
}

export function isNan(g: GraphBuilder, x: Sym): Sym {
  return g.op('IsNaN', [x], {}, like(x, 'bool'));
}

export interface ToInt32Options {
  /** The values are finite and below 2^63 in magnitude, so the modular reduction can be skipped. */
  bounded?: boolean;
}

/**
 * JS ToInt32 of a float tensor (what storing into an Int32Array does): NaN and infinities give 0,
 * other values truncate toward zero and wrap modulo 2^32. fmod is exact and the float to int64
 * Cast truncates. The wrap is explicit int64 arithmetic: ORT's optimizer folds a Cast chain
 * float -> int64 -> int32 into one saturating Cast.
 */
export function toInt32(g: GraphBuilder, x: Sym, opts: ToInt32Options = {}): Sym {
  let v = x;
  if (!opts.bounded) {
    const r = g.op('Mod', [x, k(g, x, 2 ** 32)], { fmod: 1 }, like(x));
    v = where(g, isNan(g, r), k(g, x, 0), r);
  }
  const i = cast(g, v, 'int64');
  const half = g.scalar('int64', 2 ** 31);
  const shifted = g.op('Mod', [arith(g, 'Add', i, half), g.scalar('int64', 2 ** 32)], { fmod: 0 }, like(i));
  return cast(g, arith(g, 'Sub', shifted, half), 'int32');
}

/**
 * Runs a float computation in float64, as the cpu kernel does in JS, and stores the result the
 * way the cpu kernel's typed array would for the given output dtype.
 */
export function inFloat64(build: UnaryBuild, out: 'float32' | 'int32', opts: ToInt32Options = {}): UnaryBuild {
  return (g, x, call) => {
    const y = build(g, cast(g, x, 'float64'), call);
    return out === 'float32' ? cast(g, y, 'float32') : toInt32(g, y, opts);
  };
}

export function inFloat64Binary(build: BinaryBuild, out: 'float32' | 'int32', opts: ToInt32Options = {}): BinaryBuild {
  return (g, a, b, call) => {
    const y = build(g, cast(g, a, 'float64'), cast(g, b, 'float64'), call);
    return out === 'float32' ? cast(g, y, 'float32') : toInt32(g, y, opts);
  };
}

/** Computes in float32 from an int32 input and stores the result with ToInt32. */
export function viaFloat32ToInt32(build: UnaryBuild): UnaryBuild {
  return (g, x, call) => toInt32(g, build(g, cast(g, x, 'float32'), call));
}

/** Applies a one-input ONNX op that keeps x's dtype. */
export function un(g: GraphBuilder, opType: string, x: Sym): Sym {
  return g.op(opType, [x], {}, like(x));
}

/** A single ONNX op applied to x, with x's dtype. */
export function op1(opType: string, attrs: Record<string, number> = {}, floatAttrs: string[] = []): UnaryBuild {
  return (g, x) => g.op(opType, [x], attrs, like(x), { floatAttrs });
}

/** A single broadcasting ONNX op on a and b, with a's dtype. */
export function op2(opType: string): BinaryBuild {
  return (g, a, b) => arith(g, opType, a, b);
}

export const identity = (g: GraphBuilder, x: Sym): Sym => g.op('Identity', [x], {}, like(x));
