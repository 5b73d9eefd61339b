/**
 * Intensity augmentations: the brightness/contrast/clip transform of the contrastive views
 * (method.md C.4 step 4, E.4) and the optional segmentation-batch change of E.3 step 3 (I-3).
 * "Contrast around the image's own mean" is TF's adjust_contrast: (x − mean)·f + mean, the mean
 * taken per image and channel over H×W.
 */
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/index.js';
import type { Rng } from '../util/rng.js';

export interface ContrastiveIntensityOptions {
  rng: Rng;
  /**
   * Draw δ and f per image instead of once per call. The default (false) is the code's behaviour:
   * TF draws one δ and one f per call, shared by the batch (I-16).
   */
  perImage?: boolean;
  /** δ ~ U(−brightness, brightness); default 0.3. */
  brightness?: number;
  /** f ~ U(lo, hi); default [0.7, 1.3]. */
  contrast?: [number, number];
  /** Output range, or null for none; default [0, 1.5]. */
  clip?: [number, number] | null;
}

/** A per-image column (N, 1, 1, 1) of values on x's device. */
function column(values: number[], x: Tensor): Tensor {
  return torch.tensor(Float32Array.from(values), [values.length, 1, 1, 1], { device: x.device });
}

/**
 * (x − mean)·f + mean + δ per image, computed as x·f + (mean·(1 − f) + δ) so that only two passes
 * touch the full batch (the offset is per image and channel).
 */
function brightnessContrast(x: Tensor, delta: number[], factor: number[]): Tensor {
  const f = column(factor, x);
  const offset = x.mean([2, 3], true).mul(f.rsub(1)).add(column(delta, x));
  return x.mul(f).add_(offset);
}

/**
 * One random view of the contrastive batch: brightness shift δ ~ U(−0.3, 0.3), then contrast
 * f ~ U(0.7, 1.3) around each image's own mean, then clip to [0, 1.5]. `images` (N, C, H, W) float.
 * Draws from `rng`: δ then f (shared), or all N δ's then all N f's (perImage).
 */
export function contrastiveIntensity(images: Tensor, opts: ContrastiveIntensityOptions): Tensor {
  const n = images.shape[0];
  const b = opts.brightness ?? 0.3;
  const [lo, hi] = opts.contrast ?? [0.7, 1.3];
  const clip = opts.clip === undefined ? ([0, 1.5] as [number, number]) : opts.clip;
  const draws = opts.perImage ? n : 1;
  const d = Array.from({ length: draws }, () => opts.rng.uniform(-b, b));
  const f = Array.from({ length: draws }, () => opts.rng.uniform(lo, hi));
  const expand = (v: number[]) => (opts.perImage ? v : new Array<number>(n).fill(v[0]));
  return torch.tidy(() =>
    torch.noGrad(() => {
      const out = brightnessContrast(images, expand(d), expand(f));
      return clip ? out.clamp_(clip[0], clip[1]) : out;
    }),
  );
}

export interface SegmentationIntensityOptions {
  rng: Rng;
  /** Contrast factor range for the first half of the batch; default [0.8, 1.2]. */
  contrast?: [number, number];
  /** Brightness shift U(−b, b) for the second half; default 0.1. */
  brightness?: number;
  /** Draw per image instead of once per half (the code draws once); default false. */
  perImage?: boolean;
}

/**
 * The segmentation-batch intensity change the code computes but never applies (E.3 step 3, I-3):
 * contrast f ~ U(0.8, 1.2) around each image's mean on the first ⌊N/2⌋ slices, brightness
 * δ ~ U(−0.1, 0.1) on the rest; no clipping. Draws: f then δ (or ⌊N/2⌋ f's, then the δ's).
 */
export function segmentationIntensity(images: Tensor, opts: SegmentationIntensityOptions): Tensor {
  const n = images.shape[0];
  const half = Math.floor(n / 2);
  const [lo, hi] = opts.contrast ?? [0.8, 1.2];
  const b = opts.brightness ?? 0.1;
  const fs = opts.perImage
    ? Array.from({ length: half }, () => opts.rng.uniform(lo, hi))
    : new Array<number>(half).fill(opts.rng.uniform(lo, hi));
  const ds = opts.perImage
    ? Array.from({ length: n - half }, () => opts.rng.uniform(-b, b))
    : new Array<number>(n - half).fill(opts.rng.uniform(-b, b));
  const factor = [...fs, ...new Array<number>(n - half).fill(1)];
  const delta = [...new Array<number>(half).fill(0), ...ds];
  return torch.tidy(() => torch.noGrad(() => brightnessContrast(images, delta, factor)));
}
