import * as torch from '../../torch/index.js';
import { contrastiveIntensity } from '../../data/augment.js';
import type { RunConfig } from '../config.js';
import { gatherBatch } from '../batch.js';
import { classCount, type SlicePool } from '../pools.js';
import { localContrastiveLoss, resolveIncludeBackground } from '../losses/index.js';
import type { SegLossFn } from '../setup.js';
import { segmentationBatch } from './augment-batch.js';
import type { Rng } from '../../util/rng.js';
import { type StageContext, type StepResult, backwardAndStep } from './loop.js';
import { pairLayout, type PairSlot } from './pair-layout.js';

/** The pools of a joint stage: labeled slices with presence masks, pseudo-labeled slices in use. */
export interface JointPools {
  labeled: SlicePool;
  labeledPresence: Uint32Array;
  /** Unlabeled pool whose `labels` hold the current pseudo-labels. */
  unlabeled: SlicePool;
  unlabeledPresence: Uint32Array;
  /** Unlabeled slices in use this round (all, or those of volumes kept by the TTA filter). */
  active: number[];
}

const skipped = (): StepResult => ({ losses: {}, skipped: true });

/**
 * The batch of a proposed iteration (method.md C.4, A.2): draw 15·segBatch labeled and 30·B
 * pseudo-labeled slices; the first B/2 of each containing every class are the contrastive
 * candidates, laid out in B pairs with two independent intensity views; the first segBatch labeled
 * draws with at least `segMinClasses` classes form the augmented segmentation batch, followed by
 * `pseudoSegBatchSize` pseudo-labeled slices drawn with replacement (none in the code). Null when
 * the draws hold too few candidates (the iteration makes no update, as in the code).
 */
export function proposedBatch(
  pools: JointPools,
  cfg: RunConfig,
  classes: number,
  rng: Rng,
  device: string,
): JointBatch | null {
  const j = cfg.joint;
  const all = (1 << classes) - 1;
  const segMin = Math.min(classes - 1, 3);
  const need = j.pairs / 2;
  const drawL = Array.from({ length: 15 * j.segBatchSize }, () => rng.int(pools.labeled.count));
  const drawU = Array.from(
    { length: 30 * j.pairs },
    () => pools.active[rng.int(pools.active.length)],
  );
  const candL = drawL.filter((i) => pools.labeledPresence[i] === all).slice(0, need);
  const candU = drawU.filter((i) => pools.unlabeledPresence[i] === all).slice(0, need);
  const segIdx = drawL
    .filter((i) => classCount(pools.labeledPresence[i]) >= segMin)
    .slice(0, j.segBatchSize);
  if (candL.length < need || candU.length < need || segIdx.length < j.segBatchSize) return null;
  const layout = pairLayout(j.pairs, j.variant);
  const pick = (s: PairSlot) => (s.pool === 'labeled' ? candL[s.candidate] : candU[s.candidate]);
  let seg = segmentationBatch(pools.labeled, segIdx, classes, cfg, rng, device);
  const pseudoSeg = j.pseudoSegBatchSize ?? 0;
  if (pseudoSeg > 0) {
    const ui = Array.from({ length: pseudoSeg }, () => pools.active[rng.int(pools.active.length)]);
    const p = segmentationBatch(pools.unlabeled, ui, classes, cfg, rng, device);
    seg = {
      images: torch.cat([seg.images, p.images]),
      targets: torch.cat([seg.targets, p.targets]),
    };
  }
  const views = [layout.view1, layout.view2].map((slots) => {
    const parts = slots.map((s) =>
      gatherBatch(s.pool === 'labeled' ? pools.labeled : pools.unlabeled, [pick(s)], device),
    );
    const images = torch.cat(parts.map((p) => p.images));
    const labels = torch.cat(parts.map((p) => p.labels as torch.Tensor));
    return { images: contrastiveIntensity(images, { rng, ...cfg.augment.views }), labels };
  });
  return {
    segImages: seg.images,
    segTargets: seg.targets,
    contrastImages: torch.cat([views[0].images, views[1].images]),
    contrastLabels: torch.cat([views[0].labels, views[1].labels]),
  };
}

