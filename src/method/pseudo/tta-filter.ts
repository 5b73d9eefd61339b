/**
 * The optional test-time-augmentation agreement filter of the pseudo-labels (method.md A.3 step 1,
 * I-15; `eval_test_imgs_preds` with `--test_aug_overlap 1` and `utils.augment_3d_vol`):
 *
 * 1. draw one augmentation for the whole volume: uniformly one of a rotation by U(−30°, 30°), an
 *    isotropic scaling by U(0.9, 1.1) rounded to 2 decimals, or a left-right flip; draw a second
 *    one the same way, redrawing while both are flips;
 * 2. predict class probabilities of both augmented volumes;
 * 3. undo each augmentation on its probability maps (bilinear, zero fill);
 * 4. argmax both; Dice per foreground class over the whole (flattened) volume, averaged;
 * 5. keep the volume when that mean exceeds the threshold (0.9).
 *
 * Geometry (as scipy.ndimage.rotate / skimage rescale + centre crop-or-pad in the code): every
 * transform is about the image centre ((W−1)/2, (H−1)/2), bilinear with zero fill, size kept.
 * A positive angle turns the content counter-clockwise as displayed (row 0 at the top), as
 * scipy.ndimage.rotate(img, angle, axes=(1, 0)); a scale s > 1 magnifies the content (rescale by s,
 * then centre crop). The flip reverses the last axis (np.fliplr of an (H, W) slice) exactly. The
 * code's integer centre crop/pad offsets (≤ ½ px) are not reproduced.
 *
 * Inverse: 'correct' (default) undoes the scale with 1/s; 'code' uses the released code's 2 − s
 * (a first-order approximation that leaves a residual magnification (2 − s)·s, e.g. 0.99 for
 * s = 1.1). Both negate the angle and flip again.
 *
 * Dice: per fixed class id 1..C−1 (I-13); a class absent from both label volumes counts as perfect
 * agreement (1) by default, or is left out of the mean (`absentClass: 'exclude'`; a volume with
 * no foreground in either prediction then has agreement NaN and is rejected, as in the code where
 * the mean of an empty list is NaN).
 */
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/index.js';

/** A source of uniform numbers on [0, 1): an object with `uniform()` (util/rng.ts's Rng) or a function. */
export type UniformSource = { uniform(): number } | (() => number);

export type TtaAugmentation =
  { kind: 'rotation'; degrees: number } | { kind: 'scale'; factor: number } | { kind: 'flip' };

/** How the scale is undone: 1/s ('correct') or the released code's 2 − s ('code'). */
export type TtaInverse = 'correct' | 'code';

/** Maps a batch of images (N, 1, H, W) to class probabilities (N, C, H, W). */
export type Predictor = (x: Tensor) => Tensor;

export interface TtaOptions {
  /** Random source for the augmentations (ignored when `augmentations` is given). */
  rng?: UniformSource;
  /** Fixed augmentations instead of random ones (reproductions and tests). */
  augmentations?: [TtaAugmentation, TtaAugmentation];
  /** Default 'correct'. */
  inverse?: TtaInverse;
  /** Keep when the mean foreground Dice exceeds this (strictly). Default 0.9 (`test_f1_threshold`). */
  threshold?: number;
  /** Slices per predictor call. Default 20. */
  batchSize?: number;
  /** Dice of a class absent from both predictions: 'one' (default) or 'exclude'. */
  absentClass?: 'one' | 'exclude';
}

export interface TtaResult {
  /** agreement > threshold. */
  keep: boolean;
  /** Mean foreground Dice between the two de-augmented predictions (NaN when nothing to average). */
  agreement: number;
  /** Dice per foreground class 1..C−1 (NaN for a class absent from both with 'exclude'). */
  dice: number[];
  augmentations: [TtaAugmentation, TtaAugmentation];
}

function uniformOf(src: UniformSource): () => number {
  return typeof src === 'function' ? src : () => src.uniform();
}

/** One augmentation as `augment_3d_vol` draws it: rotation, scale or flip, each with probability ⅓. */
export function drawTtaAugmentation(rng: UniformSource): TtaAugmentation {
  const u = uniformOf(rng);
  const k = Math.min(2, Math.floor(u() * 3));
  if (k === 0) return { kind: 'rotation', degrees: -30 + 60 * u() };
  if (k === 1) return { kind: 'scale', factor: Math.round((0.9 + 0.2 * u()) * 100) / 100 };
  return { kind: 'flip' };
}

/** The two augmentations of the filter: the second is redrawn while both are flips. */
export function drawTtaPair(rng: UniformSource): [TtaAugmentation, TtaAugmentation] {
  const a = drawTtaAugmentation(rng);
  let b = drawTtaAugmentation(rng);
  while (a.kind === 'flip' && b.kind === 'flip') b = drawTtaAugmentation(rng);
  return [a, b];
}

/**
 * The 2×2 matrix A (pixel units, (x, y) with y down, about the centre) such that
 * output(u) = input(A·u), for an augmentation or its inverse.
 */
function samplingMatrix(
  aug: TtaAugmentation,
  invert: boolean,
  inverse: TtaInverse,
): [number, number, number, number] {
  switch (aug.kind) {
    case 'rotation': {
      const t = ((invert ? -aug.degrees : aug.degrees) * Math.PI) / 180;
      const c = Math.cos(t);
      const s = Math.sin(t);
      return [c, -s, s, c];
    }
    case 'scale': {
      const s = invert ? (inverse === 'code' ? 2 - aug.factor : 1 / aug.factor) : aug.factor;
      return [1 / s, 0, 0, 1 / s];
    }
    case 'flip':
      return [-1, 0, 0, 1];
  }
}

