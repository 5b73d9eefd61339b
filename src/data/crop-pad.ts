import type { WritableNumericArray } from './resample.js';

/**
 * Centre crop or zero-pad of one axis from `size` to `target` samples: out[i] = in[i + start] where
 * 0 <= i + start < size, else 0. As in the authors' crop_or_pad_slice_to_size (method.md E.1 step
 * 4), a crop starts at floor((size - target) / 2) and a pad places the input at
 * floor((target - size) / 2), so start = -floor((target - size) / 2) when padding.
 */
export interface AxisWindow {
  readonly size: number;
  readonly target: number;
  readonly start: number;
}

export function centreWindow(size: number, target: number): AxisWindow {
  const start =
    size > target ? Math.floor((size - target) / 2) : 0 - Math.floor((target - size) / 2);
  return { size, target, start };
}

/**
 * Copies an H x W slice into an h x w slice shifted by (rowStart, colStart):
 * dst[y, x] = src[y + rowStart, x + colStart] where that lies inside src, else 0.
 * Forward crop/pad uses the windows' starts; the inverse (pasting a crop back into a canvas of the
 * original size, zeros outside) uses their negation.
 */
export function shiftCopy(
  src: ArrayLike<number>,
  srcOffset: number,
  srcShape: readonly [number, number],
  rowStart: number,
  colStart: number,
  dst: WritableNumericArray,
  dstOffset: number,
  dstShape: readonly [number, number],
): void {
  const [srcH, srcW] = srcShape;
  const [dstH, dstW] = dstShape;
  const x0 = Math.max(0, -colStart);
  const x1 = Math.min(dstW, srcW - colStart);
  for (let y = 0; y < dstH; y++) {
    const row = dstOffset + y * dstW;
    const sy = y + rowStart;
    if (sy < 0 || sy >= srcH || x1 <= x0) {
      for (let x = 0; x < dstW; x++) dst[row + x] = 0;
      continue;
    }
    const srcRow = srcOffset + sy * srcW + colStart;
    for (let x = 0; x < x0; x++) dst[row + x] = 0;
    for (let x = x0; x < x1; x++) dst[row + x] = src[srcRow + x];
    for (let x = x1; x < dstW; x++) dst[row + x] = 0;
  }
}

/** Forward centre crop/pad of one slice to the windows' target sizes. */
export function cropOrPadSlice(
  src: ArrayLike<number>,
  srcOffset: number,
  rows: AxisWindow,
  cols: AxisWindow,
  dst: WritableNumericArray,
  dstOffset: number,
): void {
  shiftCopy(src, srcOffset, [rows.size, cols.size], rows.start, cols.start, dst, dstOffset, [
    rows.target,
    cols.target,
  ]);
}

/** Inverse of {@link cropOrPadSlice}: pastes a target-sized slice back at the original size. */
export function uncropSlice(
  src: ArrayLike<number>,
  srcOffset: number,
  rows: AxisWindow,
  cols: AxisWindow,
  dst: WritableNumericArray,
  dstOffset: number,
): void {
  shiftCopy(src, srcOffset, [rows.target, cols.target], -rows.start, -cols.start, dst, dstOffset, [
    rows.size,
    cols.size,
  ]);
}
