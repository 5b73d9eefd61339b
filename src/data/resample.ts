/**
 * In-plane resampling of 2-D slices with the coordinate conventions of scipy.ndimage.zoom, which is
 * also what skimage.transform.resize / rescale call (skimage >= 0.19, without anti-aliasing).
 *
 * A resampling is separable: each axis gets an {@link AxisTaps} table that says, for every output
 * index, which two input indices it reads and with which weights. Interpolation is order 0
 * (nearest) or order 1 (linear); taps that fall outside the input read the constant 0.
 *
 * Two coordinate conventions, for an axis of `n` input and `m` output samples (output index k):
 * - pixel-centre ('grid'): x = (k + 0.5) * (n / m) - 0.5, the input padded with zeros on both sides
 *   (scipy zoom(grid_mode=True, mode='grid-constant'), i.e. skimage resize with mode='constant').
 *   Order 1 near the border blends with the zero padding.
 * - corner-aligned ('aligned'): x = k * ((n - 1) / (m - 1)) (zoom factor 1 when m = 1), scipy's
 *   default zoom(grid_mode=False, mode='constant'), used by SSL4MIS. Samples with x > n - 1 (which
 *   floating-point rounding can produce at k = m - 1) are 0, exactly as scipy does.
 *
 * Order 0 picks index floor(x + 0.5) (ties round up); order 1 uses floor(x) and floor(x) + 1 with
 * weights (1 - t, t), t = x - floor(x). The arithmetic is done in the same order as scipy's C code,
 * so nearest-neighbour index choices match it bit for bit.
 */
export type InterpolationOrder = 0 | 1;

/** Per-axis interpolation table: output k = w[2k] * in[i[2k]] + w[2k + 1] * in[i[2k + 1]]. */
export interface AxisTaps {
  readonly inSize: number;
  readonly outSize: number;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

/** Taps for the pixel-centre convention (skimage resize, scipy zoom grid_mode=True). */
export function gridTaps(inSize: number, outSize: number, order: InterpolationOrder): AxisTaps {
  checkSizes(inSize, outSize);
  const zoom = inSize / outSize;
  return buildTaps(inSize, outSize, order, (k) => (k + 0.5) * zoom - 0.5);
}

/** Taps for the corner-aligned convention (scipy zoom default grid_mode=False, mode='constant'). */
export function alignedTaps(inSize: number, outSize: number, order: InterpolationOrder): AxisTaps {
  checkSizes(inSize, outSize);
  const zoom = outSize > 1 ? (inSize - 1) / (outSize - 1) : 1;
  return buildTaps(inSize, outSize, order, (k) => {
    const x = k * zoom;
    return x > inSize - 1 ? Number.NaN : x;
  });
}

function checkSizes(inSize: number, outSize: number): void {
  if (!(Number.isInteger(inSize) && inSize >= 1 && Number.isInteger(outSize) && outSize >= 1)) {
    throw new RangeError(`resample: sizes must be positive integers, got ${inSize} -> ${outSize}`);
  }
}

/** Builds taps from a coordinate function; NaN means "outside, read the constant 0". */
function buildTaps(
  inSize: number,
  outSize: number,
  order: InterpolationOrder,
  coordinate: (k: number) => number,
): AxisTaps {
  const index = new Int32Array(2 * outSize);
  const weight = new Float64Array(2 * outSize);
  const setTap = (slot: number, i: number, w: number): void => {
    if (i >= 0 && i < inSize) {
      index[slot] = i;
      weight[slot] = w;
    }
  };
  for (let k = 0; k < outSize; k++) {
    const x = coordinate(k);
    if (Number.isNaN(x)) continue;
    if (order === 0) {
      setTap(2 * k, Math.floor(x + 0.5), 1);
    } else {
      const i0 = Math.floor(x);
      const t = x - i0;
      setTap(2 * k, i0, 1 - t);
      setTap(2 * k + 1, i0 + 1, t);
    }
  }
  return { inSize, outSize, index, weight };
}

/** A writable numeric array (any typed array or number[]). */
export type WritableNumericArray = { length: number; [i: number]: number };

/**
 * Resamples one row-major slice: dst[dstOffset + y * outW + x] =
 * sum_{a,b} wy_a * wx_b * src[srcOffset + iy_a * inW + ix_b] over the two taps of each axis.
 */
export function resampleSlice(
  src: ArrayLike<number>,
  srcOffset: number,
  rows: AxisTaps,
  cols: AxisTaps,
  dst: WritableNumericArray,
  dstOffset: number,
): void {
  const inW = cols.inSize;
  for (let y = 0; y < rows.outSize; y++) {
    const wy0 = rows.weight[2 * y];
    const wy1 = rows.weight[2 * y + 1];
    const r0 = srcOffset + rows.index[2 * y] * inW;
    const r1 = srcOffset + rows.index[2 * y + 1] * inW;
    const out = dstOffset + y * cols.outSize;
    for (let x = 0; x < cols.outSize; x++) {
      const wx0 = cols.weight[2 * x];
      const wx1 = cols.weight[2 * x + 1];
      const c0 = cols.index[2 * x];
      const c1 = cols.index[2 * x + 1];
      dst[out + x] =
        src[r0 + c0] * wy0 * wx0 +
        src[r0 + c1] * wy0 * wx1 +
        src[r1 + c0] * wy1 * wx0 +
        src[r1 + c1] * wy1 * wx1;
    }
  }
}

/**
 * Output size of skimage.transform.rescale along one axis: max(1, np.round(size * scale)), where
 * np.round rounds halves to the nearest even integer.
 */
export function rescaledSize(size: number, scale: number): number {
  return Math.max(1, roundHalfEven(size * scale));
}

/** Rounds to the nearest integer, halves to even (numpy.round / Python round). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
