/**
 * Per-class volumes of a label map (browser-safe: the page of `contraseg view` lists them).
 */
import type { Volume } from '../io/volume.js';

export interface ClassVolume {
  index: number;
  name: string;
  voxels: number;
  /** Millilitres (voxels × voxel volume in mm³ / 1000), or null when the spacing is unknown. */
  ml: number | null;
}

/** Voxel counts and volumes of classes 1..n-1 (background left out) of `labels`. */
export function classVolumes(labels: Volume, classNames: readonly string[]): ClassVolume[] {
  const counts = new Float64Array(classNames.length);
  const { data } = labels;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < counts.length) counts[v]++;
  }
  const s = labels.spacing;
  const voxelMl = s ? (s[0] * s[1] * s[2]) / 1000 : null;
  return classNames.slice(1).map((name, k) => ({
    index: k + 1,
    name,
    voxels: counts[k + 1],
    ml: voxelMl === null ? null : counts[k + 1] * voxelMl,
  }));
}
