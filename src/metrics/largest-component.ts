import type { VoxelArray } from '../io/volume.js';

/**
 * nnU-Net's post-processing: keep only the largest connected component of a class and set the
 * rest of it to background, which removes distant false positives (they dominate HD95 when the
 * network is unsure). Components are 6-connected in 3-D (faces; scipy.ndimage.label's default,
 * which nnU-Net uses).
 */

/**
 * Keeps, for each class in `classes`, only its largest 6-connected component of label map
 * `labels` (C order, `shape` [D, H, W], any voxel type); other voxels of those classes become 0.
 * Ties keep the component met first in memory order. Returns a new array; `labels` is unchanged.
 */
export function keepLargestComponent<T extends VoxelArray>(
  labels: T,
  shape: readonly [number, number, number],
  classes: readonly number[],
): T {
  const [d, h, w] = shape;
  if (labels.length !== d * h * w)
    throw new RangeError(`keepLargestComponent: ${labels.length} voxels for shape [${shape}]`);
  const out = labels.slice() as T;
  const component = new Int32Array(labels.length).fill(-1);
  const queue = new Int32Array(labels.length);
  for (const c of classes) {
    if (c === 0) throw new RangeError('keepLargestComponent: class 0 is the background');
    let largest = -1;
    let largestSize = 0;
    let next = 0;
    for (let seed = 0; seed < labels.length; seed++) {
      if (labels[seed] !== c || component[seed] !== -1) continue;
      // Breadth-first fill of the component holding `seed`.
      const id = next++;
      let head = 0;
      let tail = 0;
      queue[tail++] = seed;
      component[seed] = id;
      while (head < tail) {
        const i = queue[head++];
        const x = i % w;
        const y = ((i - x) / w) % h;
        const z = (i - x - y * w) / (w * h);
        const visit = (j: number) => {
          if (labels[j] === c && component[j] === -1) {
            component[j] = id;
            queue[tail++] = j;
          }
        };
        if (x > 0) visit(i - 1);
        if (x < w - 1) visit(i + 1);
        if (y > 0) visit(i - w);
        if (y < h - 1) visit(i + w);
        if (z > 0) visit(i - w * h);
        if (z < d - 1) visit(i + w * h);
      }
      if (tail > largestSize) {
        largestSize = tail;
        largest = id;
      }
    }
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] === c && component[i] !== largest) out[i] = 0;
    }
  }
  return out;
}
