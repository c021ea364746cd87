import { onnx } from 'onnx-proto';
import { AttrValue, GraphBuilder, Sym } from '../../src/onnx/graph_builder';
import type { OnnxDtype } from '../../src/onnx/dtypes';
import { OrtTensorClass, SyncSession } from '../../src/ort/sync_session';
import { prng } from '../parity/harness';

/**
 * The builder's folding is checked against ONNX Runtime: each op is built twice, once on graph inputs
 * of unknown shape (a node ORT computes) and once on constants or inputs of known shape (folded by the
 * builder), and both models must give the same values.
 */
interface Value {
  dtype: OnnxDtype;
  shape: number[];
  values: number[];
}

interface Case {
  name: string;
  op: string;
  inputs: Array<Value | null>;
  attrs?: Record<string, AttrValue>;
  out: { dtype: OnnxDtype; rank: number };
  /** Folding must not happen (ORT decides: an out-of-range index, a float computation). */
  kept?: boolean;
}

const i64 = (values: number[], shape = [values.length]): Value => ({ dtype: 'int64', shape, values });
const i32 = (values: number[], shape = [values.length]): Value => ({ dtype: 'int32', shape, values });
const f32 = (values: number[], shape = [values.length]): Value => ({ dtype: 'float32', shape, values });
const bool = (values: number[], shape = [values.length]): Value => ({ dtype: 'bool', shape, values });

function ortTensor(v: Value): OrtTensorClass {
  switch (v.dtype) {
    case 'int64': return new OrtTensorClass('int64', BigInt64Array.from(v.values.map(BigInt)), v.shape);
    case 'int32': return new OrtTensorClass('int32', Int32Array.from(v.values), v.shape);
    case 'bool': return new OrtTensorClass('bool', Uint8Array.from(v.values), v.shape);
    default: return new OrtTensorClass('float32', Float32Array.from(v.values), v.shape);
  }
}

function run(model: Uint8Array, feeds: Value[]): number[] {
  const [out] = new SyncSession(model, { graphOptimizationLevel: 'disabled' }).run(feeds.map(ortTensor));
  return Array.from(out.data as ArrayLike<number | bigint>, Number);
}

function nodes(model: Uint8Array): string[] {
  return onnx.ModelProto.decode(model).graph!.node!.map((n) => n.opType!);
}

/** The op on graph inputs of unknown shape: nothing to fold, ORT computes it. */
function unfolded(c: Case): { model: Uint8Array; feeds: Value[] } {
  const g = new GraphBuilder('unfolded');
  const feeds: Value[] = [];
  const syms = c.inputs.map((v) => {
    if (!v) return null;
    feeds.push(v);
    return g.input(v.dtype, v.shape.length);
  });
  g.output(g.op(c.op, syms, c.attrs ?? {}, c.out));
  return { model: g.build(), feeds };
}

/** The op on constants (Shape and Size: on an input of known shape). */
function folded(c: Case): { model: Uint8Array; feeds: Value[] } {
  const g = new GraphBuilder('folded');
  const feeds: Value[] = [];
  const syms = c.inputs.map((v): Sym | null => {
    if (!v) return null;
    if (c.op === 'Shape' || c.op === 'Size') {
      feeds.push(v);
      return g.input(v.dtype, v.shape.length, v.shape);
    }
    return g.constant(v.dtype, v.values, v.shape);
  });
  g.output(g.op(c.op, syms, c.attrs ?? {}, c.out));
  return { model: g.build(), feeds };
}

