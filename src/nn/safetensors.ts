/**
 * The safetensors format (https://github.com/huggingface/safetensors), read and written without
 * dependencies:
 *
 *   8 bytes   N, the header length, unsigned little-endian
 *   N bytes   a UTF-8 JSON object: {name: {"dtype": "F32", "shape": [2, 3], "data_offsets": [b, e]},
 *             ..., "__metadata__": {string: string}} (padded with spaces to a multiple of 8)
 *   the rest  the tensors' bytes, little-endian, row-major; tensor `name` is data[b, e)
 *
 * Loading validates strictly (as the reference implementation does: the offsets must tile the
 * data exactly, with neither gaps nor overlaps) and reports every problem as an InputError naming
 * the file.
 */
import { endianness } from 'node:os';
import { InputError } from '../errors.js';
import {
  define,
  METADATA,
  parseSafetensorsHeader,
  readFileBytes,
} from '../io/safetensors-format.js';
import { isTensor, tensor, tidy, viewAs, type DType, type Tensor } from '../torch/index.js';
import { writeFileAtomic } from '../util/atomic.js';

/** safetensors dtype codes and the engine dtypes they map to. */
const CODES: Record<string, DType> = {
  F32: 'float32',
  F64: 'float64',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};
const CODE_OF: Record<DType, string> = Object.fromEntries(
  Object.entries(CODES).map(([code, dtype]) => [dtype, code]),
) as Record<DType, string>;
const FLOATS = new Set<DType>(['float32', 'float64', 'float16', 'bfloat16']);

export interface SaveSafetensorsOptions {
  /** Store every floating-point tensor in this dtype (integer and bool tensors are unchanged). */
  dtype?: 'float16' | 'float32';
}

function checkHost(): void {
  if (endianness() !== 'LE') throw new Error('safetensors: only little-endian hosts are supported');
}

/**
 * Writes `tensors` (any dtype, any device, contiguous or not) and optional string metadata to
 * `path` atomically. Names are stored sorted, the data in the same order.
 */
export function saveSafetensors(
  path: string,
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
  opts: SaveSafetensorsOptions = {},
): void {
  checkHost();
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        throw new InputError(`metadata value of "${k}" is not a string`, path);
    }
    header[METADATA] = { ...metadata };
  }
  if (opts.dtype !== undefined && opts.dtype !== 'float16' && opts.dtype !== 'float32') {
    throw new InputError(
      `unsupported storage dtype "${String(opts.dtype)}" (float16 or float32)`,
      path,
    );
  }
  const names = Object.keys(tensors).sort();
  const chunks: Uint8Array[] = [];
  let offset = 0;
  tidy(() => {
    for (const name of names) {
      if (name === METADATA) throw new InputError(`"${METADATA}" cannot be a tensor name`, path);
      let t = tensors[name];
      if (!isTensor(t)) throw new InputError(`"${name}" is not a Tensor`, path);
      if (opts.dtype !== undefined && FLOATS.has(t.dtype) && t.dtype !== opts.dtype)
        t = t.to(opts.dtype);
      const code = CODE_OF[t.dtype];
      if (code === undefined)
        throw new InputError(`tensor "${name}" has an unsupported dtype ${t.dtype}`, path);
      const d = t.data();
      const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      chunks.push(bytes);
      define(header, name, {
        dtype: code,
        shape: t.shape,
        data_offsets: [offset, offset + bytes.length],
      });
      offset += bytes.length;
    }
  });
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad > 0) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  writeFileAtomic(path, Buffer.concat([prefix, json, ...chunks]));
}

/**
 * Reads a safetensors file: its tensors (on the CPU, in the stored dtypes, in header order) and its
 * metadata (empty when absent). Throws InputError naming the file for anything malformed.
 */
export function loadSafetensors(path: string): {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
} {
  checkHost();
  const buf = readFileBytes(path);
  const { entries, metadata, start } = parseSafetensorsHeader(path, buf);
  // Inside tidy so that a failure disposes what was made; the result joins the caller's scope.
  const tensors = tidy(() => {
    const out: Record<string, Tensor> = {};
    for (const e of entries) {
      // A fresh, aligned copy of the bytes (offsets in the file need not be aligned).
      const bytes = new Uint8Array(e.end - e.begin);
      bytes.set(buf.subarray(start + e.begin, start + e.end));
      const dtype = CODES[e.code];
      define(out, e.name, tensor(viewAs(dtype, bytes.buffer as ArrayBuffer), e.shape, { dtype }));
    }
    return out;
  });
  return { tensors, metadata };
}
