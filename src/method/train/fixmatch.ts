import * as torch from '../../torch/index.js';
import { augmentSegmentationBatch, contrastiveIntensity } from '../../data/augment.js';
import type { RunConfig } from '../config.js';
import { gatherBatch } from '../batch.js';
import type { SlicePool } from '../pools.js';
import type { SegLossFn } from '../setup.js';
import { segmentationBatch } from './augment-batch.js';
import type { Rng } from '../../util/rng.js';
import { type StageContext, type StepResult, backwardAndStep } from './loop.js';

/**
 * One iteration of weak-to-strong consistency training (FixMatch, Sohn et al. NeurIPS 2020, in
 * the single-stream form UniMatch uses for medical images, Yang et al. CVPR 2023): the labeled
 * batch gets the supervised loss; each unlabeled slice gets a weak view (the affine augmentation)
 * whose prediction, without gradient, gives pixel pseudo-labels; a strong view of the same slice
 * (weak view + random brightness/contrast + a zeroed box) is trained with cross-entropy towards
 * them on pixels whose confidence reaches the threshold: loss = L_sup + λ_u·L_u, with
 * L_u = Σ_confident CE / #pixels.
 */
export function fixMatchStep(
  ctx: StageContext,
  labeled: SlicePool,
  unlabeled: SlicePool,
  cfg: RunConfig,
  loss: SegLossFn,
): StepResult {
  const f = cfg.fixmatch;
  return torch.tidy(() => {
    const { lab, weak, strong } = fixMatchBatch(
      labeled,
      unlabeled,
      cfg,
      ctx.net.config.numClasses,
      ctx.rng,
      ctx.net.device,
    );
    const n = weak.shape[0];
    const nl = lab.images.shape[0];
    ctx.net.train();
    ctx.optimizer.zeroGrad();
    const pseudo = torch.noGrad(() => ctx.net.forward(weak).softmax(1).max(1));
    const confident = pseudo.values.ge(f.threshold).float();
    const logits = ctx.net.forward(torch.cat([lab.images, strong]));
    const sup = loss(logits.narrow(0, 0, nl), lab.targets);
    const ce = torch.F.crossEntropy(logits.narrow(0, nl, n), pseudo.indices, {
      reduction: 'none',
    });
    const unsup = ce.mul(confident).sum().div(confident.numel);
    const total = sup.add(unsup.mul(f.lambda));
    const values = {
      loss: total.item(),
      sup: sup.item(),
      unsup: unsup.item(),
      confident: confident.mean().item(),
    };
    return { losses: values, skipped: !backwardAndStep(ctx, total, values.loss) };
  });
}

/**
 * The batch of a FixMatch iteration: an augmented labeled batch, and for unlabeled slices drawn
 * with replacement a weak view (the affine augmentation) and a strong view of it (random
 * brightness/contrast per image, then a zeroed box).
 */
export function fixMatchBatch(
  labeled: SlicePool,
  unlabeled: SlicePool,
  cfg: RunConfig,
  classes: number,
  rng: Rng,
  device: string,
): {
  lab: { images: torch.Tensor; targets: torch.Tensor };
  weak: torch.Tensor;
  strong: torch.Tensor;
} {
  const f = cfg.fixmatch;
  const { lab, weak } = labeledAndWeakBatch(
    labeled,
    unlabeled,
    [f.labeledBatchSize, f.unlabeledBatchSize],
    cfg,
    classes,
    rng,
    device,
  );
  const strong = cutout(
    contrastiveIntensity(weak, { rng, perImage: true, ...cfg.augment.views }),
    rng,
    f.cutout,
  );
  return { lab, weak, strong };
}

/** Zeroes one random box per image, of side fraction U(lo, hi) of the image (Cutout, DeVries 2017). */
function cutout(
  x: torch.Tensor,
  rng: { uniform(lo?: number, hi?: number): number },
  [lo, hi]: [number, number],
): torch.Tensor {
  const [n, , h, w] = x.shape;
  const mask = new Float32Array(n * h * w).fill(1);
  for (let i = 0; i < n; i++) {
    const bh = Math.round(h * rng.uniform(lo, hi));
    const bw = Math.round(w * rng.uniform(lo, hi));
    const y0 = Math.floor(rng.uniform(0, h - bh + 1));
    const x0 = Math.floor(rng.uniform(0, w - bw + 1));
    for (let y = y0; y < y0 + bh; y++)
      mask.fill(0, i * h * w + y * w + x0, i * h * w + y * w + x0 + bw);
  }
  return x.mul(torch.tensor(mask, [n, 1, h, w], { device: x.device }));
}

/**
 * An augmented labeled batch and a weak view (the affine augmentation) of unlabeled slices, both
 * drawn with replacement: the inputs FixMatch and Mean Teacher share.
 */
export function labeledAndWeakBatch(
  labeled: SlicePool,
  unlabeled: SlicePool,
  [labeledSize, unlabeledSize]: [number, number],
  cfg: RunConfig,
  classes: number,
  rng: Rng,
  device: string,
): { lab: { images: torch.Tensor; targets: torch.Tensor }; weak: torch.Tensor } {
  const li = Array.from({ length: labeledSize }, () => rng.int(labeled.count));
  const ui = Array.from({ length: unlabeledSize }, () => rng.int(unlabeled.count));
  const lab = segmentationBatch(labeled, li, classes, cfg, rng, device);
  const raw = gatherBatch(unlabeled, ui, device).images;
  const [n, , h, w] = raw.shape;
  const weak = augmentSegmentationBatch(
    raw,
    torch.zeros([n, h, w], { dtype: 'int64', device }),
    classes,
    { rng, elastic: false },
  ).images;
  return { lab, weak };
}