const CASES: Case[] = [
  { name: 'Shape', op: 'Shape', inputs: [f32(new Array(24).fill(1), [2, 3, 4])], out: { dtype: 'int64', rank: 1 } },
  { name: 'Shape with start and end', op: 'Shape', inputs: [f32(new Array(24).fill(1), [2, 3, 4])], attrs: { start: -2, end: 10 }, out: { dtype: 'int64', rank: 1 } },
  { name: 'Size', op: 'Size', inputs: [f32(new Array(6).fill(1), [2, 3])], out: { dtype: 'int64', rank: 0 } },
  { name: 'Gather of dims', op: 'Gather', inputs: [i64([4, 32, 32, 8]), i64([0, 1, 2])], attrs: { axis: 0 }, out: { dtype: 'int64', rank: 1 } },
  { name: 'Gather with negative indices on axis 1', op: 'Gather', inputs: [i32([1, 2, 3, 4, 5, 6], [2, 3]), i64([-1, 0, 2, 1], [2, 2])], attrs: { axis: 1 }, out: { dtype: 'int32', rank: 3 } },
  { name: 'Gather of floats (moves values)', op: 'Gather', inputs: [f32([0.1, 0.2, 0.3]), i64([2, 0])], out: { dtype: 'float32', rank: 1 } },
  { name: 'Gather out of range is ORT\'s', op: 'Gather', inputs: [i64([1, 2]), i64([5])], out: { dtype: 'int64', rank: 1 }, kept: true },
  { name: 'ReduceProd', op: 'ReduceProd', inputs: [i64([4, 32, 32]), null], attrs: { keepdims: 0 }, out: { dtype: 'int64', rank: 0 } },
  { name: 'ReduceSum over an axis', op: 'ReduceSum', inputs: [i32([1, 2, 3, 4, 5, 6], [2, 3]), i64([1])], attrs: { keepdims: 1 }, out: { dtype: 'int32', rank: 2 } },
  { name: 'ReduceMax over axis 0', op: 'ReduceMax', inputs: [i64([1, 9, 3, 4, 5, 6], [2, 3]), i64([0])], attrs: { keepdims: 0 }, out: { dtype: 'int64', rank: 1 } },
  { name: 'ReduceMin of all', op: 'ReduceMin', inputs: [i64([7, 9, 3, 4], [2, 2])], out: { dtype: 'int64', rank: 2 } },
  { name: 'Concat', op: 'Concat', inputs: [i64([-1]), i64([4, 5])], attrs: { axis: 0 }, out: { dtype: 'int64', rank: 1 } },
  { name: 'Concat on axis 1', op: 'Concat', inputs: [i32([1, 2], [2, 1]), i32([3, 4, 5, 6], [2, 2])], attrs: { axis: -1 }, out: { dtype: 'int32', rank: 2 } },
  { name: 'Cast int64 to float', op: 'Cast', inputs: [i64([4096, 16777217])], attrs: { to: 1 }, out: { dtype: 'float32', rank: 1 } },
  { name: 'Cast int64 to int32', op: 'Cast', inputs: [i64([-3, 7])], attrs: { to: 6 }, out: { dtype: 'int32', rank: 1 } },
  { name: 'Cast to bool', op: 'Cast', inputs: [i32([0, 3, -1])], attrs: { to: 9 }, out: { dtype: 'bool', rank: 1 } },
  { name: 'Cast float to int is ORT\'s', op: 'Cast', inputs: [f32([2.5, -1.5])], attrs: { to: 6 }, out: { dtype: 'int32', rank: 1 }, kept: true },
  { name: 'Cast out of int32 range is ORT\'s', op: 'Cast', inputs: [i64([2 ** 33])], attrs: { to: 6 }, out: { dtype: 'int32', rank: 1 }, kept: true },
  { name: 'Add with broadcast', op: 'Add', inputs: [i64([1, 2, 3], [3, 1]), i64([10, 20])], out: { dtype: 'int64', rank: 2 } },
  { name: 'Sub', op: 'Sub', inputs: [i32([5, 1]), i32([7, 1])], out: { dtype: 'int32', rank: 1 } },
  { name: 'Mul', op: 'Mul', inputs: [i64([3, -4]), i64([5])], out: { dtype: 'int64', rank: 1 } },
  { name: 'Div truncates', op: 'Div', inputs: [i64([7, -7, 6]), i64([2, 2, -4])], out: { dtype: 'int64', rank: 1 } },
  { name: 'Div by zero is ORT\'s', op: 'Div', inputs: [i32([7]), i32([0])], out: { dtype: 'int32', rank: 1 }, kept: true },
  { name: 'float arithmetic is ORT\'s', op: 'Mul', inputs: [f32([0.1]), f32([3])], out: { dtype: 'float32', rank: 1 }, kept: true },
  { name: 'int32 overflow is ORT\'s', op: 'Mul', inputs: [i32([65536]), i32([65536])], out: { dtype: 'int32', rank: 1 }, kept: true },
  { name: 'Max of three', op: 'Max', inputs: [i64([1, 5]), i64([4, 2]), i64([3])], out: { dtype: 'int64', rank: 1 } },
  { name: 'Neg', op: 'Neg', inputs: [i64([1, -5])], out: { dtype: 'int64', rank: 1 } },
  { name: 'Abs', op: 'Abs', inputs: [i32([1, -5])], out: { dtype: 'int32', rank: 1 } },
  { name: 'Less', op: 'Less', inputs: [i64([0, 1, 2]), i64([1], [1])], out: { dtype: 'bool', rank: 1 } },
  { name: 'Equal on bools', op: 'Equal', inputs: [bool([0, 1, 1]), bool([0, 0, 1])], out: { dtype: 'bool', rank: 1 } },
  { name: 'GreaterOrEqual', op: 'GreaterOrEqual', inputs: [i32([0, 1, 2]), i32([1])], out: { dtype: 'bool', rank: 1 } },
  { name: 'Not', op: 'Not', inputs: [bool([0, 1])], out: { dtype: 'bool', rank: 1 } },
  { name: 'And', op: 'And', inputs: [bool([0, 1, 1]), bool([1, 1, 0])], out: { dtype: 'bool', rank: 1 } },
  { name: 'Where', op: 'Where', inputs: [bool([1, 0, 1]), f32([0.5, 1.5, 2.5]), f32([-1])], out: { dtype: 'float32', rank: 1 } },
  { name: 'Range', op: 'Range', inputs: [i64([0], []), i64([7], []), i64([2], [])], out: { dtype: 'int64', rank: 1 } },
  { name: 'Range downwards', op: 'Range', inputs: [i32([5], []), i32([-2], []), i32([-3], [])], out: { dtype: 'int32', rank: 1 } },
  { name: 'Reshape with 0 and -1', op: 'Reshape', inputs: [i64([1, 2, 3, 4, 5, 6], [2, 3]), i64([0, -1, 1])], out: { dtype: 'int64', rank: 3 } },
  { name: 'Unsqueeze', op: 'Unsqueeze', inputs: [i64([1, 2]), i64([0, -1])], out: { dtype: 'int64', rank: 3 } },
  { name: 'Squeeze', op: 'Squeeze', inputs: [i64([3], [1, 1]), i64([0])], out: { dtype: 'int64', rank: 1 } },
  { name: 'Squeeze of all unit dims', op: 'Squeeze', inputs: [i64([3], [1, 1])], out: { dtype: 'int64', rank: 0 } },
  { name: 'Squeeze with axes given as absent is ORT\'s', op: 'Squeeze', inputs: [i64([3], [1, 1]), null], out: { dtype: 'int64', rank: 0 }, kept: true },
  { name: 'Transpose', op: 'Transpose', inputs: [i32([1, 2, 3, 4, 5, 6], [2, 3])], attrs: { perm: [1, 0] }, out: { dtype: 'int32', rank: 2 } },
  { name: 'Expand', op: 'Expand', inputs: [i32([1, 2], [2, 1]), i64([2, 3])], out: { dtype: 'int32', rank: 2 } },
  { name: 'Slice', op: 'Slice', inputs: [i64([4, 32, 32, 8]), i64([1]), i64([Number.MAX_SAFE_INTEGER])], out: { dtype: 'int64', rank: 1 } },
  { name: 'Slice backwards with axes and steps', op: 'Slice', inputs: [i32([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [3, 4]), i64([-1, 10]), i64([-100, 0]), i64([1, 0]), i64([-2, -1])], out: { dtype: 'int32', rank: 2 } },
  { name: 'Identity', op: 'Identity', inputs: [f32([1.5])], out: { dtype: 'float32', rank: 1 } },
];

describe('the graph builder folds what it can compute', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const a = unfolded(c);
    const b = folded(c);
    const computed = nodes(b.model).filter((op) => op !== 'Identity');
    if (c.kept) {
      expect(computed).toEqual([c.op]);
    } else {
      expect(computed).toEqual([]);
    }
    const expected = (() => {
      try {
        return run(a.model, a.feeds);
      } catch (e) {
        return `ORT failed: ${String(e).split('\n')[0]}`;
      }
    })();
    if (typeof expected === 'string') {
      // ORT rejects the op at run time (an index out of range): the kept node must fail the same way.
      expect(() => run(b.model, b.feeds)).toThrow();
    } else {
      expect(run(b.model, b.feeds)).toEqual(expected);
    }
  });

  it('agrees with ORT on random Gather, Slice, Concat, Transpose and reductions of int64 tensors', () => {
    const next = prng(7);
    const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
    const tensor = (shape: number[]): Value => i64(Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => int(-9, 9)), shape);
    for (let trial = 0; trial < 60; trial++) {
      const rank = int(1, 3);
      const shape = Array.from({ length: rank }, () => int(1, 4));
      const x = tensor(shape);
      const axis = int(-rank, rank - 1);
      const cases: Case[] = [
        { name: 'gather', op: 'Gather', inputs: [x, i64([int(-shape[(axis + rank) % rank], shape[(axis + rank) % rank] - 1)])], attrs: { axis }, out: { dtype: 'int64', rank } },
        { name: 'slice', op: 'Slice', inputs: [x, i64([int(-5, 5)]), i64([int(-5, 5)]), i64([axis]), i64([[-2, -1, 1, 2][int(0, 3)]])], out: { dtype: 'int64', rank } },
        { name: 'concat', op: 'Concat', inputs: [x, x], attrs: { axis }, out: { dtype: 'int64', rank } },
        { name: 'transpose', op: 'Transpose', inputs: [x], attrs: { perm: shape.map((_, i) => i).sort(() => next() - 0.5) }, out: { dtype: 'int64', rank } },
        { name: 'sum', op: 'ReduceSum', inputs: [x, i64([axis])], attrs: { keepdims: int(0, 1) }, out: { dtype: 'int64', rank } },
        { name: 'prod', op: 'ReduceProd', inputs: [x, i64([axis])], attrs: { keepdims: 1 }, out: { dtype: 'int64', rank } },
      ];
      for (const c of cases) {
        if (c.name === 'sum' && c.attrs!.keepdims === 0) c.out = { dtype: 'int64', rank: rank - 1 };
        const a = unfolded(c);
        const b = folded(c);
        expect({ trial, op: c.name, nodes: nodes(b.model).filter((op) => op !== 'Identity') }).toEqual({ trial, op: c.name, nodes: [] });
        expect({ trial, op: c.name, values: run(b.model, b.feeds) }).toEqual({ trial, op: c.name, values: run(a.model, a.feeds) });
      }
    }
  });

  it('knows the shapes that follow from known ones, and drops reshapes that change nothing', () => {
    const g = new GraphBuilder('shapes');
    const x = g.input('float32', 4, [2, 8, 8, 3]);
    const y = g.op('Relu', [g.op('Transpose', [x], { perm: [0, 3, 1, 2] }, { dtype: 'float32', rank: 4 })], {}, { dtype: 'float32', rank: 4 });
    expect(g.shapeOf(y)).toEqual([2, 3, 8, 8]);
    const flat = g.op('Reshape', [y, g.int64s([0, -1])], {}, { dtype: 'float32', rank: 2 });
    expect(g.shapeOf(flat)).toEqual([2, 192]);
    const summed = g.op('ReduceSum', [flat, g.int64s([1])], { keepdims: 1 }, { dtype: 'float32', rank: 2 });
    expect(g.shapeOf(g.op('Add', [summed, flat], {}, { dtype: 'float32', rank: 2 }))).toEqual([2, 192]);
    // The mean's count: Shape, Gather, ReduceProd and Cast of a known shape are one constant.
    const count = g.op('Cast', [g.op('ReduceProd', [g.op('Gather', [g.op('Shape', [x], {}, { dtype: 'int64', rank: 1 }), g.int64s([1, 2])], { axis: 0 }, { dtype: 'int64', rank: 1 })], { keepdims: 0 }, { dtype: 'int64', rank: 0 })], { to: 1 }, { dtype: 'float32', rank: 0 });
    expect(g.op('Reshape', [flat, g.int64s([2, 192])], {}, { dtype: 'float32', rank: 2 })).toBe(flat);
    g.output(g.op('Div', [flat, count], {}, { dtype: 'float32', rank: 2 }));
    expect(nodes(g.build())).toEqual(['Transpose', 'Relu', 'Reshape', 'Div']);
  });

  it('rejects a shape from outside that contradicts its inference', () => {
    const g = new GraphBuilder('contradiction');
    const x = g.input('float32', 2, [2, 3]);
    const y = g.op('Relu', [x], {}, { dtype: 'float32', rank: 2 });
    expect(() => g.knowShape(y, [3, 2])).toThrow(/inferred to have shape \[2,3\]/);
  });

  it('gives an output that is a graph input or a constant a name of its own', () => {
    const g = new GraphBuilder('outputs');
    const x = g.input('float32', 1, [3]);
    g.output(x);
    g.output(g.op('Shape', [x], {}, { dtype: 'int64', rank: 1 }));
    g.output(x);
    const model = onnx.ModelProto.decode(g.build());
    expect(model.graph!.node!.map((n) => n.opType)).toEqual(['Identity', 'Identity', 'Identity']);
    const outs = new SyncSession(g.build(), { graphOptimizationLevel: 'disabled' }).run([ortTensor(f32([1, 2, 3]))]);
    expect(outs.map((o) => Array.from(o.data as ArrayLike<number | bigint>, Number))).toEqual([[1, 2, 3], [3], [1, 2, 3]]);
  });
});
