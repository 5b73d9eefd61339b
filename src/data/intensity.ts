/**
 * Percentiles of a sample with numpy.percentile's default 'linear' method (Hyndman and Fan type 7):
 * for the ascending sorted values v of n samples and q in [0, 100], the virtual index is
 * h = (n - 1) q / 100 and the result v[floor(h)] + (h - floor(h)) (v[floor(h) + 1] - v[floor(h)]).
 */
export function percentiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) throw new RangeError('percentiles: empty sample');
  const sorted = Float64Array.from(values).sort();
  return qs.map((q) => {
    if (!(q >= 0 && q <= 100)) throw new RangeError(`percentiles: q must be in [0, 100], got ${q}`);
    const h = ((n - 1) * q) / 100;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, n - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  });
}

/** The affine intensity map of a volume: x -> (x - low) / (high - low). */
export interface IntensityWindow {
  low: number;
  high: number;
}

/**
 * Percentile window of a whole volume (method.md E.1 step 2): low and high are its `lower` and
 * `upper` percentiles (1 and 99 in the paper).
 */
export function percentileWindow(
  values: ArrayLike<number>,
  lower: number,
  upper: number,
): IntensityWindow {
  const [low, high] = percentiles(values, [lower, upper]);
  return { low, high };
}

/**
 * Applies x <- (x - low) / (high - low) without clipping, so values may leave [0, 1]. A constant
 * volume (high = low) is only shifted, giving zeros instead of NaN.
 */
export function applyWindow(values: ArrayLike<number>, window: IntensityWindow): Float32Array {
  const range = window.high > window.low ? window.high - window.low : 1;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] - window.low) / range;
  return out;
}
