import { InputError } from '../errors.js';
import type { Volume, VoxelArray } from './volume.js';

/** Throws InputError naming `file` when a floating-point array holds a NaN or an infinity. */
export function assertFinite(data: VoxelArray, file: string): void {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new InputError(`non-finite voxel value ${data[i]} at index ${i} (NaN/Inf)`, file);
    }
  }
}

/** Throws InputError when two volumes (image and label of one case) differ in shape. */
export function assertSameShape(image: Volume, label: Volume, file: string): void {
  if (image.shape.some((n, i) => n !== label.shape[i])) {
    throw new InputError(
      `image/label shape mismatch: image ${image.shape.join('x')}, label ${label.shape.join('x')}`,
      file,
    );
  }
}

/**
 * Checks that every voxel of a label volume is an integer class index in [0, numClasses) and
 * returns the volume with Uint8Array data (the same object when it already is one).
 */
export function toLabelMap(label: Volume, numClasses: number, file: string): Volume {
  const { data } = label;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new InputError(
        `label value ${v} at index ${i} is outside the class range 0..${numClasses - 1}`,
        file,
      );
    }
  }
  return data instanceof Uint8Array ? label : { ...label, data: Uint8Array.from(data) };
}
