import { onnx } from 'onnx-proto';
import { OnnxDtype, onnxElementType } from './dtypes';

/** The ONNX opset every lowering targets. */
export const OPSET = 18;

/** A value in a graph under construction: its name, element type and rank (shapes stay symbolic). */
export interface Sym {
  readonly name: string;
  readonly dtype: OnnxDtype;
  readonly rank: number;
}

export type AttrValue = number | string | number[] | string[] | onnx.ITensorProto;

/** Attributes whose numbers must be encoded as floats even when they happen to be integral. */
export interface NodeOptions {
  floatAttrs?: string[];
  /** Number of outputs when the op produces more than one. */
  outputs?: Array<{ dtype: OnnxDtype; rank: number }>;
}

/**
 * Builds one ONNX model: graph inputs with symbolic dimensions, nodes, constants and outputs.
 * It serves single-kernel models (eager execution) as well as multi-kernel segments.
 */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private counter = 0;

  constructor(private readonly graphName = 'terra') {}

  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  /**
   * Declares a graph input; dims are symbolic unless a concrete shape is given, and then the
   * leading dim may still be left symbolic.
   */
  input(dtype: OnnxDtype, rank: number, shape?: readonly number[], symbolicBatch = false): Sym {
    const name = `in${this.inputs.length}`;
    const dims = Array.from({ length: rank }, (_, i) =>
      shape && !(symbolicBatch && i === 0) ? { dimValue: shape[i] } : { dimParam: `${name}_d${i}` });
    this.inputs.push({
      name,
      type: { tensorType: { elemType: onnxElementType(dtype), shape: { dim: dims } } },
    });
    return { name, dtype, rank };
  }

  output(value: Sym): void {
    this.outputs.push({
      name: value.name,
      type: {
        tensorType: {
          elemType: onnxElementType(value.dtype),
          shape: { dim: Array.from({ length: value.rank }, (_, i) => ({ dimParam: `${value.name}_o${i}` })) },
        },
      },
    });
  }

  /** Emits a node with one output of the given type. */
  op(opType: string, inputs: Array<Sym | null>, attrs: Record<string, AttrValue | undefined>,
    out: { dtype: OnnxDtype; rank: number }, options: NodeOptions = {}): Sym {
    return this.opMulti(opType, inputs, attrs, [out], options)[0];
  }

  /** Emits a node with several outputs. A null input is ONNX's "absent optional input". */
  opMulti(opType: string, inputs: Array<Sym | null>, attrs: Record<string, AttrValue | undefined>,
    outs: Array<{ dtype: OnnxDtype; rank: number }>, options: NodeOptions = {}): Sym[] {
    const outputs = outs.map((o) => ({ name: this.fresh(opType.toLowerCase()), ...o }));
    this.nodes.push({
      opType,
      input: inputs.map((s) => (s ? s.name : '')),
      output: outputs.map((o) => o.name),
      attribute: encodeAttributes(attrs, options.floatAttrs ?? []),
    });
    return outputs;
  }

  /** A constant tensor, stored as an initializer. */
  constant(dtype: OnnxDtype, values: ArrayLike<number | boolean>, shape: readonly number[]): Sym {
    const name = this.fresh('const');
    this.initializers.push(tensorProto(name, dtype, values, shape));
    return { name, dtype, rank: shape.length };
  }

  scalar(dtype: OnnxDtype, value: number | boolean): Sym {
    return this.constant(dtype, [value], []);
  }

  int64s(values: readonly number[]): Sym {
    return this.constant('int64', values, [values.length]);
  }

  build(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'terra.js',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.graphName,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function encodeAttributes(attrs: Record<string, AttrValue | undefined>, floatAttrs: string[]): onnx.IAttributeProto[] {
  const out: onnx.IAttributeProto[] = [];
  const T = onnx.AttributeProto.AttributeType;
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    const asFloat = floatAttrs.includes(name);
    if (typeof value === 'number') {
      out.push(asFloat ? { name, type: T.FLOAT, f: value } : { name, type: T.INT, i: value });
    } else if (typeof value === 'string') {
      out.push({ name, type: T.STRING, s: new TextEncoder().encode(value) });
    } else if (Array.isArray(value)) {
      if (value.length > 0 && typeof value[0] === 'string') {
        out.push({ name, type: T.STRINGS, strings: (value as string[]).map((s) => new TextEncoder().encode(s)) });
      } else if (asFloat) {
        out.push({ name, type: T.FLOATS, floats: value as number[] });
      } else {
        out.push({ name, type: T.INTS, ints: value as number[] });
      }
    } else {
      out.push({ name, type: T.TENSOR, t: value });
    }
  }
  return out;
}

export function tensorProto(name: string, dtype: OnnxDtype, values: ArrayLike<number | boolean>,
  shape: readonly number[]): onnx.ITensorProto {
  const proto: onnx.ITensorProto = { name, dims: [...shape], dataType: onnxElementType(dtype) };
  const nums = Array.from(values, (v) => Number(v));
  switch (dtype) {
    case 'float32': proto.floatData = nums; break;
    case 'float64': proto.doubleData = nums; break;
    case 'int64': proto.int64Data = nums; break;
    case 'int32': case 'bool': case 'uint8': proto.int32Data = nums; break;
  }
  return proto;
}