/**
 * One iteration of the proposed joint training: one optimiser step on the joint loss of a
 * {@link proposedBatch}. Iterations without a batch, or with a non-finite loss, make no update
 * (they still count, as in the code).
 */
export function proposedStep(
  ctx: StageContext,
  pools: JointPools,
  cfg: RunConfig,
  loss: SegLossFn,
): StepResult {
  return torch.tidy(() => {
    const batch = proposedBatch(pools, cfg, ctx.net.config.numClasses, ctx.rng, ctx.net.device);
    // The ranks skip together: a rank without a batch could not take part in the step.
    if (!ctx.world.all(batch !== null) || !batch) return skipped();
    ctx.net.train();
    ctx.optimizer.zeroGrad();
    const l = jointLoss(ctx, cfg, loss, batch, ctx.rng);
    const values = { loss: l.total.item(), seg: l.seg.item(), contrastive: l.contrastive.item() };
    return { losses: values, skipped: !backwardAndStep(ctx, l.total, values.loss) };
  });
}

/** The tensors of one joint iteration, augmented and on the network's device. */
export interface JointBatch {
  /** (S, 1, H, W) and soft one-hot targets (S, C, H, W): labeled, then pseudo-labeled slices. */
  segImages: torch.Tensor;
  segTargets: torch.Tensor;
  /** View 1 then view 2: (2B, 1, H, W), with their (pseudo-)labels (2B, H, W) int64. */
  contrastImages: torch.Tensor;
  contrastLabels: torch.Tensor;
}

/**
 * The joint loss of proposedStep on a prepared batch: one forward pass over [segmentation; view 1;
 * view 2] (BN statistics shared, method.md I-18), loss = Dice(seg) + λ·L_local(embeddings of the
 * 2B views). Draws the contrastive positives from `rng`. Shared with `contraseg bench train`.
 */
export function jointLoss(
  ctx: StageContext,
  cfg: RunConfig,
  loss: SegLossFn,
  b: JointBatch,
  rng: Rng,
): { total: torch.Tensor; seg: torch.Tensor; contrastive: torch.Tensor } {
  const j = cfg.joint;
  const classes = ctx.net.config.numClasses;
  const nSeg = b.segImages.shape[0];
  const features = ctx.net.features(torch.cat([b.segImages, b.contrastImages]));
  const hidden = ctx.net.segHidden(features);
  const logits = ctx.net.segLogits(hidden.narrow(0, 0, nSeg));
  const segLoss = loss(logits, b.segTargets);
  const emb = ctx.net.embed(features.narrow(0, nSeg, 2 * j.pairs));
  const lc = localContrastiveLoss(emb, b.contrastLabels, classes, {
    variant: j.variant,
    tau: j.tau,
    positivesPerClass: j.positives,
    includeBackground: resolveIncludeBackground(j.includeBackground, classes),
    normalisation: j.normalisation,
    rng,
  });
  return { total: segLoss.add(lc.loss.mul(j.lambda)), seg: segLoss, contrastive: lc.loss };
}

/**
 * The batch of a self-training iteration (the ablation without the contrastive loss): segBatch
 * labeled and segBatch pseudo-labeled slices drawn with replacement, augmented alike.
 */
export function selfTrainingBatch(
  pools: JointPools,
  cfg: RunConfig,
  classes: number,
  rng: Rng,
  device: string,
): { images: torch.Tensor; targets: torch.Tensor } {
  const n = cfg.joint.segBatchSize;
  const li = Array.from({ length: n }, () => rng.int(pools.labeled.count));
  const ui = Array.from({ length: n }, () => pools.active[rng.int(pools.active.length)]);
  const a = segmentationBatch(pools.labeled, li, classes, cfg, rng, device);
  const b = segmentationBatch(pools.unlabeled, ui, classes, cfg, rng, device);
  return { images: torch.cat([a.images, b.images]), targets: torch.cat([a.targets, b.targets]) };
}

/** One iteration of self-training: one step of the segmentation loss on a selfTrainingBatch. */
export function selfTrainingStep(
  ctx: StageContext,
  pools: JointPools,
  cfg: RunConfig,
  loss: SegLossFn,
): StepResult {
  return torch.tidy(() => {
    const { images, targets } = selfTrainingBatch(
      pools,
      cfg,
      ctx.net.config.numClasses,
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
