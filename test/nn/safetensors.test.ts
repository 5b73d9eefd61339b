// safetensors save/load: round trips of every dtype, interoperability with an independent
// hand-written Python reader/writer (read_safetensors.py, one process for the file), and strict
// rejection of corrupt files with an InputError naming the file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import { loadSafetensors, saveSafetensors } from '../../src/nn/safetensors.js';
import * as torch from '../../src/torch/index.js';
import type { DType, Tensor } from '../../src/torch/index.js';
import { nums } from '../torch/helpers.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../test/nn/read_safetensors.py', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'contraseg-st-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Raw element bytes of a tensor (contiguous, native = little-endian order). */
function rawBytes(t: Tensor): Buffer {
  const d = t.data();
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

/** Element values as numbers, or bigints for int64. */
function values(t: Tensor): (number | bigint)[] {
  return t.dtype === 'int64' ? Array.from(t.data() as BigInt64Array) : nums(t);
}

/** Parses read_safetensors.py's value strings. */
function pyValue(s: string, code: string): number | bigint {
  if (code === 'I64') return BigInt(s);
  if (s === 'nan') return Number.NaN;
  if (s === 'inf') return Number.POSITIVE_INFINITY;
  if (s === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(s);
}

const CODE: Record<string, string> = {
  float32: 'F32',
  float64: 'F64',
  float16: 'F16',
  bfloat16: 'BF16',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};

/** One tensor of every dtype, with edge values. */
function everyDtype(): Record<string, Tensor> {
  return {
    f32: torch.tensor(
      Float32Array.from([1.5, -2, 3.25, 0, 1e-3, Number.POSITIVE_INFINITY]),
      [2, 3],
    ),
    f64: torch.tensor(Float64Array.from([Math.PI, -0.5, 1e-300, Number.NaN]), [2, 2]),
    f16: torch.tensor([1, -2.5, 0.1, 65504], [4], { dtype: 'float16' }),
    bf16: torch.tensor([1.5, -2.25, 3.140625, 0], [2, 2], { dtype: 'bfloat16' }),
    i64: torch.tensor(BigInt64Array.from([2n ** 53n + 1n, -(2n ** 62n), 7n]), [3]),
    i32: torch.tensor(Int32Array.from([-(2 ** 31), 2 ** 31 - 1]), [2]),
    i16: torch.tensor(Int16Array.from([-32768, 5, 32767]), [3]),
    i8: torch.tensor(Int8Array.from([-128, 127]), [2]),
    u8: torch.tensor(Uint8Array.from([0, 200, 255]), [1, 3]),
    mask: torch.tensor([true, false, false, true, true]),
    scalar: torch.scalar(42.5),
    empty: torch.zeros([0, 4]),
  };
}

interface PyTensor {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
  values: string[];
}
interface PyFile {
  header_length: number;
  metadata: Record<string, string> | null;
  order: string[];
  tensors: Record<string, PyTensor>;
}

function assertSameTensor(a: Tensor, b: Tensor, name: string): void {
  assert.equal(a.dtype, b.dtype, `${name}: dtype`);
  assert.deepEqual(a.shape, b.shape, `${name}: shape`);
  assert.ok(rawBytes(a).equals(rawBytes(b)), `${name}: bytes`);
}

function assertMatchesPython(t: Tensor, p: PyTensor, name: string): void {
  assert.equal(p.dtype, CODE[t.dtype], `${name}: dtype code`);
  assert.deepEqual(p.shape, t.shape, `${name}: shape`);
  const ours = values(t);
  const theirs = p.values.map((s) => pyValue(s, p.dtype));
  assert.equal(theirs.length, ours.length, `${name}: count`);
  ours.forEach((v, i) => {
    const w = theirs[i];
    if (typeof v === 'number' && Number.isNaN(v))
      assert.ok(Number.isNaN(w as number), `${name}[${i}]: NaN`);
    else assert.equal(v, w, `${name}[${i}]`);
  });
}

describe('safetensors: round trip', () => {
  it('every dtype, scalar and empty tensors, with metadata, comes back identical', () => {
    torch.tidy(() => {
      const path = join(dir, 'all.safetensors');
      const src = everyDtype();
      saveSafetensors(path, src, { format: 'pt', epoch: '3', ünï: 'cödé ✓' });
      const { tensors, metadata } = loadSafetensors(path);
      assert.deepEqual(Object.keys(tensors).sort(), Object.keys(src).sort());
      for (const [name, t] of Object.entries(src)) assertSameTensor(tensors[name], t, name);
      assert.deepEqual(metadata, { format: 'pt', epoch: '3', ünï: 'cödé ✓' });
    });
  });
  it('the file layout: little-endian header length, space-padded sorted JSON, packed data', () => {
    torch.tidy(() => {
      const path = join(dir, 'layout.safetensors');
      saveSafetensors(path, { b: torch.tensor([1, 2]), a: torch.tensor(Int8Array.from([3])) });
      const buf = readFileSync(path);
      const n = Number(buf.readBigUInt64LE(0));
      assert.equal((8 + n) % 8, 0);
      const text = buf.subarray(8, 8 + n).toString('utf8');
      const header = JSON.parse(text);
      assert.deepEqual(Object.keys(header), ['a', 'b']);
      assert.deepEqual(header.a, { dtype: 'I8', shape: [1], data_offsets: [0, 1] });
      assert.deepEqual(header.b, { dtype: 'F32', shape: [2], data_offsets: [1, 9] });
      assert.equal(header.__metadata__, undefined);
      assert.match(text, /^\{.*\} *$/);
      assert.equal(buf.length, 8 + n + 9);
      assert.deepEqual(
        Array.from(buf.subarray(8 + n + 1)),
        Array.from(Buffer.from(Float32Array.from([1, 2]).buffer)),
      );
    });
  });
  it('non-contiguous, strided and grad-requiring tensors are saved by value', () => {
    torch.tidy(() => {
      const path = join(dir, 'views.safetensors');
      const base = torch.arange(0, 12, 1, { dtype: 'float32' }).reshape(3, 4);
      const w = torch.randn([2, 3], { requiresGrad: true });
      saveSafetensors(path, { t: base.transpose(0, 1), s: base.slice(1, 0, 4, 2), w });
      const { tensors } = loadSafetensors(path);
      assert.deepEqual(tensors.t.toArray(), base.transpose(0, 1).contiguous().toArray());
      assert.deepEqual(tensors.t.shape, [4, 3]);
      assert.deepEqual(tensors.s.toArray(), [0, 2, 4, 6, 8, 10]);
      assert.deepEqual(tensors.w.toArray(), w.detach().toArray());
      assert.equal(tensors.w.requiresGrad, false);
    });
  });
  it('names are arbitrary strings (dots, unicode, "__proto__"); no tensors and no metadata is valid', () => {
    torch.tidy(() => {
      const path = join(dir, 'names.safetensors');
      const src: Record<string, Tensor> = {
        'enc.0.conv.weight': torch.ones([1]),
        'späße 🙂': torch.zeros([1]),
      };
      Object.defineProperty(src, '__proto__', { value: torch.full([1], 7), enumerable: true });
      saveSafetensors(path, src);
      const { tensors, metadata } = loadSafetensors(path);
      assert.deepEqual(Object.keys(tensors).sort(), Object.keys(src).sort());
      assert.equal(Object.getOwnPropertyDescriptor(tensors, '__proto__')!.value.item(), 7);
      assert.equal(tensors['späße 🙂'].item(), 0);
      assert.deepEqual(metadata, {});
      const empty = join(dir, 'empty.safetensors');
      saveSafetensors(empty, {});
      assert.deepEqual(loadSafetensors(empty), { tensors: {}, metadata: {} });
      assert.equal(readFileSync(empty).length, 16);
    });
  });
  it("opts.dtype 'float16' stores floating tensors as F16 and leaves integers; 'float32' narrows float64", () => {
    torch.tidy(() => {
      const path = join(dir, 'half.safetensors');
      const src = {
        a: torch.tensor(Float32Array.from([1, 0.1, -3.3])),
        b: torch.tensor(Float64Array.from([2.5, 1 / 3])),
        c: torch.tensor(BigInt64Array.from([5n])),
        d: torch.tensor([1, 2], undefined, { dtype: 'bfloat16' }),
      };
      saveSafetensors(path, src, undefined, { dtype: 'float16' });
      const h = loadSafetensors(path).tensors;
      assert.deepEqual(
        Object.values(h).map((t) => t.dtype),
        ['float16', 'float16', 'int64', 'float16'],
      );
      assert.deepEqual(values(h.a), values(src.a.to('float16')));
      assert.deepEqual(values(h.b), values(src.b.to('float16')));
      assert.deepEqual(values(h.c), [5n]);
      saveSafetensors(path, src, undefined, { dtype: 'float32' });
      const f = loadSafetensors(path).tensors;
      assert.deepEqual(
        Object.values(f).map((t) => t.dtype),
        ['float32', 'float32', 'int64', 'float32'],
      );
      assert.deepEqual(values(f.b), values(src.b.to('float32')));
    });
  });
  it('writes atomically: replaces an existing file, leaves no temporary files, and a failed save keeps the old file', () => {
    torch.tidy(() => {
      const sub = mkdtempSync(join(dir, 'atomic-'));
      const path = join(sub, 'ckpt.safetensors');
      saveSafetensors(path, { x: torch.ones([3]) });
      saveSafetensors(path, { x: torch.zeros([2]) }, { v: '2' });
      assert.deepEqual(readdirSync(sub), ['ckpt.safetensors']);
      const before = readFileSync(path);
      assert.throws(() => saveSafetensors(path, { __metadata__: torch.ones([1]) }), InputError);
      assert.throws(
        () => saveSafetensors(path, { x: 'nope' as unknown as Tensor }),
        /"x" is not a Tensor/,
      );
      assert.throws(
        () => saveSafetensors(path, {}, { n: 3 as unknown as string }),
        /metadata value of "n" is not a string/,
      );
      assert.ok(readFileSync(path).equals(before));
      assert.deepEqual(readdirSync(sub), ['ckpt.safetensors']);
      const { tensors, metadata } = loadSafetensors(path);
      assert.deepEqual(tensors.x.toArray(), [0, 0]);
      assert.deepEqual(metadata, { v: '2' });
    });
  });
  it('loaded tensors belong to the enclosing tidy scope', () => {
    const path = join(dir, 'scope.safetensors');
    torch.tidy(() => saveSafetensors(path, everyDtype()));
    const base = torch.memoryStats().liveTensors;
    torch.tidy(() => {
      loadSafetensors(path);
    });
    assert.equal(torch.memoryStats().liveTensors, base);
    const kept = torch.tidy(() => loadSafetensors(path).tensors);
    assert.equal(torch.memoryStats().liveTensors, base + Object.keys(kept).length);
    torch.dispose(kept);
    assert.equal(torch.memoryStats().liveTensors, base);
  });
});

describe('safetensors: interoperability with an independent Python reader and writer', () => {
  const ours = join(dir, 'ours.safetensors');
  const theirs = join(dir, 'theirs.safetensors');
  let py: PyFile[] = [];
  before(() => {
    torch.tidy(() => saveSafetensors(ours, everyDtype(), { format: 'pt', source: 'contraseg' }));
    const r = spawnSync(PYTHON, [SCRIPT, 'read', ours, 'write', theirs], { encoding: 'utf8' });
    assert.equal(r.status, 0, `read_safetensors.py failed: ${r.stderr}`);
    py = (JSON.parse(r.stdout) as { results: PyFile[] }).results;
  });
  it('Python reads our file: same names, dtypes, shapes, values and metadata', () => {
    torch.tidy(() => {
      const [p] = py;
      const src = everyDtype();
      assert.equal((8 + p.header_length) % 8, 0);
      assert.deepEqual(p.metadata, { format: 'pt', source: 'contraseg' });
      assert.deepEqual(Object.keys(p.tensors).sort(), Object.keys(src).sort());
      for (const [name, t] of Object.entries(src)) assertMatchesPython(t, p.tensors[name], name);
    });
  });
  it('we read the file Python wrote by hand (header order differs from data order)', () => {
    torch.tidy(() => {
      const p = py[1];
      const { tensors, metadata } = loadSafetensors(theirs);
      assert.deepEqual(metadata, { format: 'pt', note: 'written by hand' });
      assert.deepEqual(Object.keys(tensors), Object.keys(p.tensors));
      assert.notDeepEqual(Object.keys(tensors), p.order);
      const dtypes: Record<string, DType> = {};
      for (const [name, t] of Object.entries(tensors)) {
        assertMatchesPython(t, p.tensors[name], name);
        dtypes[name] = t.dtype;
      }
      assert.deepEqual(dtypes, {
        empty: 'float32',
        scalar: 'float32',
        mask: 'bool',
        u8: 'uint8',
        i8: 'int8',
        i16: 'int16',
        i32: 'int32',
        brain: 'bfloat16',
        half: 'float16',
        'mid.f64': 'float64',
        'alpha.i64': 'int64',
        'zeta.f32': 'float32',
      });
      assert.equal(tensors.scalar.item(), 42.5);
      assert.deepEqual(tensors.mask.toArray(), [1, 0, 0, 1, 1]);
    });
  });
});

// ---- corrupt files ------------------------------------------------------------------------------

/** A file from a header (object or raw string) and data bytes; `length` overrides the stored N. */
function craft(
  name: string,
  header: unknown,
  data: Uint8Array = new Uint8Array(0),
  length?: bigint,
): string {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(length ?? BigInt(json.length));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([prefix, json, data]));
  return path;
}

const f32 = (n: number) => new Uint8Array(Float32Array.from({ length: n }, (_, i) => i).buffer);

describe('safetensors: corrupt files are rejected with an InputError naming the file', () => {
  const cases: [string, () => string, RegExp][] = [
    [
      'shorter than 8 bytes',
      () => (writeFileSync(join(dir, 'short'), Buffer.from([1, 2, 3])), join(dir, 'short')),
      /3 bytes, shorter than the 8-byte header length/,
    ],
    [
      'header length beyond the file',
      () =>
        craft('beyond', { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(1), 1000n),
      /header length 1000 runs beyond the end of the file \(\d+ bytes\)/,
    ],
    [
      'absurd header length',
      () => craft('absurd', '{}', new Uint8Array(0), 2n ** 63n),
      /header length 9223372036854775808 runs beyond the end/,
    ],
    [
      'header not JSON',
      () => craft('badjson', '{"a": {"dtype": "F32",'),
      /header is not valid JSON/,
    ],
    [
      'header not UTF-8',
      () => craft('badutf8', '{"\udc00": 1}'.replace('\udc00', '') + '\xff'),
      /header is not valid (UTF-8|JSON)/,
    ],
    ['header a JSON array', () => craft('array', [1, 2]), /header is not a JSON object/],
    [
      'metadata not strings',
      () => craft('meta', { __metadata__: { epoch: 3 } }),
      /__metadata__ value of "epoch" is not a string/,
    ],
    [
      'metadata not an object',
      () => craft('meta2', { __metadata__: 'x' }),
      /__metadata__ is not an object of strings/,
    ],
    ['entry not an object', () => craft('entry', { a: 5 }), /tensor "a": entry is not an object/],
    [
      'unknown dtype',
      () => craft('dtype', { a: { dtype: 'X9', shape: [1], data_offsets: [0, 4] } }, f32(1)),
      /tensor "a": unsupported dtype "X9"/,
    ],
    [
      'unsupported standard dtype (U32)',
      () => craft('u32', { a: { dtype: 'U32', shape: [1], data_offsets: [0, 4] } }, f32(1)),
      /tensor "a": unsupported dtype "U32"/,
    ],
    [
      'missing dtype',
      () => craft('nodtype', { a: { shape: [1], data_offsets: [0, 4] } }, f32(1)),
      /tensor "a": dtype is missing/,
    ],
    [
      'negative dimension',
      () => craft('negdim', { a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)),
      /tensor "a": shape must be an array of non-negative integers, got \[-1\]/,
    ],
    [
      'fractional dimension',
      () => craft('fracdim', { a: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, f32(1)),
      /shape must be an array of non-negative integers/,
    ],
    [
      'offsets missing',
      () => craft('nooff', { a: { dtype: 'F32', shape: [1] } }, f32(1)),
      /tensor "a": data_offsets must be two non-negative integers, got undefined/,
    ],
    [
      'offsets of three numbers',
      () => craft('off3', { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4, 8] } }, f32(1)),
      /data_offsets must be two non-negative integers, got \[0,4,8\]/,
    ],
    [
      'offsets reversed',
      () => craft('rev', { a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, f32(1)),
      /tensor "a": data_offsets \[4, 0\] end before they begin/,
    ],
    [
      'offsets beyond the data',
      () => craft('oob', { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32(1)),
      /tensor "a": data_offsets \[0, 8\] run beyond the data \(4 bytes\)/,
    ],
    [
      'shape and size disagree',
      () => craft('size', { a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 8] } }, f32(2)),
      /tensor "a": shape \[2, 2\] of F32 needs 16 bytes but data_offsets \[0, 8\] hold 8/,
    ],
    [
      'overlapping tensors',
      () =>
        craft(
          'overlap',
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
          },
          f32(3),
        ),
      /tensor "b" \(bytes 4-12\) overlaps tensor "a" \(bytes 0-8\)/,
    ],
    [
      'a gap between tensors',
      () =>
        craft(
          'gap',
          {
            a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
            b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
          },
          f32(3),
        ),
      /data bytes 4-8 belong to no tensor \(before tensor "b"\)/,
    ],
    [
      'trailing bytes',
      () => craft('trail', { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2)),
      /data bytes 4-8 belong to no tensor \(the data is 8 bytes\)/,
    ],
    [
      'data with no tensors',
      () => craft('orphan', {}, f32(1)),
      /data bytes 0-4 belong to no tensor/,
    ],
    [
      'a missing file',
      () => join(dir, 'does-not-exist.safetensors'),
      /cannot read the file \(ENOENT\)/,
    ],
  ];
  for (const [name, make, message] of cases) {
    it(name, () => {
      const path = make();
      const base = torch.memoryStats().liveTensors;
      assert.throws(
        () => loadSafetensors(path),
        (e: unknown) => {
          assert.ok(e instanceof InputError, `an InputError, got ${String(e)}`);
          assert.equal(e.file, path);
          assert.ok(e.message.startsWith(`${path}: `), e.message);
          assert.match(e.message, message);
          return true;
        },
      );
      assert.equal(torch.memoryStats().liveTensors, base);
    });
  }
  it('zero-sized tensors may share an offset', () => {
    torch.tidy(() => {
      const path = craft(
        'zeros',
        {
          a: { dtype: 'F32', shape: [0], data_offsets: [4, 4] },
          b: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
          c: { dtype: 'I64', shape: [0, 2], data_offsets: [4, 4] },
        },
        f32(1),
      );
      const { tensors } = loadSafetensors(path);
      assert.deepEqual(tensors.a.shape, [0]);
      assert.deepEqual(tensors.c.shape, [0, 2]);
      assert.deepEqual(tensors.b.toArray(), [0]);
    });
  });
  it('unaligned offsets are fine (the bytes are copied)', () => {
    torch.tidy(() => {
      const data = new Uint8Array(9);
      data[0] = 7;
      data.set(new Uint8Array(Float64Array.from([2.5]).buffer), 1);
      const path = craft(
        'unaligned',
        {
          u: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
          d: { dtype: 'F64', shape: [], data_offsets: [1, 9] },
        },
        data,
      );
      const { tensors } = loadSafetensors(path);
      assert.equal(tensors.u.item(), 7);
      assert.equal(tensors.d.item(), 2.5);
      assert.ok(!existsSync(join(dir, 'nothing')));
    });
  });
});
