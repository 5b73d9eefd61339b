import * as torch from '../../torch/index.js';
import type { RunConfig } from '../config.js';
import type { SlicePool } from '../pools.js';
import type { SegLossFn } from '../setup.js';
import { segmentationBatch } from './augment-batch.js';
import type { StageContext, StepResult } from './loop.js';

/**
 * One iteration of the supervised baseline (method.md A.1 step 2): `batchSize` slices drawn
 * uniformly with replacement from the labeled pool, augmented, one optimiser step on the
 * segmentation loss. The update is skipped when the loss is not finite.
 */
export function supervisedStep(
  ctx: StageContext,
  pool: SlicePool,
  cfg: RunConfig,
  loss: SegLossFn,
  batchSize: number,
): StepResult {
  const classes = ctx.net.config.numClasses;
  const indices = Array.from({ length: batchSize }, () => ctx.rng.int(pool.count));
  return torch.tidy(() => {
    const { images, targets } = segmentationBatch(
      pool,
      indices,
      classes,
      cfg,
      ctx.rng,
      ctx.net.device,
    );
    ctx.net.train();
    ctx.optimizer.zeroGrad();
    const l = loss(ctx.net.forward(images), targets);
    const value = l.item();
    if (!Number.isFinite(value)) return { losses: { loss: value }, skipped: true };
    l.backward();
    ctx.optimizer.step();
    return { losses: { loss: value }, skipped: false };
  });
}
