import { onnx } from 'onnx-proto';
import { OnnxDtype, onnxElementType } from './dtypes';
import { ConstValue, MAX_FOLDED_ELEMENTS, foldOp } from './constant_folding';
import { Shape, inferShape, sameShape } from './static_shapes';

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

/** Ops that return their first input unchanged once its shape is the result's (or always, Identity). */
const PASS_THROUGH = new Set(['Identity', 'Reshape', 'Expand', 'Squeeze', 'Unsqueeze']);

/**
 * Builds one ONNX model: graph inputs with symbolic dimensions, nodes, constants and outputs.
 * It serves single-kernel models (eager execution) as well as multi-kernel segments.
 *
 * Lowerings are written for symbolic shapes: they compute shapes in the graph (Shape, Gather, Concat,
 * ReduceProd, ...). Where the builder knows a value's static shape (a segment's inputs and its kernels'
 * outputs, from the trace) or its value (small constants), it computes such nodes itself and emits a
 * constant instead, drops reshapes that change nothing, and leaves out nodes nothing uses: ONNX
 * Runtime's session creation costs about the same per node whatever the node does.
 */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly shapes = new Map<string, Shape>();
  private readonly values = new Map<string, ConstValue>();
  /** Names that are not node outputs: graph inputs and initializers. */
  private readonly sources = new Set<string>();
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
    this.sources.add(name);
    if (shape && !symbolicBatch) this.shapes.set(name, [...shape]);
    return { name, dtype, rank };
  }

  /** The value's static shape, where known. */
  shapeOf(value: Sym): Shape | undefined {
    return this.shapes.get(value.name);
  }

  /**
   * Records a value's static shape, known from outside the graph (the trace saw it). One the builder
   * inferred must agree: a disagreement is a bug in the inference, whose folds may be wrong.
   */
  knowShape(value: Sym, shape: Shape): void {
    const known = this.shapes.get(value.name);
    if (known && !sameShape(known, shape)) {
      throw new Error(`terra: ${value.name} was inferred to have shape [${known.join(',')}], it has [${shape.join(',')}]`);
    }
    if (shape.length === value.rank) this.shapes.set(value.name, [...shape]);
  }

  /** A graph output. A graph input, a constant or a value already output is copied, to have a name of its own. */
  output(given: Sym): void {
    const reused = this.sources.has(given.name) || this.outputs.some((o) => o.name === given.name);
    const value = reused ? this.emit('Identity', [given], {}, [{ dtype: given.dtype, rank: given.rank }], {})[0] : given;
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

  /**
   * Emits a node with several outputs. A null input is ONNX's "absent optional input". A single-output
   * node whose value the builder can compute becomes a constant, one that changes nothing is its input.
   */
  opMulti(opType: string, inputs: Array<Sym | null>, attrs: Record<string, AttrValue | undefined>,
    outs: Array<{ dtype: OnnxDtype; rank: number }>, options: NodeOptions = {}): Sym[] {
    if (outs.length !== 1) return this.emit(opType, inputs, attrs, outs, options);
    const [out] = outs;
    const known = inputs.map((s) => s && { dtype: s.dtype, shape: this.shapes.get(s.name), values: this.values.get(s.name)?.values });
    const folded = foldOp(opType, known, attrs);
    if (folded && folded.dtype === out.dtype && folded.shape.length === out.rank) return [this.constant(out.dtype, folded.values, folded.shape)];
    const shape = inferShape(opType, known, attrs);
    const first = inputs[0];
    if (PASS_THROUGH.has(opType) && first && first.dtype === out.dtype && first.rank === out.rank) {
      const had = known[0]?.shape;
      if (opType === 'Identity' || (shape && had && sameShape(shape, had))) return [first];
    }
    const [sym] = this.emit(opType, inputs, attrs, outs, options);
    if (shape && shape.length === out.rank) this.shapes.set(sym.name, shape);
    return [sym];
  }

  private emit(opType: string, inputs: Array<Sym | null>, attrs: Record<string, AttrValue | undefined>,
    outs: Array<{ dtype: OnnxDtype; rank: number }>, options: NodeOptions): Sym[] {
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
    this.sources.add(name);
    this.shapes.set(name, [...shape]);
    if (values.length <= MAX_FOLDED_ELEMENTS) {
      // As ORT will hold them: float32 rounded, booleans as 0 and 1.
      const held = Array.from(values, (v) => (dtype === 'float32' ? Math.fround(Number(v)) : Number(v)));
      this.values.set(name, { dtype, shape: [...shape], values: held });
    }
    return { name, dtype, rank: shape.length };
  }

  scalar(dtype: OnnxDtype, value: number | boolean): Sym {
    return this.constant(dtype, [value], []);
  }

  int64s(values: readonly number[]): Sym {
    return this.constant('int64', values, [values.length]);
  }

  /** The model, without the nodes and constants no output depends on (folding leaves such behind). */
  build(): Uint8Array {
    const live = new Set(this.outputs.map((o) => o.name!));
    const kept: onnx.INodeProto[] = [];
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      if (!node.output!.some((o) => live.has(o))) continue;
      kept.push(node);
      for (const input of node.input!) if (input !== '') live.add(input);
    }
    kept.reverse();
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'terra.js',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.graphName,
        node: kept,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers.filter((t) => live.has(t.name!)),
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
