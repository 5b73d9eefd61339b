/**
 * q-th percentile (q in [0, 100]) of ascending `sorted` values, numpy.percentile's default
 * 'linear' method: position i = (n − 1)·q/100, result = lerp(v[⌊i⌋], v[⌊i⌋ + 1], i − ⌊i⌋), with
 * numpy's lerp (a + (b − a)·t for t < 0.5, b − (b − a)·(1 − t) otherwise). NaN for no values.
 */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * (q / 100);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const t = pos - lo;
  const a = sorted[lo];
  const diff = sorted[hi] - a;
  return t < 0.5 ? a + diff * t : sorted[hi] - diff * (1 - t);
}

/** Descriptive statistics of a list of values from which NaN entries were dropped. */
export interface Summary {
  /** Arithmetic mean of the non-NaN values. */
  mean: number;
  /** Population standard deviation √(Σ(x − mean)²/n) (numpy.std, ddof = 0). */
  std: number;
  /** Median (numpy.median: mean of the two middle values when n is even). */
  median: number;
  /** Number of non-NaN values summarised. */
  n: number;
  /** Number of NaN values skipped (e.g. HD95 of a volume where one mask is empty). */
  nanCount: number;
}

/** Summary of `values`, skipping and counting NaN; mean, std and median are NaN when n = 0. */
export function describe(values: ArrayLike<number>): Summary {
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) kept.push(values[i]);
  const n = kept.length;
  const nanCount = values.length - n;
  if (n === 0) return { mean: NaN, std: NaN, median: NaN, n, nanCount };
  let sum = 0;
  for (const x of kept) sum += x;
  const mean = sum / n;
  let ss = 0;
  for (const x of kept) ss += (x - mean) ** 2;
  const sorted = Float64Array.from(kept).sort();
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { mean, std: Math.sqrt(ss / n), median, n, nanCount };
}
