import * as torch from '../../torch/index.js';
import { augmentSegmentationBatch } from '../../data/augment.js';
import type { Rng } from '../../util/rng.js';
import type { RunConfig } from '../config.js';
import { gatherBatch, oneHot } from '../batch.js';
import { IGNORE_LABEL, type SlicePool } from '../pools.js';

/**
 * A segmentation batch: the chosen labeled (or pseudo-labeled) slices, augmented as method.md E.3
 * (affine, then elastic with soft one-hot labels). Returns images (N,1,H,W) and targets (N,C,H,W).
 */
export function segmentationBatch(
  pool: SlicePool,
  indices: number[],
  numClasses: number,
  cfg: RunConfig,
  rng: Rng,
  device: string,
): { images: torch.Tensor; targets: torch.Tensor } {
  const { images, labels } = gatherBatch(pool, indices, device);
  if (!labels) throw new Error('segmentationBatch: the pool has no labels');
  const a = cfg.augment;
  if (!a.affine && !a.elastic && !a.intensity) {
    const targets = oneHot(labels, numClasses);
    labels.dispose();
    return { images, targets };
  }
  const r = augmentSegmentationBatch(images, labels, numClasses, {
    rng,
    affine: a.affine,
    elastic: a.elastic,
    sigma: a.elasticSigma,
    intensity: a.intensity,
    ignoreLabel: IGNORE_LABEL,
  });
  images.dispose();
  labels.dispose();
  return { images: r.images, targets: r.labels };
}
