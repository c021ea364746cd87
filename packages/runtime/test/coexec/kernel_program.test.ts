/**
 * A batch as a kernel program: the wiring the GraphRunner runs it by (kernel_program.ts). The values
 * it computes are checked end to end in first_occurrence.test.ts.
 */
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';
import { kernelProgram, ModelOf } from '../../src/coexec/kernel_program';
import { PendingBatch } from '../../src/coexec/pending_batch';

const sig = { dtype: 'float32' as const, shape: [2] };
// tfjs knows a buffer by its dataId object: one object per id.
const ids = new Map<number, DataId>();
const dataId = (id: number): DataId => {
  if (!ids.has(id)) ids.set(id, { id });
  return ids.get(id)!;
};
const info = (id: number): TensorInfo => ({ dataId: dataId(id), ...sig });
const out = (id: number) => ({ dataId: dataId(id), ...sig });

/** Kernels by name; 'Div' takes its inputs in the order (b, a) as a lowering with inputNames may. */
const models: ModelOf = (kernelName, inputs) => {
  if (kernelName === 'Unlowerable') return undefined;
  const order = kernelName === 'Div' ? [inputs.findIndex((i) => i.name === 'b'), inputs.findIndex((i) => i.name === 'a')] : inputs.map((_, i) => i);
  return { key: `${kernelName}:${inputs.length}`, model: new Uint8Array([kernelName.length]), order };
};

function batch(): PendingBatch {
  const b = new PendingBatch();
  const external = (t: TensorInfo) => ({ dataId: t.dataId, dtype: t.dtype, shape: t.shape, worker: (t.dataId as { id: number }).id });
  // x=1, y=2 from outside; s = x + y; unused = exp(x); q = y / s (inputs a=s, b=y); r = s * q.
  b.add(0, 'Add', '{}', [['a', info(1)], ['b', info(2)]], [out(10)], external);
  b.add(1, 'Exp', '{}', [['x', info(1)]], [out(11)], external);
  b.add(2, 'Div', '{}', [['a', info(10)], ['b', info(2)]], [out(12)], external);
  b.add(3, 'Mul', '{}', [['a', info(10)], ['b', info(12)]], [out(13)], external);
  return b;
}

test('numbers the inputs first, then each kept kernel\'s outputs; kernels no output needs are left out', () => {
  const b = batch();
  const built = kernelProgram(b, [{ op: 3, output: 0, dataId: dataId(13) }, { op: 0, output: 0, dataId: dataId(10) }], models)!;
  // Externals by slot: x is slot 0, y slot 1; both are used by Add.
  expect(built.slots).toEqual([0, 1]);
  expect(built.program).toEqual({
    inputs: 2,
    steps: [
      { kernel: 'Add:2', inputs: [0, 1], outputs: 1 },
      // The model's input order, not the batch's: b (y, value 1) before a (s, value 2).
      { kernel: 'Div:2', inputs: [1, 2], outputs: 1 },
      { kernel: 'Mul:2', inputs: [2, 3], outputs: 1 },
    ],
    outputs: [4, 2],
  });
  expect([...built.models.keys()]).toEqual(['Add:2', 'Div:2', 'Mul:2']);
});

test('takes only the externals its kept kernels read', () => {
  const b = new PendingBatch();
  const external = (t: TensorInfo) => ({ dataId: t.dataId, dtype: t.dtype, shape: t.shape, worker: 0 });
  b.add(0, 'Exp', '{}', [['x', info(1)]], [out(10)], external);
  b.add(1, 'Neg', '{}', [['x', info(2)]], [out(11)], external);
  const built = kernelProgram(b, [{ op: 1, output: 0, dataId: dataId(11) }], models)!;
  expect(built.slots).toEqual([1]);
  expect(built.program).toEqual({ inputs: 1, steps: [{ kernel: 'Neg:1', inputs: [0], outputs: 1 }], outputs: [1] });
});

test('none if a kept kernel has no single-kernel model; an unneeded one does not matter', () => {
  const b = new PendingBatch();
  const external = (t: TensorInfo) => ({ dataId: t.dataId, dtype: t.dtype, shape: t.shape, worker: 0 });
  b.add(0, 'Unlowerable', '{}', [['x', info(1)]], [out(10)], external);
  b.add(1, 'Neg', '{}', [['x', info(1)]], [out(11)], external);
  expect(kernelProgram(b, [{ op: 0, output: 0, dataId: dataId(10) }], models)).toBeUndefined();
  expect(kernelProgram(b, [{ op: 1, output: 0, dataId: dataId(11) }], models)).toBeDefined();
});
