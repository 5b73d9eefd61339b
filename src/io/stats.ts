import type { VoxelArray } from './volume.js';

/** Minimum, maximum, sum and count of voxel values; merge() accumulates several volumes. */
export class IntensityStats {
  min = Infinity;
  max = -Infinity;
  sum = 0;
  count = 0;

  add(data: VoxelArray): this {
    let { min, max, sum } = this;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    Object.assign(this, { min, max, sum, count: this.count + data.length });
    return this;
  }

  get mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }
}

/**
 * Voxel count per value when `data` holds integers with at most `maxDistinct` distinct values (a
 * label map), else null. Keys are in increasing order.
 */
export function countValues(data: VoxelArray, maxDistinct = 32): Map<number, number> | null {
  const counts = new Map<number, number>();
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    const n = counts.get(v);
    if (n !== undefined) {
      counts.set(v, n + 1);
      continue;
    }
    if (!Number.isInteger(v) || counts.size === maxDistinct) return null;
    counts.set(v, 1);
  }
  return new Map([...counts].sort((a, b) => a[0] - b[0]));
}
