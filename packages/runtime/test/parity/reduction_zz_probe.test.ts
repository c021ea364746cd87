import { GraphBuilder, Sym } from '../../src/onnx/graph_builder';
import { SyncSession, OrtTensorClass } from '../../src/ort/sync_session';

function run(build: (g: GraphBuilder, x: Sym) => Sym[], dtype: any, data: number[], shape: number[]): any {
  const g = new GraphBuilder('p');
  const x = g.input(dtype, shape.length);
  const outs = build(g, x);
  outs.forEach((o) => g.output(o));
  try {
    const s = new SyncSession(g.build(), {});
    const Ctor: any = dtype === 'float32' ? Float32Array : dtype === 'int32' ? Int32Array : dtype === 'int64' ? BigInt64Array : Uint8Array;
    const arr = dtype === 'int64' ? new Ctor(data.map(BigInt)) : new Ctor(data);
    const r = s.run([new OrtTensorClass(dtype, arr, shape)]);
    return r.map((t) => [t.dims, Array.from(t.data as any).map(String)]);
  } catch (e) { return 'ERR ' + String(e).slice(0, 200); }
}
const red = (op: string, axes: number[], dtype: any, keep = 0) => (g: GraphBuilder, x: Sym) =>
  [g.op(op, [x, g.int64s(axes)], { keepdims: keep }, { dtype, rank: x.rank - (keep ? 0 : axes.length) })];

test('probe', () => {
  const log: string[] = [];
  const only = process.env.PROBE; const p = (name: string, v: () => any) => { if (only ? !name.startsWith(only) : name.startsWith('X')) return; process.stderr.write(name + '\n'); log.push(name + ': ' + JSON.stringify(v())); };
  p('ReduceMax NaN', () => run(red('ReduceMax', [1], 'float32'), 'float32', [1, NaN, 3, 4, 5, 6], [2, 3]));
  p('ReduceMax NaN first', () => run(red('ReduceMax', [1], 'float32'), 'float32', [NaN, 1, 3, 4, 5, NaN], [2, 3]));
  p('ReduceMin NaN', () => run(red('ReduceMin', [1], 'float32'), 'float32', [1, NaN, 3, 4, 5, 6], [2, 3]));
  p('ReduceMax empty', () => run(red('ReduceMax', [1], 'float32'), 'float32', [], [2, 0]));
  p('ReduceMin empty int32', () => run(red('ReduceMin', [1], 'int32'), 'int32', [], [2, 0]));
  p('ReduceMax int32', () => run(red('ReduceMax', [1], 'int32'), 'int32', [1, 2, 3, 4, 5, 6], [2, 3]));
  p('ReduceMax uint8', () => run((g, x) => [g.op('Cast', [g.op('ReduceMax', [g.op('Cast', [x], { to: 2 }, { dtype: 'uint8', rank: 2 }), g.int64s([1])], { keepdims: 0 }, { dtype: 'uint8', rank: 1 })], { to: 9 }, { dtype: 'bool', rank: 1 })], 'bool', [0, 1, 0, 0, 0, 0], [2, 3]));
  p('ReduceSum int32', () => run(red('ReduceSum', [1], 'int32'), 'int32', [2147483647, 1, 3, 4, 5, 6], [2, 3]));
  p('ReduceSum int64', () => run(red('ReduceSum', [1], 'int64'), 'int64', [2147483647, 1, 3, 4, 5, 6], [2, 3]));
  p('ReduceProd int64', () => run(red('ReduceProd', [1], 'int64'), 'int64', [2147483647, 1, 3, 4, 5, 6], [2, 3]));
  p('ReduceSum empty', () => run(red('ReduceSum', [1], 'float32'), 'float32', [], [2, 0]));
  p('ReduceSum emptyaxes', () => run(red('ReduceSum', [], 'float32', 1), 'float32', [1, 2], [2]));
  p('ArgMax NaN', () => run((g, x) => [g.op('ArgMax', [x], { axis: 1, keepdims: 0 }, { dtype: 'int64', rank: 1 })], 'float32', [1, NaN, 3, NaN, 5, 6], [2, 3]));
  p('ArgMax ties', () => run((g, x) => [g.op('ArgMax', [x], { axis: 1, keepdims: 0 }, { dtype: 'int64', rank: 1 })], 'float32', [3, 1, 3, 6, 5, 6], [2, 3]));
  p('ArgMax int32', () => run((g, x) => [g.op('ArgMax', [x], { axis: 1, keepdims: 0 }, { dtype: 'int64', rank: 1 })], 'int32', [3, 1, 3, 6, 5, 6], [2, 3]));
  p('ArgMax empty', () => run((g, x) => [g.op('ArgMax', [x], { axis: 1, keepdims: 0 }, { dtype: 'int64', rank: 1 })], 'float32', [], [2, 0]));
  const topk = (k: number, dtype: any) => (g: GraphBuilder, x: Sym) => g.opMulti('TopK', [x, g.int64s([k])], { axis: -1, largest: 1, sorted: 1 }, [{ dtype, rank: x.rank }, { dtype: 'int64', rank: x.rank }]);
  p('TopK ties', () => run(topk(3, 'float32'), 'float32', [1, 3, 3, 2, 3, 0, -0, 0, 5, 0], [10]));
  p('TopK int32', () => run(topk(2, 'int32'), 'int32', [1, 3, 3, 2], [4]));
  p('TopK k0', () => run(topk(0, 'float32'), 'float32', [1, 3, 3, 2], [4]));
  p('XTopK empty batch', () => run(topk(2, 'float32'), 'float32', [], [0, 4]));
  p('TopK inf', () => run(topk(4, 'float32'), 'float32', [Infinity, 1, Infinity, -Infinity, -Infinity], [5]));
  const sm = (g: GraphBuilder, x: Sym) => [g.op('Softmax', [x], { axis: -1 }, { dtype: 'float32', rank: x.rank })];
  p('Softmax inf', () => run(sm, 'float32', [Infinity, 1, -Infinity, -Infinity, NaN, 1, 2, 3, 4], [3, 3]));
  p('CumSum int32', () => run((g, x) => [g.op('CumSum', [x, g.scalar('int64', 0)], { exclusive: 1, reverse: 1 }, { dtype: 'int32', rank: 1 })], 'int32', [2147483647, 1, 2], [3]));
  p('CumSum int32 axis int32', () => run((g, x) => [g.op('CumSum', [x, g.scalar('int32', 0)], {}, { dtype: 'int32', rank: 1 })], 'int32', [2147483647, 1, 2], [3]));
  p('CumSum empty', () => run((g, x) => [g.op('CumSum', [x, g.scalar('int64', 1)], {}, { dtype: 'float32', rank: 2 })], 'float32', [], [2, 0]));
  p('Cast big double->int32', () => run((g, x) => [g.op('Cast', [g.op('Cast', [x], { to: 11 }, { dtype: 'float64', rank: 1 })], { to: 6 }, { dtype: 'int32', rank: 1 })], 'float32', [3e9, -3e9, Infinity, NaN], [4]));
  p('Cast int64->int32 wrap', () => run((g, x) => [g.op('Cast', [x], { to: 6 }, { dtype: 'int32', rank: 1 })], 'int64', [4294967297, 2147483648], [2]));
  p('YTopK k0 n0', () => run(topk(0, 'float32'), 'float32', [], [3, 0]));
  p('ZTopK k0 1d0', () => run(topk(0, 'float32'), 'float32', [], [0]));
  p('WTopK k0 batch0', () => run(topk(0, 'float32'), 'float32', [], [0, 3]));
  console.log(log.join('\n'));
});
