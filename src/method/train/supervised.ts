import * as torch from '../../torch/index.js';
import type { RunConfig } from '../config.js';
import type { SlicePool } from '../pools.js';
import type { SegLossFn } from '../setup.js';
import { segmentationBatch } from './augment-batch.js';
import type { Rng } from '../../util/rng.js';
import { type StageContext, type StepResult, backwardAndStep } from './loop.js';

/**
 * The batch of a supervised iteration (method.md A.1 step 2): `batchSize` slices drawn uniformly
 * with replacement from the labeled pool, augmented: images (N,1,H,W) and targets (N,C,H,W).
 */
export function supervisedBatch(
  pool: SlicePool,
  cfg: RunConfig,
  batchSize: number,
  classes: number,
  rng: Rng,
  device: string,
): { images: torch.Tensor; targets: torch.Tensor } {
  const indices = Array.from({ length: batchSize }, () => rng.int(pool.count));
  return segmentationBatch(pool, indices, classes, cfg, rng, device);
}

/**
 * One iteration of the supervised baseline: one optimiser step on the segmentation loss of a
 * {@link supervisedBatch}. The update is skipped when the loss is not finite.
 */
export function supervisedStep(
  ctx: StageContext,
  pool: SlicePool,
  cfg: RunConfig,
  loss: SegLossFn,
  batchSize: number,
): StepResult {
  const classes = ctx.net.config.numClasses;
  return torch.tidy(() => {
    const { images, targets } = supervisedBatch(
      pool,
      cfg,
      batchSize,
      classes,
      ctx.rng,
      ctx.net.device,
    );
    ctx.net.train();
    ctx.optimizer.zeroGrad();
    const l = loss(ctx.net.forward(images), targets);
    const value = l.item();
    return { losses: { loss: value }, skipped: !backwardAndStep(ctx, l, value) };
  });
}
