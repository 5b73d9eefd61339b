import type { Shape3 } from './edt.js';

/**
 * Surface voxels of a binary 3-D mask as medpy.metric.binary defines them:
 * `mask ^ scipy.ndimage.binary_erosion(mask, generate_binary_structure(3, 1))`. The erosion uses
 * scipy's default border_value = 0, so a foreground voxel is on the surface iff at least one of its
 * 6 face neighbours is background or lies outside the array. Returns a 0/1 mask of the same shape.
 */
export function surfaceVoxels(mask: Uint8Array, shape: Shape3): Uint8Array {
  const [d, h, w] = shape;
  const hw = h * w;
  const out = new Uint8Array(mask.length);
  for (let z = 0; z < d; z++) {
    for (let y = 0; y < h; y++) {
      const row = z * hw + y * w;
      for (let x = 0; x < w; x++) {
        const i = row + x;
        if (!mask[i]) continue;
        const interior =
          x > 0 &&
          x < w - 1 &&
          y > 0 &&
          y < h - 1 &&
          z > 0 &&
          z < d - 1 &&
          mask[i - 1] &&
          mask[i + 1] &&
          mask[i - w] &&
          mask[i + w] &&
          mask[i - hw] &&
          mask[i + hw];
        if (!interior) out[i] = 1;
      }
    }
  }
  return out;
}
