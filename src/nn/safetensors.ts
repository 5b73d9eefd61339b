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
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { InputError } from '../errors.js';
import {
  isTensor,
  itemSize,
  tensor,
  tidy,
  viewAs,
  type DType,
  type Tensor,
} from '../torch/index.js';
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

/** The reference implementation's limit on the header size. */
const MAX_HEADER = 100_000_000;
const METADATA = '__metadata__';

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

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/** Sets an own property, also for names such as "__proto__" (JSON keys are arbitrary). */
function define<T>(o: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Parses and validates the header of a safetensors file held in `buf`. */
function parseHeader(
  path: string,
  buf: Buffer,
): { entries: Entry[]; metadata: Record<string, string>; start: number } {
  const fail = (msg: string): never => {
    throw new InputError(msg, path);
  };
  if (buf.length < 8)
    fail(`not a safetensors file: ${buf.length} bytes, shorter than the 8-byte header length`);
  const n64 = buf.readBigUInt64LE(0);
  if (n64 > BigInt(buf.length - 8)) {
    fail(`header length ${n64} runs beyond the end of the file (${buf.length} bytes)`);
  }
  const n = Number(n64);
  if (n > MAX_HEADER) fail(`header length ${n} exceeds the limit of ${MAX_HEADER} bytes`);
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + n));
  } catch {
    fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    fail(`header is not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(header)) fail('header is not a JSON object');
  const h = header as Record<string, unknown>;

  const metadata: Record<string, string> = {};
  if (METADATA in h) {
    const m = h[METADATA];
    if (!isObject(m)) fail(`${METADATA} is not an object of strings`);
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      if (typeof v !== 'string') fail(`${METADATA} value of "${k}" is not a string`);
      define(metadata, k, v as string);
    }
  }

  const start = 8 + n;
  const dataLength = buf.length - start;
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(h)) {
    if (name === METADATA) continue;
    const where = `tensor "${name}"`;
    if (!isObject(info)) fail(`${where}: entry is not an object`);
    const e = info as Record<string, unknown>;
    if (typeof e.dtype !== 'string') fail(`${where}: dtype is missing`);
    const dtype = CODES[e.dtype as string];
    if (dtype === undefined) {
      fail(
        `${where}: unsupported dtype "${String(e.dtype)}" (expected one of ${Object.keys(CODES).join(', ')})`,
      );
    }
    if (!Array.isArray(e.shape) || !e.shape.every(isCount)) {
      fail(
        `${where}: shape must be an array of non-negative integers, got ${JSON.stringify(e.shape)}`,
      );
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every(isCount)) {
      fail(`${where}: data_offsets must be two non-negative integers, got ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    if (begin > end) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLength) {
      fail(`${where}: data_offsets [${begin}, ${end}] run beyond the data (${dataLength} bytes)`);
    }
    const shape = e.shape as number[];
    const numel = shape.reduce((a, b) => a * b, 1);
    const need = numel * itemSize[dtype];
    if (need !== end - begin) {
      fail(
        `${where}: shape [${shape.join(', ')}] of ${e.dtype} needs ${need} bytes but data_offsets ` +
          `[${begin}, ${end}] hold ${end - begin}`,
      );
    }
    entries.push({ name, dtype, shape, begin, end });
  }

  // The tensors must tile the data exactly.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let prev: Entry | null = null;
  for (const e of sorted) {
    if (e.begin < pos) {
      fail(
        `tensor "${e.name}" (bytes ${e.begin}-${e.end}) overlaps tensor "${prev!.name}" (bytes ${prev!.begin}-${prev!.end})`,
      );
    }
    if (e.begin > pos)
      fail(`data bytes ${pos}-${e.begin} belong to no tensor (before tensor "${e.name}")`);
    pos = e.end;
    prev = e;
  }
  if (pos !== dataLength)
    fail(`data bytes ${pos}-${dataLength} belong to no tensor (the data is ${dataLength} bytes)`);
  return { entries, metadata, start };
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
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new InputError(
      `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      path,
    );
  }
  const { entries, metadata, start } = parseHeader(path, buf);
  // Inside tidy so that a failure disposes what was made; the result joins the caller's scope.
  const tensors = tidy(() => {
    const out: Record<string, Tensor> = {};
    for (const e of entries) {
      // A fresh, aligned copy of the bytes (offsets in the file need not be aligned).
      const bytes = new Uint8Array(e.end - e.begin);
      bytes.set(buf.subarray(start + e.begin, start + e.end));
      define(
        out,
        e.name,
        tensor(viewAs(e.dtype, bytes.buffer as ArrayBuffer), e.shape, { dtype: e.dtype }),
      );
    }
    return out;
  });
  return { tensors, metadata };
}
