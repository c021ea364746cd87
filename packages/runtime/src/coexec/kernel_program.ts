/**
 * A batch as a kernel program (graph_runner/protocol.ts): how a segment's first occurrence runs in the
 * GraphRunner while ORT creates the segment's session. Each kernel runs on the single-kernel session
 * eager execution would run it on, so the values are the host's, and JS goes on as for any run.
 */
import type { KernelModel } from '../eager/eager_executor';
import type { KernelProgram } from '../graph_runner/protocol';
import type { TensorSig } from '../trace/trace';
import type { BatchOutput, PendingBatch } from './pending_batch';

export interface BatchProgram {
  readonly program: KernelProgram;
  /** The batch's externals the program takes, by slot, in the order of its inputs. */
  readonly slots: readonly number[];
  /** The kernels' models, by key. */
  readonly models: ReadonlyMap<string, Uint8Array>;
}

/** The single-kernel model of a kernel call; undefined if the call would not run on ORT. */
export type ModelOf = (kernelName: string, inputs: ReadonlyArray<{ readonly name: string } & TensorSig>, attrs: string) =>
  KernelModel | undefined;

/**
 * The program computing `outputs` (kernels no output depends on are left out); undefined if one of
 * its kernels has no single-kernel model.
 */
export function kernelProgram(batch: PendingBatch, outputs: readonly BatchOutput[], modelOf: ModelOf): BatchProgram | undefined {
  const kernels = batch.kernelList();
  const needed = new Set(outputs.map((o) => o.op));
  for (let op = kernels.length - 1; op >= 0; op--) {
    if (!needed.has(op)) continue;
    for (const input of kernels[op].inputs) if (input.ref.kind === 'op') needed.add(input.ref.op);
  }
  const calls: Array<{ op: number; model: KernelModel }> = [];
  const slots: number[] = [];
  const slotNumbers = new Map<number, number>();
  for (let op = 0; op < kernels.length; op++) {
    if (!needed.has(op)) continue;
    const k = kernels[op];
    const model = modelOf(k.kernelName, k.inputs, k.attrs);
    if (!model) return undefined;
    calls.push({ op, model });
    for (const i of model.order) {
      const ref = k.inputs[i].ref;
      if (ref.kind === 'ext' && !slotNumbers.has(ref.slot)) {
        slotNumbers.set(ref.slot, slots.length);
        slots.push(ref.slot);
      }
    }
  }
  // Values are numbered as the worker holds them: the inputs, then each step's outputs.
  const firstOutput = new Map<number, number>();
  let next = slots.length;
  const steps: KernelProgram['steps'] = [];
  const models = new Map<string, Uint8Array>();
  for (const { op, model } of calls) {
    const k = kernels[op];
    models.set(model.key, model.model);
    const inputs = model.order.map((i) => {
      const ref = k.inputs[i].ref;
      return ref.kind === 'op' ? firstOutput.get(ref.op)! + ref.output : slotNumbers.get(ref.slot)!;
    });
    steps.push({ kernel: model.key, inputs, outputs: k.outputs.length });
    firstOutput.set(op, next);
    next += k.outputs.length;
  }
  return {
    program: { steps, inputs: slots.length, outputs: outputs.map((o) => firstOutput.get(o.op)! + o.output) }, slots, models,
  };
}
