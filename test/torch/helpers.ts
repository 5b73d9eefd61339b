// Shared helpers of the engine tests: seeded inputs, closeness checks, and the PyTorch reference
// runner (one /usr/bin/python3 process per test file, see reference_ops.py).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../../src/torch/index.js';
import type { Tensor } from '../../src/torch/index.js';
import { Rng } from '../../src/util/rng.js';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../test/torch/reference_ops.py', import.meta.url));

/** A deterministic generator of test inputs (independent of LibTorch's generator). */
export function rng(seed: number): Rng {
  return new Rng(seed);
}

/** A float tensor of standard-normal values (optionally scaled and shifted). */
export function randnT(
  r: Rng,
  shape: number[],
  o: { dtype?: 'float32' | 'float64'; scale?: number; shift?: number } = {},
): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = o.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = r.normal() * (o.scale ?? 1) + (o.shift ?? 0);
  return torch.tensor(v, shape);
}

/** A float tensor uniform on [lo, hi). */
export function uniformT(
  r: Rng,
  shape: number[],
  lo: number,
  hi: number,
  dtype: 'float32' | 'float64' = 'float32',
): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = r.uniform(lo, hi);
  return torch.tensor(v, shape);
}

/** An int64 tensor uniform on [lo, hi). */
export function randintT(r: Rng, shape: number[], lo: number, hi: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new BigInt64Array(n);
  for (let i = 0; i < n; i++) v[i] = BigInt(lo + r.int(hi - lo));
  return torch.tensor(v, shape);
}

/** An int64 tensor from numbers. */
export function longT(values: number[], shape?: number[]): Tensor {
  return torch.tensor(
    BigInt64Array.from(values, (x) => BigInt(x)),
    shape,
  );
}

/** A bool tensor from numbers or booleans. */
export function boolT(values: (number | boolean)[], shape?: number[]): Tensor {
  return torch.tensor(values.map(Number), shape, { dtype: 'bool' });
}

/** The elements of a tensor as numbers (float16/bfloat16 decoded through float32). */
export function nums(t: Tensor): number[] {
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') {
    const f = t.float();
    try {
      return f.toArray();
    } finally {
      f.dispose();
    }
  }
  return t.toArray();
}

/**
 * Asserts |a − e| ≤ atol + rtol·|e| elementwise (NaN matches NaN, infinities must be equal);
 * the message names the first few offending positions.
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  o: { rtol?: number; atol?: number; what?: string } = {},
): void {
  const rtol = o.rtol ?? 1e-5;
  const atol = o.atol ?? 1e-6;
  assert.equal(actual.length, expected.length, `${o.what ?? 'values'}: length`);
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    let ok: boolean;
    if (Number.isNaN(e)) ok = Number.isNaN(a);
    else if (!Number.isFinite(e)) ok = a === e;
    else ok = Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok && bad.length < 5) bad.push(`[${i}] got ${a}, expected ${e}`);
  }
  assert.ok(bad.length === 0, `${o.what ?? 'values'} differ: ${bad.join('; ')}`);
}

/** Asserts a tensor's shape, and optionally dtype and values. */
export function assertTensor(
  t: Tensor,
  shape: number[],
  values?: ArrayLike<number>,
  o: { dtype?: string; rtol?: number; atol?: number } = {},
): void {
  assert.deepEqual(t.shape, shape, 'shape');
  if (o.dtype) assert.equal(t.dtype, o.dtype, 'dtype');
  if (values) assertClose(nums(t), values, { rtol: o.rtol ?? 0, atol: o.atol ?? 0 });
}

// ---- PyTorch reference ------------------------------------------------------------------------

/** One reference computation: named input tensors and Python code setting `out` (or an expression). */
export interface ParityCase {
  name: string;
  inputs: () => Record<string, Tensor>;
  /** Our computation: a tensor, a number, or a list of them (compared in order). */
  ours: (inputs: Record<string, Tensor>) => Tensor | number | (Tensor | number)[];
  /** A Python expression, or statements assigning `out`; the inputs are variables, `F` is torch.nn.functional. */
  py: string;
  rtol?: number;
  atol?: number;
}

export interface RefOutput {
  dtype: string;
  shape: number[];
  values: number[];
}

