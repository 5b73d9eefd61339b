/**
 * Percentiles of a sample with numpy.percentile's default 'linear' method (Hyndman and Fan type 7):
 * for the ascending sorted values v of n samples and q in [0, 100], the virtual index is
 * h = (n - 1) q / 100 and the result v[floor(h)] + (h - floor(h)) (v[floor(h) + 1] - v[floor(h)]).
 * The order statistics are found by selection (quickselect, O(n)) instead of a full sort. Values
 * must not be NaN.
 */
export function percentiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) throw new RangeError('percentiles: empty sample');
  const work = Float64Array.from(values);
  return qs.map((q) => {
    if (!(q >= 0 && q <= 100)) throw new RangeError(`percentiles: q must be in [0, 100], got ${q}`);
    const h = ((n - 1) * q) / 100;
    const lo = Math.floor(h);
    const below = select(work, lo);
    // The next order statistic is the smallest value after position lo once lo is selected.
    let above = below;
    if (lo + 1 < n) {
      above = work[lo + 1];
      for (let i = lo + 2; i < n; i++) if (work[i] < above) above = work[i];
    }
    return below + (h - lo) * (above - below);
  });
}

/**
 * Rearranges `a` so that a[k] is its k-th smallest value, everything before it ≤ a[k] and
 * everything after it ≥ a[k] (Hoare's selection with a median-of-three pivot); returns a[k].
 */
function select(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    const mid = (left + right) >> 1;
    // Median of three as the pivot value.
    const x = a[left];
    const y = a[mid];
    const z = a[right];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k];
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
