/**
 * The safetensors header (see src/nn/safetensors.ts for the format), parsed and validated without
 * the tensor engine, so that tools which only read weights (ONNX export) need no LibTorch.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';

/** Bytes per element of every safetensors dtype code contraseg reads. */
export const ITEM_SIZE: Record<string, number> = {
  F32: 4,
  F64: 8,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** The reference implementation's limit on the header size. */
export const MAX_HEADER = 100_000_000;
export const METADATA = '__metadata__';

/** One tensor of a safetensors header: its dtype code (F32, F16, ...), shape and byte range. */
export interface SafetensorsEntry {
  name: string;
  /** The safetensors dtype code, e.g. 'F32'. */
  code: string;
  shape: number[];
  begin: number;
  end: number;
}

/** Sets an own property, also for names such as "__proto__" (JSON keys are arbitrary). */
export function define<T>(o: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Parses and validates the header of a safetensors file held in `buf`. */
export function parseSafetensorsHeader(
  path: string,
  buf: Buffer,
): { entries: SafetensorsEntry[]; metadata: Record<string, string>; start: number } {
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
  const entries: SafetensorsEntry[] = [];
  for (const [name, info] of Object.entries(h)) {
    if (name === METADATA) continue;
    const where = `tensor "${name}"`;
    if (!isObject(info)) fail(`${where}: entry is not an object`);
    const e = info as Record<string, unknown>;
    if (typeof e.dtype !== 'string') fail(`${where}: dtype is missing`);
    const size = ITEM_SIZE[e.dtype as string];
    if (size === undefined) {
      fail(
        `${where}: unsupported dtype "${String(e.dtype)}" (expected one of ${Object.keys(ITEM_SIZE).join(', ')})`,
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
    const need = numel * size;
    if (need !== end - begin) {
      fail(
        `${where}: shape [${shape.join(', ')}] of ${e.dtype} needs ${need} bytes but data_offsets ` +
          `[${begin}, ${end}] hold ${end - begin}`,
      );
    }
    entries.push({ name, code: e.dtype as string, shape, begin, end });
  }

  // The tensors must tile the data exactly.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let prev: SafetensorsEntry | null = null;
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

/** IEEE half-precision bits to a number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The bytes of a file; a missing or unreadable file is an InputError naming it. */
export function readFileBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InputError(
      `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      path,
    );
  }
}

/** A JSON metadata entry of a contraseg model file; missing or malformed is an InputError. */
export function metadataJson<T>(metadata: Record<string, string>, key: string, path: string): T {
  const v = metadata[key];
  if (v === undefined)
    throw new InputError(`not a contraseg model (metadata '${key}' missing)`, path);
  try {
    return JSON.parse(v) as T;
  } catch {
    throw new InputError(`metadata '${key}' is not valid JSON`, path);
  }
}

/**
 * Reads the floating-point tensors (F32, F16, BF16, F64) of a safetensors file as float32 arrays,
 * with the metadata; other dtypes are skipped. No tensor engine involved.
 */
export function readSafetensorsFloat32(path: string): {
  tensors: Record<string, { shape: number[]; data: Float32Array }>;
  metadata: Record<string, string>;
} {
  const buf = readFileBytes(path);
  const { entries, metadata, start } = parseSafetensorsHeader(path, buf);
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const e of entries) {
    const bytes = buf.subarray(start + e.begin, start + e.end);
    const n = e.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (e.code === 'F32') for (let i = 0; i < n; i++) data[i] = bytes.readFloatLE(4 * i);
    else if (e.code === 'F64') for (let i = 0; i < n; i++) data[i] = bytes.readDoubleLE(8 * i);
    else if (e.code === 'F16')
      for (let i = 0; i < n; i++) data[i] = halfToFloat(bytes.readUInt16LE(2 * i));
    else if (e.code === 'BF16') {
      const u = new Uint32Array(data.buffer);
      for (let i = 0; i < n; i++) u[i] = bytes.readUInt16LE(2 * i) << 16;
    } else continue;
    define(tensors, e.name, { shape: e.shape, data });
  }
  return { tensors, metadata };
}
