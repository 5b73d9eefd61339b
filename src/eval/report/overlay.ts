import { PNG } from 'pngjs';
import type { Volume, VoxelArray } from '../../io/volume.js';

/** Colours of the overlay (RGB), also used by the HTML legend. */
export const OVERLAY_COLOURS = {
  groundTruth: [40, 220, 40],
  prediction: [255, 40, 255],
  both: [255, 230, 0],
} as const;

/** CSS colour of an overlay RGB triple. */
export function cssColour(rgb: readonly number[]): string {
  return `rgb(${rgb.join(', ')})`;
}

/**
 * The slice to show: the middle one (in order) of the slices where the ground truth has
 * foreground, else of those where the prediction has, else the middle slice.
 */
export function chooseSlice(gt: Volume, pred: Volume | null = null): number {
  for (const v of pred ? [gt, pred] : [gt]) {
    const [depth, h, w] = v.shape;
    const plane = h * w;
    const fg: number[] = [];
    for (let d = 0; d < depth; d++) {
      for (let p = d * plane; p < (d + 1) * plane; p++) {
        if (v.data[p] > 0) {
          fg.push(d);
          break;
        }
      }
    }
    if (fg.length > 0) return fg[Math.floor((fg.length - 1) / 2)];
  }
  return Math.floor((gt.shape[0] - 1) / 2);
}

/**
 * Draws slice `slice` of `image` in grayscale (window: 1st to 99th percentile of the slice) with
 * the contours of the ground truth and the prediction (every boundary of a non-background label,
 * including boundaries between classes) in distinct colours; where both contours fall on the same
 * pixel, a third colour. Small slices are enlarged by an integer factor (nearest neighbour) to at
 * least 256 pixels on the longer side, at most 8x. Returns PNG bytes.
 */
export function overlayPng(image: Volume, gt: Volume, pred: Volume, slice: number): Buffer {
  const [, h, w] = image.shape;
  const plane = h * w;
  const scale = Math.min(8, Math.max(1, Math.ceil(256 / Math.max(h, w))));
  const thickness = scale >= 4 ? 2 : 1;
  const H = h * scale;
  const W = w * scale;
  const gray = windowSlice(image.data, slice * plane, plane);
  const gtContour = contour(gt.data, slice * plane, h, w, scale, thickness);
  const predContour = contour(pred.data, slice * plane, h, w, scale, thickness);
  const png = new PNG({ width: W, height: H, colorType: 6 });
  for (let Y = 0, i = 0; Y < H; Y++) {
    const row = Math.floor(Y / scale) * w;
    for (let X = 0; X < W; X++, i++) {
      const g = gray[row + Math.floor(X / scale)];
      const inGt = gtContour[i] === 1;
      const inPred = predContour[i] === 1;
      const rgb =
        inGt && inPred
          ? OVERLAY_COLOURS.both
          : inGt
            ? OVERLAY_COLOURS.groundTruth
            : inPred
              ? OVERLAY_COLOURS.prediction
              : [g, g, g];
      png.data[4 * i] = rgb[0];
      png.data[4 * i + 1] = rgb[1];
      png.data[4 * i + 2] = rgb[2];
      png.data[4 * i + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}

/** One slice mapped to 0..255 between its 1st and 99th percentiles (numpy's linear method). */
function windowSlice(data: VoxelArray, offset: number, plane: number): Uint8Array {
  const values = Float64Array.from(data.subarray(offset, offset + plane)).sort();
  const at = (q: number) => {
    const pos = (plane - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, plane - 1);
    return values[lo] + (values[hi] - values[lo]) * (pos - lo);
  };
  const lo = at(0.01);
  const hi = at(0.99);
  const range = hi > lo ? hi - lo : 1;
  const out = new Uint8Array(plane);
  for (let p = 0; p < plane; p++) {
    const v = (data[offset + p] - lo) / range;
    out[p] = Math.round(255 * Math.min(1, Math.max(0, v)));
  }
  return out;
}

/**
 * 1 on the enlarged grid where a pixel carries a non-background label and a pixel within
 * `thickness` (Chebyshev distance, outside the image counting as background) carries another.
 */
function contour(
  labels: VoxelArray,
  offset: number,
  h: number,
  w: number,
  scale: number,
  thickness: number,
): Uint8Array {
  const H = h * scale;
  const W = w * scale;
  const at = (Y: number, X: number) =>
    Y < 0 || X < 0 || Y >= H || X >= W
      ? 0
      : labels[offset + Math.floor(Y / scale) * w + Math.floor(X / scale)];
  const out = new Uint8Array(H * W);
  for (let Y = 0; Y < H; Y++) {
    for (let X = 0; X < W; X++) {
      const v = at(Y, X);
      if (v === 0) continue;
      search: for (let dy = -thickness; dy <= thickness; dy++) {
        for (let dx = -thickness; dx <= thickness; dx++) {
          if (at(Y + dy, X + dx) !== v) {
            out[Y * W + X] = 1;
            break search;
          }
        }
      }
    }
  }
  return out;
}
