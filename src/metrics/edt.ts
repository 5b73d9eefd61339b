import type { Volume } from '../io/volume.js';

/** Shape [D, H, W] of a C-order volume. */
export type Shape3 = Volume['shape'];

/** Voxel size along [D, H, W] (millimetres, or 1 per voxel). */
export type Spacing3 = [number, number, number];

/**
 * Exact squared Euclidean distance transform of a 3-D binary feature mask with per-axis spacing.
 *
 * For every voxel x returns D²(x) = min over feature voxels y (nonzero in `features`) of
 * Σᵢ ((xᵢ − yᵢ)·sᵢ)², s = `spacing`; Infinity everywhere when there is no feature. √D² equals
 * scipy.ndimage.distance_transform_edt(features == 0, sampling=spacing) wherever a feature exists.
 *
 * D² is separable: with f = 0 on features and ∞ elsewhere,
 * D²(x) = min_{y_D} [((x_D − y_D)s_D)² + min_{y_H} [((x_H − y_H)s_H)² + min_{y_W} [f(y) +
 * ((x_W − y_W)s_W)²]]], computed by three passes (W, then H, then D) of the 1-D transform of a
 * sampled function, each the lower envelope of parabolas: P. F. Felzenszwalb and
 * D. P. Huttenlocher, "Distance Transforms of Sampled Functions", Theory of Computing 8 (2012)
 * 415–428, algorithm DT(f). O(D·H·W) time. Throws RangeError when `features` does not have
 * D·H·W voxels.
 */
export function squaredDistanceTransform(
  features: Uint8Array,
  shape: Shape3,
  spacing: Spacing3,
): Float64Array {
  const [d, h, w] = shape;
  const n = d * h * w;
  if (features.length !== n) {
    throw new RangeError(
      `features has ${features.length} voxels, shape ${shape.join('x')} needs ${n}`,
    );
  }
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) dist[i] = features[i] ? 0 : Infinity;
  const maxLen = Math.max(d, h, w);
  const scratch: Scratch = {
    f: new Float64Array(maxLen),
    out: new Float64Array(maxLen),
    v: new Int32Array(maxLen),
    z: new Float64Array(maxLen + 1),
  };
  for (const axis of [2, 1, 0] as const) transformAxis(dist, shape, axis, spacing[axis], scratch);
  return dist;
}

interface Scratch {
  f: Float64Array;
  out: Float64Array;
  v: Int32Array;
  z: Float64Array;
}

/** Applies the 1-D transform in place to every line of `dist` along `axis` (0 D, 1 H, 2 W). */
function transformAxis(
  dist: Float64Array,
  shape: Shape3,
  axis: 0 | 1 | 2,
  step: number,
  s: Scratch,
): void {
  const strides = [shape[1] * shape[2], shape[2], 1];
  const [b, c] = [0, 1, 2].filter((k) => k !== axis);
  const len = shape[axis];
  const stride = strides[axis];
  for (let ib = 0; ib < shape[b]; ib++) {
    for (let ic = 0; ic < shape[c]; ic++) {
      const base = ib * strides[b] + ic * strides[c];
      if (lowerEnvelope(dist, base, stride, len, step, s)) {
        for (let q = 0; q < len; q++) dist[base + q * stride] = s.out[q];
      }
    }
  }
}

/**
 * 1-D transform d(q) = min_p f(p) + ((q − p)·step)² into s.out, of the line f(q) = dist[base +
 * q·stride], q < len (Felzenszwalb and Huttenlocher's DT(f)). Samples with f = ∞ contribute no
 * parabola; returns false, leaving s.out unset, when none is finite (d = f = ∞). v holds the
 * envelope's parabola vertices, z the boundaries between them: the parabolas from p and q
 * intersect at x = ((f(q) + x_q²) − (f(p) + x_p²)) / (2(x_q − x_p)), x_i = i·step.
 */
function lowerEnvelope(
  dist: Float64Array,
  base: number,
  stride: number,
  len: number,
  step: number,
  s: Scratch,
): boolean {
  const { f, out, v, z } = s;
  let k = -1;
  for (let q = 0; q < len; q++) {
    const fq = dist[base + q * stride];
    if (fq === Infinity) continue;
    f[q] = fq;
    const xq = q * step;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    let cross: number;
    for (;;) {
      const xp = v[k] * step;
      cross = (fq + xq * xq - (f[v[k]] + xp * xp)) / (2 * (xq - xp));
      if (cross > z[k]) break;
      k--;
    }
    k++;
    v[k] = q;
    z[k] = cross;
    z[k + 1] = Infinity;
  }
  if (k < 0) return false;
  k = 0;
  for (let q = 0; q < len; q++) {
    const xq = q * step;
    while (z[k + 1] < xq) k++;
    const dx = xq - v[k] * step;
    out[q] = dx * dx + f[v[k]];
  }
  return true;
}
