import * as torch from '../torch/index.js';
import { type UNet, updateBn } from '../nn/index.js';
import type { RunConfig } from './config.js';
import { sampleImages, type SlicePool } from './pools.js';

/**
 * Re-estimates a network's batch-norm statistics (config bnUpdate) on an even sample of the
 * unaugmented slices of a stage's training pools (the labeled pool for the baseline, labeled and
 * unlabeled for the semi-supervised methods). Null when disabled. The sample is fixed and draws
 * no random numbers, so a resumed run re-estimates exactly as an uninterrupted one.
 */
export function bnUpdater(cfg: RunConfig, pools: SlicePool[]): ((net: UNet) => void) | null {
  const b = cfg.bnUpdate;
  if (!b.enabled) return null;
  const { images, count } = sampleImages(pools, b.slices);
  const [h, w] = pools[0].size;
  return (net) => {
    function* batches() {
      for (let start = 0; start < count; start += b.batchSize) {
        const n = Math.min(b.batchSize, count - start);
        const slice = images.subarray(start * h * w, (start + n) * h * w);
        yield torch.tensor(slice, [n, 1, h, w], { device: net.device });
      }
    }
    updateBn(batches(), net);
  };
}
