// Shared helpers of the augmentation tests: synthetic slices, tensor comparisons, and a runner
// for the scipy references (one /usr/bin/python3 process per call, JSON in and out).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as torch from '../../src/torch/index.js';
import type { Tensor } from '../../src/torch/index.js';

export const PYTHON = '/usr/bin/python3';

/** Runs `code` with `input` as JSON on stdin; the script prints one JSON value. */
export function python<T>(code: string, input: unknown): T {
  const r = spawnSync(PYTHON, ['-c', code], { input: JSON.stringify(input), maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr?.toString() ?? r.error}`);
  return JSON.parse(r.stdout.toString()) as T;
}

/** True when /usr/bin/python3 has numpy and scipy (the parity tests skip otherwise). */
export function hasScipy(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import numpy, scipy.ndimage']);
  return r.status === 0;
}

/** max |a − b| over all elements. */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  return torch.tidy(() => a.float().sub(b.float()).abs().max().item());
}

/** Bitwise equality of two tensors' contents (and shapes). */
export function sameBits(a: Tensor, b: Tensor): boolean {
  if (a.shape.join() !== b.shape.join() || a.dtype !== b.dtype) return false;
  const bytes = (t: Tensor) => {
    const d = t.contiguous().data();
    return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  };
  return bytes(a).equals(bytes(b));
}

/**
 * A synthetic slice batch (N, 1, H, W) with labels (N, H, W): an off-centre ellipse (class 1,
 * intensity 0.8), a small disc inside it (class 2, 1.0) and a bar (class 3, 0.5) on a faint ramp
 * background; slice i is shifted by i pixels so slices differ. Asymmetric, so flips and rotations
 * are visible.
 */
export function syntheticBatch(
  n: number,
  h: number,
  w: number,
): { images: Tensor; labels: Tensor } {
  const img = new Float32Array(n * h * w);
  const lab = new BigInt64Array(n * h * w);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const k = (i * h + y) * w + x;
        const u = (x - w * 0.55 - (i % 5)) / (w * 0.22);
        const v = (y - h * 0.45) / (h * 0.3);
        let c = 0;
        let val = 0.05 * (x / w);
        if (u * u + v * v < 1) {
          c = 1;
          val = 0.8;
        }
        const du = x - w * 0.6 - (i % 5);
        const dv = y - h * 0.4;
        if (du * du + dv * dv < (h * 0.08) ** 2) {
          c = 2;
          val = 1.0;
        }
        if (y > h * 0.8 && y < h * 0.88 && x > w * 0.15 && x < w * 0.5) {
          c = 3;
          val = 0.5;
        }
        img[k] = val;
        lab[k] = BigInt(c);
      }
    }
  }
  return { images: torch.tensor(img, [n, 1, h, w]), labels: torch.tensor(lab, [n, h, w]) };
}

/** Plain number rows of a 2-D tensor. */
export function rows(t: Tensor): number[][] {
  const [h, w] = t.shape;
  const d = t.float().contiguous().toArray();
  return Array.from({ length: h }, (_, y) => d.slice(y * w, (y + 1) * w));
}

export function assertClose(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tol ${tol})`);
}
