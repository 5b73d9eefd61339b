import protobuf from 'protobufjs';
import { ONNX_PROTO } from './onnx-schema.js';

let root: protobuf.Root | null = null;

/** The ONNX ModelProto message type (protobufjs, from the ONNX 1.12 schema; field names as in onnx.proto). */
export function modelProto(): protobuf.Type {
  root ??= protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
  return root.lookupType('onnx.ModelProto');
}

/** TensorProto.DataType.FLOAT, AttributeProto.AttributeType codes used here. */
export const FLOAT = 1;
export const INT64 = 7;
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

/** Serialises a plain ModelProto object (checked against the schema first). */
export function encodeModel(model: Record<string, unknown>): Uint8Array {
  const type = modelProto();
  const err = type.verify(model);
  if (err) throw new Error(`ONNX model does not match the schema: ${err}`);
  return type.encode(type.fromObject(model)).finish();
}

/** Parses an ONNX file's bytes; int64 fields become numbers, bytes stay Uint8Array. */
export function decodeModel(bytes: Uint8Array): Record<string, unknown> {
  const type = modelProto();
  return type.toObject(type.decode(bytes), { longs: Number, defaults: false }) as Record<
    string,
    unknown
  >;
}
