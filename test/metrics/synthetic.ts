// Seeded random masks for the eval tests: ellipsoids, blobs and noise in [D, H, W] volumes.
import type { Shape3, Spacing3 } from '../../src/metrics/edt.js';

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Centre and semi-axes (in millimetres, i.e. index × spacing) of an axis-aligned ellipsoid. */
export interface Ellipsoid {
  centre: Spacing3;
  radii: Spacing3;
}

/** Sets `out` to `value` inside the ellipsoid Σ((i·s − c)/r)² ≤ 1; returns `out`. */
export function paintEllipsoid(
  out: Uint8Array,
  shape: Shape3,
  spacing: Spacing3,
  e: Ellipsoid,
  value = 1,
): Uint8Array {
  const [d, h, w] = shape;
  for (let z = 0, i = 0; z < d; z++) {
    const dz = (z * spacing[0] - e.centre[0]) / e.radii[0];
    for (let y = 0; y < h; y++) {
      const dy = (y * spacing[1] - e.centre[1]) / e.radii[1];
      for (let x = 0; x < w; x++, i++) {
        const dx = (x * spacing[2] - e.centre[2]) / e.radii[2];
        if (dz * dz + dy * dy + dx * dx <= 1) out[i] = value;
      }
    }
  }
  return out;
}

/** A random ellipsoid centred inside the volume with semi-axes 5–45 % of its extent (≥ ½ voxel). */
export function randomEllipsoid(rand: () => number, shape: Shape3, spacing: Spacing3): Ellipsoid {
  const axis = (k: number): [number, number] => {
    const extent = shape[k] * spacing[k];
    return [rand() * extent, Math.max(spacing[k] / 2, (0.05 + 0.4 * rand()) * extent)];
  };
  const [a, b, c] = [axis(0), axis(1), axis(2)];
  return { centre: [a[0], b[0], c[0]], radii: [a[1], b[1], c[1]] };
}

/** `e` moved by up to `frac` of each semi-axis and rescaled by a factor in [1 − frac, 1 + frac]. */
export function jitter(rand: () => number, e: Ellipsoid, frac: number): Ellipsoid {
  const f = (): number => 1 + frac * (2 * rand() - 1);
  return {
    centre: [0, 1, 2].map((k) => e.centre[k] + (f() - 1) * e.radii[k]) as Spacing3,
    radii: [0, 1, 2].map((k) => e.radii[k] * f()) as Spacing3,
  };
}

/** Each voxel of `out` set to 1 with probability p; returns `out`. */
export function paintNoise(out: Uint8Array, rand: () => number, p: number): Uint8Array {
  for (let i = 0; i < out.length; i++) if (rand() < p) out[i] = 1;
  return out;
}

/** Each voxel of `mask` flipped 0 ↔ 1 with probability p, in place; returns `mask`. */
export function flipNoise(mask: Uint8Array, rand: () => number, p: number): Uint8Array {
  for (let i = 0; i < mask.length; i++) if (rand() < p) mask[i] ^= 1;
  return mask;
}