const writers: Record<string, (t: Tensor) => Uint8Array> = {
  float32: (t) => bytesOf(t),
  float64: (t) => bytesOf(t),
  int64: (t) => bytesOf(t),
  int32: (t) => bytesOf(t),
  uint8: (t) => bytesOf(t),
  bool: (t) => bytesOf(t),
};
function bytesOf(t: Tensor): Uint8Array {
  const d = t.data();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

function readRaw(buf: Buffer, dtype: string): number[] {
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  switch (dtype) {
    case 'float32':
    case 'float16':
    case 'bfloat16':
      return Array.from(new Float32Array(ab));
    case 'float64':
      return Array.from(new Float64Array(ab));
    case 'int64':
      return Array.from(new BigInt64Array(ab), Number);
    case 'int32':
      return Array.from(new Int32Array(ab));
    case 'uint8':
    case 'bool':
      return Array.from(new Uint8Array(ab));
    default:
      throw new Error(`reference output dtype ${dtype} not handled`);
  }
}

/**
 * Writes every case's inputs to a temporary folder, runs reference_ops.py once, and returns the
 * reference outputs (or the Python error) by case name. Input tensors stay alive in `inputs`.
 */
export function runReference(
  cases: ParityCase[],
  inputs: Map<string, Record<string, Tensor>>,
): Map<string, RefOutput[] | { error: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'contraseg-ref-'));
  try {
    const manifest: { cases: unknown[] } = { cases: [] };
    let k = 0;
    for (const c of cases) {
      const ins = c.inputs();
      inputs.set(c.name, ins);
      const spec: Record<string, unknown> = {};
      for (const [name, t] of Object.entries(ins)) {
        const w = writers[t.dtype];
        if (!w) throw new Error(`reference input dtype ${t.dtype} not handled`);
        const file = `in_${k++}.bin`;
        writeFileSync(join(dir, file), w(t));
        spec[name] = { file, dtype: t.dtype, shape: t.shape };
      }
      const code = /^\s*out\s*=|\n/.test(c.py) ? c.py : `out = ${c.py}`;
      manifest.cases.push({ name: c.name, inputs: spec, code });
    }
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const r = spawnSync(PYTHON, [SCRIPT, dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`reference_ops.py failed (${r.status}): ${r.stderr}`);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Record<
      string,
      { error?: string; outputs?: { file: string; dtype: string; shape: number[] }[] }
    >;
    const out = new Map<string, RefOutput[] | { error: string }>();
    for (const [name, res] of Object.entries(results)) {
      if (res.error !== undefined) out.set(name, { error: res.error });
      else
        out.set(
          name,
          res.outputs!.map((o) => ({
            dtype: o.dtype,
            shape: o.shape,
            values: readRaw(readFileSync(join(dir, o.file)), o.dtype),
          })),
        );
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Compares our result of a case with PyTorch's: same count, dtypes, shapes, and close values. */
export function assertMatchesReference(
  c: ParityCase,
  ours: Tensor | number | (Tensor | number)[],
  ref: RefOutput[] | { error: string } | undefined,
): void {
  assert.ok(ref !== undefined, `${c.name}: no reference result`);
  assert.ok(Array.isArray(ref), `${c.name}: PyTorch raised ${(ref as { error: string }).error}`);
  const list = Array.isArray(ours) ? ours : [ours];
  assert.equal(list.length, ref.length, `${c.name}: number of outputs`);
  list.forEach((o, i) => {
    const r = ref[i];
    if (typeof o === 'number') {
      assert.deepEqual(
        r.shape,
        [],
        `${c.name}[${i}]: PyTorch gave a tensor where we gave a number`,
      );
      assertClose([o], r.values, { rtol: c.rtol, atol: c.atol, what: `${c.name}[${i}]` });
      return;
    }
    assert.equal(o.dtype, r.dtype, `${c.name}[${i}]: dtype`);
    assert.deepEqual(o.shape, r.shape, `${c.name}[${i}]: shape`);
    assertClose(nums(o), r.values, { rtol: c.rtol, atol: c.atol, what: `${c.name}[${i}]` });
  });
}

/**
 * Declares one `it` per case inside the current describe: the inputs are built and PyTorch runs
 * once (in `before`), then each case computes ours inside tidy and compares.
 */
export function parityTests(
  cases: ParityCase[],
  hooks: { before: (fn: () => void) => void; it: (name: string, fn: () => void) => void },
): void {
  const names = new Set<string>();
  for (const c of cases) {
    assert.ok(!names.has(c.name), `duplicate case ${c.name}`);
    names.add(c.name);
  }
  const inputs = new Map<string, Record<string, Tensor>>();
  let ref = new Map<string, RefOutput[] | { error: string }>();
  hooks.before(() => {
    ref = runReference(cases, inputs);
  });
  for (const c of cases) {
    hooks.it(c.name, () => {
      torch.tidy(() => {
        const ins = inputs.get(c.name)!;
        assertMatchesReference(c, c.ours(ins), ref.get(c.name));
      });
    });
  }
}
