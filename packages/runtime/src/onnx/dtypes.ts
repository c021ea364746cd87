import { onnx } from 'onnx-proto';

/** The tfjs dtypes that have an ONNX counterpart; complex64 and string stay on the cpu path. */
export type LowerableDtype = 'float32' | 'int32' | 'bool';

export type OnnxDtype = 'float32' | 'int32' | 'bool' | 'int64' | 'uint8' | 'float64';

const ELEMENT_TYPE: Record<OnnxDtype, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int32: onnx.TensorProto.DataType.INT32,
  bool: onnx.TensorProto.DataType.BOOL,
  int64: onnx.TensorProto.DataType.INT64,
  uint8: onnx.TensorProto.DataType.UINT8,
  float64: onnx.TensorProto.DataType.DOUBLE,
};

export function onnxElementType(dtype: OnnxDtype): number {
  return ELEMENT_TYPE[dtype];
}

export function isLowerableDtype(dtype: string): dtype is LowerableDtype {
  return dtype === 'float32' || dtype === 'int32' || dtype === 'bool';
}
