import { squaredDistanceTransform, type Shape3, type Spacing3 } from './edt.js';
import { percentileSorted } from './stats.js';
import { surfaceVoxels } from './surface.js';

/** Symmetric surface distances between two binary masks, in the unit of the spacing. */
export interface SurfaceMetrics {
  /** 95th percentile of the union of both directed surface-distance sets (medpy hd95). */
  hd95: number;
  /** Mean of the two directed mean surface distances (medpy assd). */
  assd: number;
}

/**
 * HD95 and ASSD of binary masks `a` and `b` (nonzero = foreground) with medpy.metric.binary's
 * definitions (medpy/metric/binary.py: hd95, assd, __surface_distances, connectivity = 1):
 *
 * - S_a = a XOR erode(a) (see `surfaceVoxels`), likewise S_b;
 * - d_ab = { dist(x, S_b) : x ∈ S_a }, d_ba = { dist(y, S_a) : y ∈ S_b }, dist the exact Euclidean
 *   distance with voxel size `spacing` (`squaredDistanceTransform`), or 1 per voxel when null;
 * - hd95 = numpy.percentile(d_ab ∪ d_ba, 95) (linear interpolation);
 * - assd = (mean d_ab + mean d_ba) / 2.
 *
 * Either mask empty: medpy raises; here both are NaN (MONAI's convention), so that aggregates can
 * skip and count them. The work is confined to the bounding box of a ∪ b, which changes nothing:
 * every surface voxel lies in it, and voxels outside it are background just like the array border.
 */
export function surfaceMetrics(
  a: Uint8Array,
  b: Uint8Array,
  shape: Shape3,
  spacing: Spacing3 | null,
): SurfaceMetrics {
  const box = unionBox(a, b, shape);
  if (!box) return { hd95: NaN, assd: NaN };
  const ca = crop(a, shape, box);
  const cb = crop(b, shape, box);
  const boxShape = box.size;
  const step = spacing ?? [1, 1, 1];
  const sa = surfaceVoxels(ca, boxShape);
  const sb = surfaceVoxels(cb, boxShape);
  const ab = sampleDistances(squaredDistanceTransform(sb, boxShape, step), sa);
  const ba = sampleDistances(squaredDistanceTransform(sa, boxShape, step), sb);
  const all = new Float64Array(ab.length + ba.length);
  all.set(ab);
  all.set(ba, ab.length);
  all.sort();
  return { hd95: percentileSorted(all, 95), assd: (mean(ab) + mean(ba)) / 2 };
}

interface Box {
  start: Shape3;
  size: Shape3;
}

/** Bounding box of the voxels nonzero in `a` or `b`; null when either mask is empty. */
function unionBox(a: Uint8Array, b: Uint8Array, shape: Shape3): Box | null {
  const [d, h, w] = shape;
  const lo = [d, h, w];
  const hi = [-1, -1, -1];
  let anyA = false;
  let anyB = false;
  for (let z = 0, i = 0; z < d; z++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++, i++) {
        const inA = a[i] !== 0;
        const inB = b[i] !== 0;
        if (!inA && !inB) continue;
        anyA ||= inA;
        anyB ||= inB;
        if (z < lo[0]) lo[0] = z;
        if (z > hi[0]) hi[0] = z;
        if (y < lo[1]) lo[1] = y;
        if (y > hi[1]) hi[1] = y;
        if (x < lo[2]) lo[2] = x;
        if (x > hi[2]) hi[2] = x;
      }
    }
  }
  if (!anyA || !anyB) return null;
  return {
    start: [lo[0], lo[1], lo[2]],
    size: [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1],
  };
}

/** The part of `mask` inside `box`, as a 0/1 C-order array of shape box.size. */
function crop(mask: Uint8Array, shape: Shape3, box: Box): Uint8Array {
  const [, h, w] = shape;
  const [z0, y0, x0] = box.start;
  const [bd, bh, bw] = box.size;
  const out = new Uint8Array(bd * bh * bw);
  for (let z = 0, o = 0; z < bd; z++) {
    for (let y = 0; y < bh; y++) {
      const row = (z0 + z) * h * w + (y0 + y) * w + x0;
      for (let x = 0; x < bw; x++, o++) out[o] = mask[row + x] ? 1 : 0;
    }
  }
  return out;
}

/** √ of the squared distances `dist2` at the voxels where `at` is nonzero, in C order. */
function sampleDistances(dist2: Float64Array, at: Uint8Array): Float64Array {
  let count = 0;
  for (let i = 0; i < at.length; i++) count += at[i];
  const out = new Float64Array(count);
  for (let i = 0, k = 0; i < at.length; i++) if (at[i]) out[k++] = Math.sqrt(dist2[i]);
  return out;
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}