function warp(x: Tensor, aug: TtaAugmentation, invert: boolean, inverse: TtaInverse): Tensor {
  if (x.ndim !== 4) throw new RangeError(`TTA: expected (N, C, H, W), got [${x.shape}]`);
  if (aug.kind === 'flip') return x.flip(3); // exact, and its own inverse
  const [N, C, H, W] = x.shape;
  const [a, b, c, d] = samplingMatrix(aug, invert, inverse);
  // Normalised coordinates (align_corners = false): x_n = x_px / (W/2) about the centre, so
  // θ = D⁻¹·A·D with D = diag(W/2, H/2).
  const theta = [a, (b * H) / W, (c * W) / H, d];
  return torch.tidy(() => {
    const th = torch
      .tensor([theta[0], theta[1], 0, theta[2], theta[3], 0], [1, 2, 3], {
        dtype: x.dtype,
        device: x.device,
      })
      .expand(N, 2, 3)
      .contiguous();
    const grid = torch.F.affineGrid(th, [N, C, H, W], false);
    return torch.F.gridSample(x, grid, {
      mode: 'bilinear',
      paddingMode: 'zeros',
      alignCorners: false,
    });
  });
}

/** Applies an augmentation to (N, C, H, W) images or maps (bilinear, zero fill). */
export function applyAugmentation(x: Tensor, aug: TtaAugmentation): Tensor {
  return warp(x, aug, false, 'correct');
}

/** Undoes an augmentation on (N, C, H, W) maps, with the correct or the code's inverse scale. */
export function invertAugmentation(
  x: Tensor,
  aug: TtaAugmentation,
  inverse: TtaInverse = 'correct',
): Tensor {
  return warp(x, aug, true, inverse);
}

/**
 * Dice of two label volumes (any equal shapes, int64) per class 1..numClasses−1, over all their
 * elements: 2|A∩B| / (|A| + |B|); a class absent from both gives `absent` (1 or NaN).
 */
export function foregroundDice(a: Tensor, b: Tensor, numClasses: number, absent = 1): number[] {
  if (a.shape.join() !== b.shape.join())
    throw new RangeError(`foregroundDice: shapes [${a.shape}] and [${b.shape}] differ`);
  return torch.tidy(() => {
    const out: number[] = [];
    for (let c = 1; c < numClasses; c++) {
      const ma = a.eq(c);
      const mb = b.eq(c);
      const inter = ma.logicalAnd(mb).sum().item();
      const total = ma.sum().item() + mb.sum().item();
      out.push(total === 0 ? absent : (2 * inter) / total);
    }
    return out;
  });
}

/** Runs the predictor on a (S, 1, H, W) volume in chunks, without autograd. */
function predictVolume(predict: Predictor, x: Tensor, batchSize: number): Tensor {
  return torch.noGrad(() =>
    torch.tidy(() => {
      const S = x.shape[0];
      if (S <= batchSize) return predict(x);
      const parts: Tensor[] = [];
      for (let s = 0; s < S; s += batchSize)
        parts.push(predict(x.narrow(0, s, Math.min(batchSize, S - s))));
      return torch.cat(parts, 0);
    }),
  );
}

/**
 * The TTA agreement filter for one volume.
 *
 * @param predict    images (n, 1, H, W) → probabilities (n, C, H, W)
 * @param volume     the volume's slices (S, 1, H, W)
 * @param numClasses C, background included
 */
export function ttaFilter(
  predict: Predictor,
  volume: Tensor,
  numClasses: number,
  options: TtaOptions = {},
): TtaResult {
  if (volume.ndim !== 4 || volume.shape[1] !== 1)
    throw new RangeError(`ttaFilter: volume must be (S, 1, H, W), got [${volume.shape}]`);
  if (!Number.isInteger(numClasses) || numClasses < 2)
    throw new RangeError(`ttaFilter: numClasses must be an integer >= 2`);
  const inverse = options.inverse ?? 'correct';
  const threshold = options.threshold ?? 0.9;
  const batchSize = options.batchSize ?? 20;
  const absent = (options.absentClass ?? 'one') === 'one' ? 1 : NaN;
  let augs = options.augmentations;
  if (!augs) {
    if (!options.rng) throw new RangeError('ttaFilter: give an rng or fixed augmentations');
    augs = drawTtaPair(options.rng);
  }
  const pair = augs;
  const dice = torch.tidy(() => {
    const labels = pair.map((aug) => {
      const probs = predictVolume(predict, applyAugmentation(volume, aug), batchSize);
      const [S, C, H, W] = probs.shape;
      if (
        S !== volume.shape[0] ||
        C !== numClasses ||
        H !== volume.shape[2] ||
        W !== volume.shape[3]
      ) {
        throw new RangeError(
          `ttaFilter: the predictor returned [${probs.shape}] for [${volume.shape}] with ${numClasses} classes`,
        );
      }
      return invertAugmentation(probs, aug, inverse).argmax(1);
    });
    return foregroundDice(labels[0], labels[1], numClasses, absent);
  });
  const used = dice.filter((d) => !Number.isNaN(d));
  const agreement = used.length === 0 ? NaN : used.reduce((s, d) => s + d, 0) / used.length;
  return { keep: agreement > threshold, agreement, dice, augmentations: pair };
}

/** The mean foreground Dice of `ttaFilter` alone (compare it with the threshold yourself). */
export function ttaAgreement(
  predict: Predictor,
  volume: Tensor,
  numClasses: number,
  options: TtaOptions = {},
): number {
  return ttaFilter(predict, volume, numClasses, options).agreement;
}
