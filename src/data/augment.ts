/**
 * Training augmentation (method.md E.3, E.4), as batched tensor ops on the engine.
 *
 *   const rng = new Rng(seed);
 *   const { images, labels } = augmentSegmentationBatch(x, y, numClasses, { rng });
 *   const view1 = contrastiveIntensity(c, { rng });
 *
 * All randomness comes from the caller's `Rng` (host side; a few numbers per slice), so a seed
 * fixes the output exactly. Randomness is drawn in this order: the per-slice affine options (slice
 * order), the elastic grids of every slice, n0, then the optional intensity change.
 *
 * The modules: augment-affine.ts (E.3 step 1), augment-elastic.ts (step 2), augment-intensity.ts
 * (step 3 and C.4 step 4).
 */
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/index.js';
import type { Rng } from '../util/rng.js';
import { type AffineParams, affineSample, drawAffineParams } from './augment-affine.js';
import { drawElasticGrids, elasticWarp } from './augment-elastic.js';
import { segmentationIntensity } from './augment-intensity.js';

export * from './augment-affine.js';
export * from './augment-elastic.js';
export * from './augment-intensity.js';

export interface SegmentationAugmentOptions {
  /** The source of all random draws (advanced by the call). */
  rng: Rng;
  /** Per-slice affine transform (E.3 step 1); default true. */
  affine?: boolean;
  /** Elastic deformation of slices n0..N−1 (E.3 step 2); default true. */
  elastic?: boolean;
  /** Standard deviation of the coarse displacements, in pixels; default 5. */
  sigma?: number;
  /** Coarse grid size per axis; default 3. */
  controlPoints?: number;
  /**
   * Fixes n0 (slices [0, n0) affine only, [n0, N) deformed) instead of drawing it uniformly from
   * {1..max(1, N − 2)} (for N = 20 the code's {1..18}). Still draws the elastic grids.
   */
  n0?: number;
  /** The segmentation-batch intensity change the code never applies (I-3); default false. */
  intensity?: boolean;
  /** Slices whose maximum is at most this get no affine transform; default 0.001. */
  emptyThreshold?: number;
  /** A label value that is no class: its one-hot row is all zero (an ignored pixel). */
  ignoreLabel?: number;
}

/** What was applied, for logging and tests. */
export interface AugmentPlan {
  /** Per slice; { kind: 'none' } for slices at or below the empty threshold or with affine off. */
  affine: AffineParams[];
  /** Slices [0, n0) kept the affine augmentation only; [n0, N) were deformed. */
  n0: number;
}

export interface SegmentationAugmentResult {
  /** (N, C_in, H, W) float32. */
  images: Tensor;
  /** Soft one-hot labels (N, numClasses, H, W) float32: in [0, 1], summing to 1 per pixel. */
  labels: Tensor;
  plan: AugmentPlan;
}

/**
 * Augments a labeled segmentation batch as the code does (E.3): an affine transform per non-empty
 * slice (images bilinear, labels nearest), one-hot encoding, then an elastic deformation of
 * slices n0..N−1 that warps the image and the one-hot label together (soft labels).
 * `images` (N, C_in, H, W) float32 (C_in = 1 in the paper), `labels` (N, H, W) int64 in
 * [0, numClasses) or `ignoreLabel`.
 */
export function augmentSegmentationBatch(
  images: Tensor,
  labels: Tensor,
  numClasses: number,
  opts: SegmentationAugmentOptions,
): SegmentationAugmentResult {
  if (images.ndim !== 4)
    throw new RangeError(`augment: images must be (N, C, H, W), got [${images.shape}]`);
  const [n, ch, h, w] = images.shape;
  if (
    labels.ndim !== 3 ||
    labels.shape[0] !== n ||
    labels.shape[1] !== h ||
    labels.shape[2] !== w
  ) {
    throw new RangeError(
      `augment: labels must be (N, H, W) = [${n},${h},${w}], got [${labels.shape}]`,
    );
  }
  if (labels.dtype !== 'int64')
    throw new TypeError(`augment: labels must be int64, got ${labels.dtype}`);
  if (!Number.isInteger(numClasses) || numClasses < 1)
    throw new RangeError(`augment: numClasses ${numClasses}`);
  if (n === 0) throw new RangeError('augment: empty batch');
  const { rng } = opts;

  // Host-side draws (a handful of numbers per slice).
  let params: AffineParams[] = new Array<AffineParams>(n).fill({ kind: 'none' });
  if (opts.affine ?? true) {
    params = Array.from({ length: n }, () => drawAffineParams(rng));
    const threshold = opts.emptyThreshold ?? 0.001;
    const maxima = torch.tidy(
      () => images.flatten(1).max(1).values.float().cpu().data() as Float32Array,
    );
    params = params.map((p, i) => (maxima[i] > threshold ? p : { kind: 'none' }));
  }
  const elastic = opts.elastic ?? true;
  const cp = opts.controlPoints ?? 3;
  let grids: Float32Array | null = null;
  let n0 = n;
  if (elastic) {
    grids = drawElasticGrids(rng, n, opts.sigma ?? 5, cp);
    n0 = 1 + rng.int(Math.max(1, n - 2));
    if (opts.n0 !== undefined) {
      if (!Number.isInteger(opts.n0) || opts.n0 < 0 || opts.n0 > n)
        throw new RangeError(`augment: n0 ${opts.n0}`);
      n0 = opts.n0;
    }
  }

  return torch.tidy(() =>
    torch.noGrad(() => {
      const classLabels =
        opts.ignoreLabel === undefined
          ? labels
          : torch.where(labels.eq(opts.ignoreLabel), 0, labels);
      const [lo, hi] = [classLabels.min().item(), classLabels.max().item()];
      if (lo < 0 || hi >= numClasses) {
        throw new RangeError(`augment: label values [${lo}, ${hi}] outside [0, ${numClasses})`);
      }
      const moved = affineSample(images.float(), labels.unsqueeze(1).float(), params);
      const classes = torch.arange(0, numClasses, 1, { dtype: 'float32', device: images.device });
      const oneHot = (moved.labelMap as Tensor).eq(classes.view(1, numClasses, 1, 1)).float();
      // Image and one-hot label in one tensor, so that the elastic warp moves them together.
      const both = torch.cat([moved.images, oneHot], 1);
      if (grids && n0 < n) {
        const tail = both.slice(0, n0);
        const warped = elasticWarp(tail, grids.subarray(n0 * 2 * cp * cp), [cp, cp]);
        warped.slice(1, ch).clamp_(0, 1); // bilinear weights sum to 1 only up to rounding
        tail.copy_(warped);
      }
      let img = both.slice(1, 0, ch).contiguous();
      if (opts.intensity) img = segmentationIntensity(img, { rng });
      return { images: img, labels: both.slice(1, ch).contiguous(), plan: { affine: params, n0 } };
    }),
  );
}
