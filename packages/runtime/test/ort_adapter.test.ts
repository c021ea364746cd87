import { GraphBuilder } from '../src/onnx/graph_builder';
import { OrtTensorClass, SyncSession } from '../src/ort/sync_session';

// The adapter reaches into onnxruntime-node's native binding; these pin its behaviour to 1.30.0.
describe('SyncSession (onnxruntime-node binding adapter)', () => {
  function addModel(): Uint8Array {
    const g = new GraphBuilder();
    const a = g.input('float32', 2);
    const b = g.input('float32', 1);
    g.output(g.op('Add', [a, b], {}, { dtype: 'float32', rank: 2 }));
    return g.build();
  }

  it('runs synchronously with positional inputs and symbolic dims', () => {
    const s = new SyncSession(addModel(), { graphOptimizationLevel: 'all' });
    expect(s.inputNames).toHaveLength(2);
    const [out] = s.run([
      new OrtTensorClass('float32', new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]),
      new OrtTensorClass('float32', new Float32Array([10, 20, 30]), [3]),
    ]);
    expect(out.dims).toEqual([2, 3]);
    expect(Array.from(out.data as Float32Array)).toEqual([11, 22, 33, 14, 25, 36]);
    const [empty] = s.run([
      new OrtTensorClass('float32', new Float32Array(0), [0, 3]),
      new OrtTensorClass('float32', new Float32Array([1, 2, 3]), [3]),
    ]);
    expect(empty.dims).toEqual([0, 3]);
    s.dispose();
  });

  it('passes bool tensors as Uint8Array', () => {
    const g = new GraphBuilder();
    const x = g.input('bool', 1);
    g.output(g.op('Not', [x], {}, { dtype: 'bool', rank: 1 }));
    const s = new SyncSession(g.build(), {});
    const [out] = s.run([new OrtTensorClass('bool', new Uint8Array([1, 0, 1]), [3])]);
    expect(Array.from(out.data as Uint8Array)).toEqual([0, 1, 0]);
  });

  it('surfaces ORT errors as exceptions', () => {
    const s = new SyncSession(addModel(), {});
    expect(() => s.run([
      new OrtTensorClass('float32', new Float32Array(6), [2, 3]),
      new OrtTensorClass('float32', new Float32Array(4), [4]),
    ])).toThrow();
    expect(() => new SyncSession(new Uint8Array([1, 2, 3]), {})).toThrow();
  });
});
